// The coverage layer: where the catalog has scenes, whatever the zoom. Far out, cells shaded by how many scenes
// touch them; close in, the footprints themselves. Drawn under the results and the area, taking no clicks; asked
// again while the server is still counting cells (a wide view fills in over a few requests).
const CELL = { color: "#fd7e14", weight: 0.5, opacity: 0.6, interactive: false };
const FOOTPRINT = { color: "#fd7e14", weight: 1, opacity: 0.7, fillOpacity: 0.05, interactive: false };
const RETRY_MS = 400;
const MAX_ROUNDS = 40;

export function createCoverage(map, { coverageUrl }, switcher) {
  map.createPane("coverage").style.zIndex = 300;
  const renderer = L.canvas({ pane: "coverage", padding: 0.2 });
  const layer = L.featureGroup([], { pane: "coverage" }).addTo(map);
  if (switcher) switcher.addOverlay(layer, "Catalog coverage");
  else L.control.layers(null, { "Catalog coverage": layer }).addTo(map);
  const legend = L.control({ position: "bottomright" });
  legend.onAdd = () => {
    const box = L.DomUtil.create("div", "coverage-legend leaflet-bar");
    box.id = "coverage-status";
    box.setAttribute("aria-live", "polite");
    return box;
  };
  legend.addTo(map);
  const status = document.getElementById("coverage-status");
  let asked = 0;
  let timer = null;

  function draw(answer) {
    layer.clearLayers();
    if (answer.footprints) {
      L.geoJSON(answer.footprints, { style: FOOTPRINT, renderer, pane: "coverage" }).addTo(layer);
      const total = answer.total;
      const shown = answer.footprints.features.length;
      status.textContent =
        total > shown ? `Catalog: ${total} scenes in view (${shown} outlined)` : `Catalog: ${total} scenes in view`;
      return;
    }
    const most = Math.max(1, ...answer.cells.map((cell) => cell.count));
    for (const { bbox, count } of answer.cells) {
      const [west, south, east, north] = bbox;
      const opacity = 0.15 + (0.5 * Math.log1p(count)) / Math.log1p(most);
      L.rectangle([[south, west], [north, east]], { ...CELL, fillOpacity: opacity, renderer, pane: "coverage" })
        .addTo(layer);
    }
    const scenes = answer.cells.length ? "shaded where the catalog has scenes" : "no scenes in view";
    status.textContent = answer.pending ? `Catalog: counting scenes… (${scenes} so far)` : `Catalog: ${scenes}`;
  }

  async function ask(round = 0) {
    clearTimeout(timer);
    if (!map.hasLayer(layer)) {
      status.textContent = "";
      return;
    }
    const number = ++asked;
    const view = map.getBounds();
    const bbox = [view.getWest(), view.getSouth(), view.getEast(), view.getNorth()].map((v) => v.toFixed(5));
    const query = new URLSearchParams({ bbox: bbox.join(","), zoom: map.getZoom() });
    try {
      const response = await fetch(`${coverageUrl}?${query}`, { credentials: "same-origin" });
      const answer = await response.json();
      if (number !== asked) return; // the map moved on meanwhile
      if (!response.ok) {
        status.textContent = `Catalog coverage: ${answer.error || "not available"}`;
        return;
      }
      draw(answer);
      if (answer.pending && round < MAX_ROUNDS) timer = setTimeout(() => ask(round + 1), RETRY_MS);
    } catch {
      if (number === asked) status.textContent = "Catalog coverage: not available (no connection).";
    }
  }

  map.on("moveend overlayadd overlayremove", () => ask());
  map.whenReady(() => ask());
  return { layer };
}
