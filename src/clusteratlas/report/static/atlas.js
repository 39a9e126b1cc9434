/* Cluster Atlas report: map, portfolio chart and tables drawn from the embedded JSON.
   Plain JavaScript, no framework, no network request. */
(function () {
  "use strict";
  var SVG = document.getElementById("map").namespaceURI;
  var data = JSON.parse(document.getElementById("atlas-data").textContent);
  var arrays = data.arrays;
  var regions = data.regions;
  var nR = regions.length;
  var regionIndex = {};
  regions.forEach(function (r, i) { regionIndex[r.id] = i; });
  var state = {
    view: 0, category: 0, measure: null, region: regionIndex[data.initial.region] || 0,
    topSort: null, portSort: { key: "lq", dir: -1 }, topAll: false
  };
  var numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function svgEl(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function view() { return data.views[state.view]; }
  function get(v, measure, c, r) {
    var idx = v.columns[measure];
    if (idx === undefined) { return null; }
    var x = arrays[idx][c * nR + r];
    return x === undefined ? null : x;
  }
  function isBreak(v, c, r) {
    if (v.breaks === null || v.breaks === undefined) { return false; }
    return arrays[v.breaks][c * nR + r] === 1;
  }
  function cellText(v, k, c, r, x) {
    if ((k === "growth") && x === null && isBreak(v, c, r)) { return "break"; }
    return fmt(k, x);
  }
  function ratingValue(v, c, r) {
    if (!v.rating) { return null; }
    var x = arrays[v.rating.data][c * nR + r];
    return x === undefined ? null : x;
  }
  function isRated(v, c, r) {
    var x = ratingValue(v, c, r);
    return x !== null && x >= v.rating.threshold;
  }
  function fmt(measure, x) {
    if (x === null || x === undefined) { return "n/a"; }
    var info = data.measureInfo[measure] || {};
    if (info.percent) { return (x * 100).toFixed(Math.abs(x) < 0.1 ? 2 : 1) + " %"; }
    if (measure === "lq") { return x.toFixed(2); }
    if (Math.abs(x) >= 100 || Number.isInteger(x)) { return numberFormat.format(x); }
    return x.toPrecision(3);
  }
  function fmtRating(v, c, r) {
    if (!v.rating) { return ""; }
    var x = ratingValue(v, c, r);
    if (x === null) { return "n/a"; }
    if (v.rating.kind === "flag") { return x ? v.rating.column.replace(/_/g, " ") : "–"; }
    var n = Math.max(0, Math.round(x));
    return "★".repeat(Math.min(n, v.rating.maximum)) +
      "☆".repeat(Math.max(0, v.rating.maximum - n)) + " (" + n + ")";
  }
  function label(measure) { return (data.measureInfo[measure] || {}).label || measure; }
  function shortLabel(measure) { return (data.measureInfo[measure] || {}).short || label(measure); }
  function categoryName(v, c) {
    var cat = v.categories[c];
    return cat.label && cat.label !== cat.code ? cat.code + " – " + cat.label : cat.code;
  }

  /* ---------- select boxes ---------- */
  function fillSelect(select, options, selected) {
    select.textContent = "";
    options.forEach(function (o) {
      var opt = el("option", { value: String(o.value) }, o.text);
      if (String(o.value) === String(selected)) { opt.selected = true; }
      select.appendChild(opt);
    });
  }
  function fillControls() {
    var v = view();
    fillSelect($("view-select"), data.views.map(function (w, i) {
      return { value: i, text: w.label };
    }), state.view);
    $("view-select").disabled = data.views.length < 2;
    fillSelect($("category-select"), v.categories.map(function (c, i) {
      return { value: i, text: categoryName(v, i) };
    }), state.category);
    fillSelect($("measure-select"), v.measures.map(function (m) {
      return { value: m, text: label(m) };
    }), state.measure);
    var order = regions.map(function (r, i) { return i; }).sort(function (a, b) {
      return regions[a].name.localeCompare(regions[b].name);
    });
    fillSelect($("region-select"), order.map(function (i) {
      return { value: i, text: regions[i].name + " (" + regions[i].id + ")" };
    }), state.region);
    var meta = "Year " + v.year;
    if (v.rulesets.length) { meta += " · rule-set " + v.rulesets.join(", "); }
    if (v.rating) { meta += " · outlined: " + v.rating.label; }
    $("view-meta").textContent = meta;
  }

  /* ---------- classes and colours ---------- */
  function classesFor(v, measure, c) {
    if (measure === "lq") {
      var b = data.style.lqBreaks;
      var labels = ["< " + b[0]];
      for (var i = 1; i < b.length; i++) { labels.push(b[i - 1] + " – " + b[i]); }
      labels.push("≥ " + b[b.length - 1]);
      return { breaks: b, colours: data.style.lqColours, labels: labels };
    }
    var values = [];
    for (var r = 0; r < nR; r++) {
      var x = get(v, measure, c, r);
      if (x !== null) { values.push(x); }
    }
    values.sort(function (a, b2) { return a - b2; });
    var k = data.style.quantileColours.length;
    var breaks = [];
    for (var q = 1; q < k && values.length; q++) {
      var pos = (values.length - 1) * q / k;
      var lo = Math.floor(pos);
      var hi = Math.ceil(pos);
      var br = values[lo] + (values[hi] - values[lo]) * (pos - lo);
      if (!breaks.length || br > breaks[breaks.length - 1]) { breaks.push(br); }
    }
    var colours = data.style.quantileColours.slice(k - breaks.length - 1);
    var labs = [];
    if (!breaks.length && values.length) { labs.push(fmt(measure, values[0])); }
    breaks.forEach(function (bq, j) {
      labs.push(j === 0 ? "≤ " + fmt(measure, bq) : fmt(measure, breaks[j - 1]) + " – " + fmt(measure, bq));
    });
    if (breaks.length) { labs.push("> " + fmt(measure, breaks[breaks.length - 1])); }
    return { breaks: breaks, colours: colours, labels: labs, quantile: true };
  }
  function classOf(scale, x) {
    var i = 0;
    if (scale.quantile) { while (i < scale.breaks.length && x > scale.breaks[i]) { i++; } }
    else { while (i < scale.breaks.length && x >= scale.breaks[i]) { i++; } }
    return i;
  }

  /* ---------- map ---------- */
  var tooltip = $("tooltip");
  var paths = [];
  function buildMap() {
    var g = $("regions");
    regions.forEach(function (reg, i) {
      if (!reg.d) { return; }
      var p = svgEl("path", { d: reg.d, "class": "region", tabindex: "0", role: "button" });
      p.dataset.i = String(i);
      p.addEventListener("mousemove", function (ev) { showTip(i, ev.clientX, ev.clientY); });
      p.addEventListener("mouseleave", hideTip);
      p.addEventListener("focus", function () {
        var box = p.getBoundingClientRect();
        showTip(i, box.left + box.width / 2, box.top + box.height / 2);
      });
      p.addEventListener("blur", hideTip);
      p.addEventListener("click", function () { selectRegion(i); });
      p.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); selectRegion(i); }
      });
      paths.push(p);
      g.appendChild(p);
    });
  }
  function tipText(i) {
    var v = view();
    var c = state.category;
    var lines = [[regions[i].name + " (" + regions[i].id + ")", true]];
    lines.push([label(state.measure) + ": " + cellText(v, state.measure, c, i, get(v, state.measure, c, i))]);
    if (state.measure !== "growth" && isBreak(v, c, i)) { lines.push([label("growth") + ": break"]); }
    if (state.measure !== "lq") { lines.push([label("lq") + ": " + fmt("lq", get(v, "lq", c, i))]); }
    if (v.rating) { lines.push(["Rating: " + fmtRating(v, c, i)]); }
    return lines;
  }
  function showTip(i, x, y) {
    tooltip.textContent = "";
    tipText(i).forEach(function (line) {
      tooltip.appendChild(el(line[1] ? "strong" : "div", {}, line[0]));
    });
    tooltip.hidden = false;
    var w = tooltip.offsetWidth;
    var h = tooltip.offsetHeight;
    var left = Math.min(x + 14, window.innerWidth - w - 8);
    var top = y + 14 + h > window.innerHeight ? y - h - 10 : y + 14;
    tooltip.style.left = Math.max(4, left) + "px";
    tooltip.style.top = Math.max(4, top) + "px";
  }
  function hideTip() { tooltip.hidden = true; }
  function drawMap() {
    var v = view();
    var c = state.category;
    var scale = classesFor(v, state.measure, c);
    var g = $("regions");
    var rated = [];
    paths.forEach(function (p) {
      var i = Number(p.dataset.i);
      var x = get(v, state.measure, c, i);
      p.setAttribute("fill", x === null ? "url(#hatch)" : scale.colours[classOf(scale, x)]);
      var r = v.rating ? isRated(v, c, i) : false;
      p.classList.toggle("rated", r);
      p.classList.toggle("selected", i === state.region);
      p.setAttribute("aria-label", tipText(i).map(function (l) { return l[0]; }).join("; "));
      if (r) { rated.push(p); }
    });
    rated.forEach(function (p) { g.appendChild(p); });
    paths.forEach(function (p) { if (Number(p.dataset.i) === state.region) { g.appendChild(p); } });
    $("map-heading").textContent = label(state.measure) + " — " + categoryName(v, c);
    drawLegend(scale, v);
  }
  function drawLegend(scale, v) {
    var box = $("legend");
    box.textContent = "";
    box.appendChild(el("span", { "class": "title" },
      label(state.measure) + (scale.quantile ? " (quantile classes)" : "")));
    scale.labels.forEach(function (text, j) {
      var item = el("span", { "class": "item" });
      var sw = el("span", { "class": "swatch" });
      sw.style.background = scale.colours[j];
      item.appendChild(sw);
      item.appendChild(document.createTextNode(text));
      box.appendChild(item);
    });
    var na = el("span", { "class": "item" });
    na.appendChild(el("span", { "class": "swatch missing" }));
    na.appendChild(document.createTextNode("n/a (suppressed or missing)"));
    box.appendChild(na);
    if (v.rating) {
      var rt = el("span", { "class": "item" });
      rt.appendChild(el("span", { "class": "swatch rated" }));
      rt.appendChild(document.createTextNode("outlined: " + v.rating.label));
      box.appendChild(rt);
    }
  }

  /* ---------- portfolio bubble chart ---------- */
  function niceTicks(lo, hi, n) {
    var span = hi - lo;
    if (!(span > 0)) { return [lo]; }
    var step = Math.pow(10, Math.floor(Math.log10(span / n)));
    var err = span / n / step;
    if (err >= 7.5) { step *= 10; } else if (err >= 3.5) { step *= 5; } else if (err >= 1.5) { step *= 2; }
    var ticks = [];
    for (var t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
      ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
    }
    return ticks;
  }
  function ratingColour(v, c, r) {
    if (!v.rating) { return "#6b8fb8"; }
    var x = ratingValue(v, c, r);
    if (x === null) { return "#ececec"; }
    if (v.rating.kind === "flag") { return x ? "#d95f02" : "#7c9cc4"; }
    var pal = data.style.starColours;
    return pal[Math.max(0, Math.min(pal.length - 1, Math.round(x)))];
  }
  function drawBubbles() {
    var v = view();
    var r = state.region;
    var yKey = v.y;
    var W = 640, H = 430, ml = 62, mr = 18, mt = 16, mb = 52;
    var pts = [];
    var missing = 0;
    v.categories.forEach(function (cat, c) {
      var lq = get(v, "lq", c, r);
      var y = get(v, yKey, c, r);
      var emp = get(v, "employment", c, r);
      if (lq === null && y === null && emp === null) { return; }
      if (lq === null || !(lq > 0) || y === null) { missing++; return; }
      pts.push({ c: c, lq: lq, y: y, emp: emp === null ? 0 : emp });
    });
    var wrap = $("bubble-wrap");
    wrap.textContent = "";
    $("portfolio-heading").textContent = "Portfolio of " + regions[r].name;
    var svg = svgEl("svg", { viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-label": "Bubble chart of the categories of " + regions[r].name +
        ": location quotient against " + label(yKey) + ", bubble area proportional to employment" });
    wrap.appendChild(svg);
    var lx = pts.map(function (p) { return Math.log10(p.lq); }).concat([0]);
    var x0 = Math.min.apply(null, lx) - 0.12, x1 = Math.max.apply(null, lx) + 0.12;
    var ys = pts.map(function (p) { return p.y; });
    if (yKey === "growth") { ys.push(0); }
    var y0 = ys.length ? Math.min.apply(null, ys) : 0, y1 = ys.length ? Math.max.apply(null, ys) : 1;
    var pad = (y1 - y0) * 0.08 || Math.abs(y1) * 0.1 || 0.01;
    y0 -= pad; y1 += pad;
    if (yKey !== "growth" && y0 < 0) { y0 = 0; }
    var sx = function (lq) { return ml + (Math.log10(lq) - x0) / (x1 - x0) * (W - ml - mr); };
    var sy = function (y) { return mt + (y1 - y) / (y1 - y0) * (H - mt - mb); };
    var axis = svgEl("g", { "class": "axis" });
    svg.appendChild(axis);
    var xticks = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500].filter(function (t) {
      var l = Math.log10(t); return l >= x0 && l <= x1;
    });
    xticks.forEach(function (t) {
      var x = sx(t);
      axis.appendChild(svgEl("line", { x1: x, x2: x, y1: mt, y2: H - mb, "class": "grid" }));
      axis.appendChild(svgEl("text", { x: x, y: H - mb + 15, "text-anchor": "middle" }, String(t)));
    });
    niceTicks(y0, y1, 6).forEach(function (t) {
      var y = sy(t);
      axis.appendChild(svgEl("line", { x1: ml, x2: W - mr, y1: y, y2: y, "class": "grid" }));
      axis.appendChild(svgEl("text", { x: ml - 6, y: y + 4, "text-anchor": "end" },
        (t * 100).toFixed(Math.abs(y1 - y0) < 0.05 ? 1 : 0) + " %"));
    });
    axis.appendChild(svgEl("rect", { x: ml, y: mt, width: W - ml - mr, height: H - mt - mb,
      fill: "none", stroke: "#999" }));
    axis.appendChild(svgEl("line", { x1: sx(1), x2: sx(1), y1: mt, y2: H - mb, "class": "ref" }));
    if (yKey === "growth" && y0 < 0 && y1 > 0) {
      axis.appendChild(svgEl("line", { x1: ml, x2: W - mr, y1: sy(0), y2: sy(0), "class": "ref" }));
    }
    axis.appendChild(svgEl("text", { x: (ml + W - mr) / 2, y: H - 12, "text-anchor": "middle",
      "class": "axis-title" }, "Location quotient (log scale; dashed line: LQ = 1)"));
    axis.appendChild(svgEl("text", { x: 14, y: (mt + H - mb) / 2, "text-anchor": "middle",
      "class": "axis-title", transform: "rotate(-90 14 " + (mt + H - mb) / 2 + ")" },
      yKey === "growth" ? label("growth") + ", %" : label("share_of_region") + ", % (no growth data)"));
    var maxEmp = Math.max.apply(null, pts.map(function (p) { return p.emp; }).concat([1]));
    pts.forEach(function (p) { p.rad = Math.max(2.5, Math.sqrt(p.emp / maxEmp) * 30); });
    pts.sort(function (a, b) { return b.rad - a.rad; });
    var byEmp = pts.slice(0, 6).map(function (p) { return p.c; });
    pts.forEach(function (p) {
      var circle = svgEl("circle", { cx: sx(p.lq), cy: sy(p.y), r: p.rad, fill: ratingColour(v, p.c, r),
        tabindex: "0", role: "button",
        "aria-label": categoryName(v, p.c) + ": LQ " + fmt("lq", p.lq) + ", " + label(yKey) + " " +
          fmt(yKey, p.y) + ", employment " + fmt("employment", p.emp) +
          (v.rating ? ", rating " + fmtRating(v, p.c, r) : "") });
      if (p.c === state.category) { circle.setAttribute("class", "current"); }
      circle.appendChild(svgEl("title", {}, circle.getAttribute("aria-label")));
      circle.addEventListener("click", function () { selectCategory(p.c); });
      circle.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); selectCategory(p.c); }
      });
      svg.appendChild(circle);
    });
    pts.forEach(function (p) {
      if (byEmp.indexOf(p.c) < 0 && p.c !== state.category) { return; }
      svg.appendChild(svgEl("text", { x: sx(p.lq) + p.rad * 0.7 + 2, y: sy(p.y) - p.rad * 0.7,
        "class": "label", "aria-hidden": "true" }, v.categories[p.c].code));
    });
    var leg = $("bubble-legend");
    leg.textContent = "";
    leg.appendChild(el("span", { "class": "title" }, "Bubble area ∝ employment; colour: rating"));
    var entries = [];
    if (!v.rating) { entries.push(["#6b8fb8", "category"]); }
    else if (v.rating.kind === "flag") {
      entries.push(["#d95f02", v.rating.column.replace(/_/g, " ")], ["#7c9cc4", "not " + v.rating.column]);
    } else {
      for (var s = 0; s <= v.rating.maximum; s++) {
        entries.push([data.style.starColours[Math.min(s, data.style.starColours.length - 1)], s + " ★"]);
      }
    }
    if (v.rating) { entries.push(["#ececec", "rating n/a"]); }
    entries.forEach(function (e) {
      var item = el("span", { "class": "item" });
      var sw = el("span", { "class": "swatch dot" });
      sw.style.background = e[0];
      item.appendChild(sw);
      item.appendChild(document.createTextNode(e[1]));
      leg.appendChild(item);
    });
    $("bubble-note").textContent = pts.length + " categories shown" +
      (missing ? "; " + missing + " not shown (LQ or " + label(yKey).toLowerCase() + " n/a)" : "") +
      ". Click a bubble to map its category.";
  }

  /* ---------- sortable tables ---------- */
  function renderTable(table, columns, rows, sort, onSort) {
    var thead = table.tHead;
    thead.textContent = "";
    var tr = el("tr");
    columns.forEach(function (col) {
      var th = el("th", { scope: "col", "class": col.numeric ? "num" : "" });
      if (col.noSort) { th.textContent = col.label; tr.appendChild(th); return; }
      var dir = sort && sort.key === col.key ? sort.dir : 0;
      th.setAttribute("aria-sort", dir > 0 ? "ascending" : dir < 0 ? "descending" : "none");
      var button = el("button", { type: "button" }, col.label);
      button.appendChild(el("span", { "class": "arrow", "aria-hidden": "true" },
        dir > 0 ? "▲" : dir < 0 ? "▼" : "↕"));
      button.addEventListener("click", function () {
        onSort({ key: col.key, dir: dir ? -dir : (col.numeric ? -1 : 1) });
      });
      th.appendChild(button);
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    var sorted = rows.slice();
    if (sort) {
      sorted.sort(function (a, b) {
        var x = a.sortValues[sort.key], y = b.sortValues[sort.key];
        if (x === null && y === null) { return 0; }
        if (x === null) { return 1; }
        if (y === null) { return -1; }
        if (typeof x === "string") { return sort.dir * x.localeCompare(y); }
        return sort.dir * (x - y);
      });
    }
    return sorted;
  }
  function fillBody(table, columns, rows, currentTest) {
    var tbody = table.tBodies[0];
    tbody.textContent = "";
    rows.forEach(function (row, n) {
      var tr = el("tr");
      if (currentTest(row)) { tr.className = "current"; }
      columns.forEach(function (col) {
        var td = el(col.key === "name" && col.rowHeader ? "th" : "td");
        if (col.rowHeader) { td.setAttribute("scope", "row"); }
        var cell = col.cell(row, n);
        if (cell instanceof Node) { td.appendChild(cell); } else { td.textContent = cell; }
        if (col.numeric) { td.classList.add("num"); }
        if (cell === "n/a" || cell === "break") { td.classList.add("na"); }
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
  }
  function numericColumns(v) {
    var keys = ["employment", "lq", "share_of_region", "growth", "establishments"];
    return keys.filter(function (k) { return v.columns[k] !== undefined; });
  }
  function drawTopTable() {
    var v = view();
    var c = state.category;
    var keys = numericColumns(v);
    var rows = [];
    for (var r = 0; r < nR; r++) {
      var sv = { name: regions[r].name };
      var any = false;
      keys.forEach(function (k) { sv[k] = get(v, k, c, r); if (sv[k] !== null) { any = true; } });
      if (v.rating) { sv.rating = ratingValue(v, c, r); }
      if (any) { rows.push({ r: r, sortValues: sv }); }
    }
    var sort = state.topSort || { key: state.measure, dir: -1 };
    var columns = [{ key: "rank", label: "#", numeric: true, noSort: true, cell: function (row, n) { return String(n + 1); } },
      { key: "name", label: "Region", rowHeader: true, cell: function (row) {
        var b = el("button", { type: "button", "class": "linklike" },
          regions[row.r].name + (regions[row.r].name !== regions[row.r].id ? " (" + regions[row.r].id + ")" : ""));
        b.addEventListener("click", function () { selectRegion(row.r); });
        return b;
      } }];
    keys.forEach(function (k) {
      columns.push({ key: k, label: shortLabel(k), numeric: true,
        cell: function (row) { return cellText(v, k, c, row.r, row.sortValues[k]); } });
    });
    if (v.rating) {
      columns.push({ key: "rating", label: "Rating", numeric: true,
        cell: function (row) { return fmtRating(v, c, row.r); } });
    }
    var table = $("top-table");
    var sorted = renderTable(table, columns, rows, sort, function (s) { state.topSort = s; drawTopTable(); });
    var limit = state.topAll ? sorted.length : Math.min(25, sorted.length);
    fillBody(table, columns, sorted.slice(0, limit), function (row) { return row.r === state.region; });
    $("top-heading").textContent = "Regions for " + categoryName(v, c);
    $("top-caption").textContent = rows.length + " regions with data, sorted by " +
      (sort.key === "name" ? "name" : label(sort.key)) + ". Click a column header to sort.";
    var more = $("top-more");
    more.hidden = sorted.length <= 25;
    more.textContent = state.topAll ? "Show the first 25 only" : "Show all " + sorted.length + " regions";
  }
  function drawPortfolioTable() {
    var v = view();
    var r = state.region;
    var keys = numericColumns(v);
    var rows = [];
    v.categories.forEach(function (cat, c) {
      var sv = { name: cat.code };
      var any = false;
      keys.forEach(function (k) { sv[k] = get(v, k, c, r); if (sv[k] !== null) { any = true; } });
      if (v.rating) { sv.rating = ratingValue(v, c, r); }
      if (any) { rows.push({ c: c, sortValues: sv }); }
    });
    var columns = [{ key: "name", label: "Category", rowHeader: true, cell: function (row) {
      var b = el("button", { type: "button", "class": "linklike" }, categoryName(v, row.c));
      b.addEventListener("click", function () { selectCategory(row.c); });
      return b;
    } }];
    keys.forEach(function (k) {
      columns.push({ key: k, label: shortLabel(k), numeric: true,
        cell: function (row) { return cellText(v, k, row.c, r, row.sortValues[k]); } });
    });
    if (v.rating) {
      columns.push({ key: "rating", label: "Rating", numeric: true,
        cell: function (row) { return fmtRating(v, row.c, r); } });
    }
    var table = $("port-table");
    var sorted = renderTable(table, columns, rows, state.portSort,
      function (s) { state.portSort = s; drawPortfolioTable(); });
    fillBody(table, columns, sorted, function (row) { return row.c === state.category; });
    $("port-heading").textContent = "Categories of " + regions[r].name;
    $("port-caption").textContent = rows.length + " categories with data. Click a column header to sort.";
  }

  /* ---------- interaction ---------- */
  function selectRegion(i) {
    state.region = i;
    $("region-select").value = String(i);
    drawAll();
  }
  function selectCategory(c) {
    state.category = c;
    $("category-select").value = String(c);
    drawAll();
  }
  function drawAll() {
    drawMap();
    drawBubbles();
    drawTopTable();
    drawPortfolioTable();
  }
  function setView(i) {
    var old = view();
    var code = old.categories[state.category] ? old.categories[state.category].code : null;
    state.view = i;
    var v = view();
    var found = v.categories.map(function (c) { return c.code; }).indexOf(code);
    state.category = found >= 0 ? found : 0;
    if (v.measures.indexOf(state.measure) < 0) { state.measure = v.measures[0]; }
    state.topSort = null;
    fillControls();
    drawAll();
  }
  $("view-select").addEventListener("change", function (ev) { setView(Number(ev.target.value)); });
  $("category-select").addEventListener("change", function (ev) { selectCategory(Number(ev.target.value)); });
  $("measure-select").addEventListener("change", function (ev) {
    state.measure = ev.target.value;
    state.topSort = null;
    drawAll();
  });
  $("region-select").addEventListener("change", function (ev) { selectRegion(Number(ev.target.value)); });
  $("top-more").addEventListener("click", function () { state.topAll = !state.topAll; drawTopTable(); });

  state.measure = view().measures[0];
  state.category = data.initial.category || 0;
  buildMap();
  fillControls();
  drawAll();
}());
