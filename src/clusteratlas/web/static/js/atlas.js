/* The atlas map: a blank MapLibre style with one GeoJSON fill layer coloured by a measure.
 * State for tests and scripts: window.clusterAtlasMap and data-map-state on #atlas-map. */
(function () {
  "use strict";
  var container = document.getElementById("atlas-map");
  if (!container || !window.maplibregl) { return; }
  var form = document.getElementById("map-controls");
  var categorySelect = document.getElementById("category");
  var measureSelect = document.getElementById("measure");
  var legend = document.getElementById("legend");
  var status = document.getElementById("map-status");
  var categoryLink = document.getElementById("category-link");
  var ds = container.dataset;
  /* One colour convention with the HTML atlas (report/_common.py): darker = higher. The LQ uses
   * the atlas's diverging classes around 1 (blue under-represented, dark red specialised);
   * stars and the strong flag use the atlas's rating colours; other measures use quantile
   * classes, light to dark. The palette comes from the server in data-palette. */
  var PALETTE = JSON.parse(ds.palette);
  var MISSING = PALETTE.missing;
  var FIXED = { lq: PALETTE.lqBreaks, stars: [1, 2, 3], strong: [1] };
  var FIXED_COLOURS = {
    lq: PALETTE.lqColours, stars: PALETTE.starColours.slice(0, 4), strong: PALETTE.flagColours
  };
  var QUANTILES = PALETTE.quantileColours;
  var VIEWS = { "eu-sbs": { center: [12, 52], zoom: 2.9 }, "us-cbp": { center: [-97, 38.5], zoom: 2.7 } };
  var view = VIEWS[ds.source] || VIEWS["eu-sbs"];

  var state = {
    map: null, state: "loading", loadedCategory: null, measure: measureSelect.value,
    featureCount: 0, breaks: [], data: null, requests: 0,
    colourFor: colourFor, renderedSample: renderedSample
  };
  window.clusterAtlasMap = state;

  function setState(value) {
    state.state = value;
    container.dataset.mapState = value;
  }

  function numeric(value) {
    if (value === true) { return 1; }
    if (value === false) { return 0; }
    return typeof value === "number" && isFinite(value) ? value : null;
  }

  function quantileBreaks(features, measure) {
    var values = features.map(function (f) { return numeric(f.properties[measure]); })
      .filter(function (v) { return v !== null && v > 0; }).sort(function (a, b) { return a - b; });
    if (!values.length) { return [1]; }
    var breaks = [];
    for (var i = 1; i < QUANTILES.length; i++) {
      var v = values[Math.min(values.length - 1, Math.floor(i * values.length / QUANTILES.length))];
      if (!breaks.length || v > breaks[breaks.length - 1]) { breaks.push(v); }
    }
    return breaks;
  }

  function colourFor(value) {
    var v = numeric(value);
    if (v === null) { return MISSING; }
    var index = 0;
    while (index < state.breaks.length && v >= state.breaks[index]) { index++; }
    return palette()[index];
  }

  function palette() {
    if (FIXED_COLOURS[state.measure]) { return FIXED_COLOURS[state.measure]; }
    /* fewer quantile classes than colours: keep the dark end, as the HTML atlas does */
    return QUANTILES.slice(QUANTILES.length - state.breaks.length - 1);
  }

  function fillColour() {
    var m = state.measure;
    var colours = palette();
    var step = ["step", ["to-number", ["get", m]], colours[0]];
    state.breaks.forEach(function (b, i) { step.push(b, colours[i + 1]); });
    return ["case", ["==", ["typeof", ["get", m]], "null"], MISSING, step];
  }

  function format(value) {
    if (state.measure === "share_of_region") { return (value * 100).toFixed(2) + " %"; }
    if (Math.abs(value) >= 100) { return Math.round(value).toLocaleString("en"); }
    return String(Math.round(value * 100) / 100);
  }

  function legendRow(colour, text) {
    // Built with the DOM and CSSOM: the Content-Security-Policy allows no inline style attribute.
    var item = document.createElement("li");
    var swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = colour;
    item.appendChild(swatch);
    item.appendChild(document.createTextNode(text));
    return item;
  }

  function drawLegend() {
    var colours = palette();
    var title = measureSelect.options[measureSelect.selectedIndex].text;
    var list = document.createElement("ul");
    colours.forEach(function (c, i) {
      var low = i === 0 ? null : state.breaks[i - 1];
      var high = i < state.breaks.length ? state.breaks[i] : null;
      var text = low === null ? "below " + format(high) : (high === null ? format(low) + " or more" : format(low) + " to " + format(high));
      if (state.measure === "strong") { text = i === 0 ? "not strong" : "strong cluster"; }
      if (state.measure === "stars") { text = i + (i === 1 ? " star" : " stars"); }
      list.appendChild(legendRow(c, text));
    });
    list.appendChild(legendRow(MISSING, "no data"));
    legend.innerHTML = "";
    var heading = document.createElement("h2");
    heading.textContent = title;
    legend.appendChild(heading);
    legend.appendChild(list);
  }

  function url() {
    var params = new URLSearchParams({
      source: ds.source, year: ds.year, categories: ds.categories, rules: ds.rules,
      category: categorySelect.value, format: "geojson"
    });
    return ds.api + "?" + params.toString();
  }

  function restyle() {
    state.measure = measureSelect.value;
    var features = state.data ? state.data.features : [];
    state.breaks = FIXED[state.measure] || quantileBreaks(features, state.measure);
    if (state.map.getLayer("region-fill")) {
      state.map.setPaintProperty("region-fill", "fill-color", fillColour());
    }
    drawLegend();
  }

  function load() {
    var category = categorySelect.value;
    var ticket = ++state.requests;
    setState("loading");
    status.textContent = "Loading " + category + "…";
    return fetch(url(), { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("The map service answered " + response.status); }
        return response.json();
      })
      .then(function (data) {
        if (ticket !== state.requests) { return; }
        state.data = data;
        state.featureCount = data.features.length;
        state.map.getSource("regions").setData(data);
        restyle();
        categoryLink.href = "/categories/" + encodeURIComponent(ds.source) + "/" +
          encodeURIComponent(category) + "?source=" + ds.source + "&year=" + ds.year +
          "&categories=" + ds.categories + "&rules=" + ds.rules;
        history.replaceState(null, "", "/?" + new URLSearchParams(new FormData(form)).toString());
        state.map.once("idle", function () {
          if (ticket !== state.requests) { return; }
          state.loadedCategory = category;
          container.dataset.loadedCategory = category;
          setState("ready");
          status.textContent = state.featureCount + " regions shown for " + category + ".";
        });
        state.map.triggerRepaint();
      })
      .catch(function (error) {
        setState("error");
        status.textContent = "The map could not be loaded: " + error.message;
      });
  }

  function renderedSample(limit) {
    var seen = {};
    return state.map.queryRenderedFeatures({ layers: ["region-fill"] })
      .filter(function (f) { if (seen[f.properties.region]) { return false; } seen[f.properties.region] = true; return true; })
      .slice(0, limit || 1000)
      .map(function (f) {
        var value = f.properties[state.measure];
        return { region: f.properties.region, category: f.properties.category, value: value, colour: colourFor(value) };
      });
  }

  function popup(event) {
    var f = event.features && event.features[0];
    if (!f) { return; }
    var p = f.properties;
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = (p.region_name || p.region) + " (" + p.region + ")";
    var value = document.createElement("p");
    value.textContent = measureSelect.options[measureSelect.selectedIndex].text + ": " +
      (numeric(p[state.measure]) === null ? "no data" : format(numeric(p[state.measure])));
    var link = document.createElement("a");
    link.href = "/regions/" + encodeURIComponent(ds.source) + "/" + encodeURIComponent(p.region) +
      "?year=" + ds.year + "&categories=" + ds.categories + "&rules=" + ds.rules;
    link.textContent = "Open the region's portfolio";
    box.appendChild(title); box.appendChild(value); box.appendChild(link);
    new maplibregl.Popup({ closeButton: true }).setLngLat(event.lngLat).setDOMContent(box).addTo(state.map);
    link.focus();
  }

  var map = new maplibregl.Map({
    container: container,
    style: { version: 8, sources: {}, layers: [{ id: "background", type: "background", paint: { "background-color": "#eef2f6" } }] },
    center: view.center, zoom: view.zoom, attributionControl: false, keyboard: true
  });
  state.map = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.on("load", function () {
    window.clusterAtlasBackdrop(map, ds.backdrop);
    map.addSource("regions", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({ id: "region-fill", type: "fill", source: "regions", paint: { "fill-color": MISSING, "fill-opacity": 0.9 } });
    map.addLayer({ id: "region-line", type: "line", source: "regions", paint: { "line-color": "#ffffff", "line-width": 0.4 } });
    map.on("click", "region-fill", popup);
    map.on("mouseenter", "region-fill", function () { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", "region-fill", function () { map.getCanvas().style.cursor = ""; });
    load();
  });

  categorySelect.addEventListener("change", load);
  measureSelect.addEventListener("change", function () {
    restyle();
    history.replaceState(null, "", "/?" + new URLSearchParams(new FormData(form)).toString());
  });
  form.addEventListener("submit", function (event) {
    var source = document.getElementById("source").value, year = document.getElementById("year").value;
    if (source === ds.source && year === ds.year) { event.preventDefault(); load(); }
  });
})();
