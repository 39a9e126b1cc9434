/* The directory's small map: the organisations found, as points at their region.
 * Reloaded after each HTMX swap of the result list. State: window.clusterAtlasOrgMap. */
(function () {
  "use strict";
  var container = document.getElementById("org-map");
  if (!container || !window.maplibregl) { return; }
  var form = document.getElementById("search");
  var status = document.getElementById("org-map-status");
  var state = { map: null, state: "loading", featureCount: 0, requests: 0 };
  window.clusterAtlasOrgMap = state;

  function setState(value) { state.state = value; container.dataset.mapState = value; }

  function load() {
    var params = new URLSearchParams();
    // "Any" / "All kinds" are empty values: the API reads a missing filter as no filter
    // (and refuses an empty kind).
    new FormData(form).forEach(function (value, name) { if (value !== "") { params.append(name, value); } });
    params.set("format", "geojson");
    params.set("limit", "500");
    var ticket = ++state.requests;
    setState("loading");
    return fetch(container.dataset.api + "?" + params.toString(), { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("the directory service answered " + response.status); }
        return response.json();
      })
      .then(function (data) {
        if (ticket !== state.requests) { return; }
        var located = (data.features || []).filter(function (f) { return f.geometry; });
        state.featureCount = located.length;
        state.map.getSource("organisations").setData({ type: "FeatureCollection", features: located });
        status.textContent = located.length + " of the organisations found have a known region.";
        if (located.length) {
          var bounds = new maplibregl.LngLatBounds();
          located.forEach(function (f) { bounds.extend(f.geometry.coordinates); });
          state.map.fitBounds(bounds, { padding: 40, maxZoom: 5, duration: 0 });
        }
        state.map.once("idle", function () { if (ticket === state.requests) { setState("ready"); } });
        state.map.triggerRepaint();
      })
      .catch(function (error) {
        setState("error");
        status.textContent = "The map could not be loaded: " + error.message;
      });
  }

  var map = new maplibregl.Map({
    container: container,
    style: { version: 8, sources: {}, layers: [{ id: "background", type: "background", paint: { "background-color": "#eef2f6" } }] },
    center: [-30, 45], zoom: 0.8, attributionControl: false
  });
  state.map = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.on("load", function () {
    window.clusterAtlasBackdrop(map, container.dataset.backdrop);
    map.addSource("organisations", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({
      id: "organisation-points", type: "circle", source: "organisations",
      paint: { "circle-radius": 6, "circle-color": "#1f5fa8", "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5 }
    });
    map.on("click", "organisation-points", function (event) {
      var p = event.features[0].properties;
      if (p.id !== undefined) { window.location.href = "/organisations/" + encodeURIComponent(p.id); }
    });
    map.on("mouseenter", "organisation-points", function () { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", "organisation-points", function () { map.getCanvas().style.cursor = ""; });
    load();
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "results") { load(); }
  });
})();
