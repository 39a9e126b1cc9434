/* Country outlines under a map's data (GET /api/v1/backdrop: NUTS level 0 and the United
 * States, from the shipped boundaries). Shared by the atlas and the directory maps; a map works
 * without its backdrop, so a failed request is ignored. */
(function () {
  "use strict";
  window.clusterAtlasBackdrop = function (map, url, before) {
    map.addSource("backdrop", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({ id: "backdrop-fill", type: "fill", source: "backdrop", paint: { "fill-color": "#f7f7f4" } }, before);
    map.addLayer({ id: "backdrop-line", type: "line", source: "backdrop", paint: { "line-color": "#9aa5b1", "line-width": 0.6 } }, before);
    if (!url) { return; }
    fetch(url, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data) { map.getSource("backdrop").setData(data); map.getContainer().dataset.backdropState = "loaded"; }
      })
      .catch(function () { map.getContainer().dataset.backdropState = "failed"; });
  };
})();
