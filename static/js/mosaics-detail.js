// The mosaic page: its tiles and its images' footprints on a map that lives outside the swapped #images table and
// redraws from the table's island after each swap. Footprint and row highlight each other; a click zooms.
import { boxBounds, createMap, island, textContent } from "./map/base.js";

const STYLE = { color: "#0d6efd", weight: 1, opacity: 0.9, fillOpacity: 0.02 };
const HOVER = { color: "#fd7e14", weight: 3, opacity: 1, fillOpacity: 0.15 };

const settings = island("mosaic-map-settings");
const { map, switcher } = createMap("mosaic-map", settings.baseMaps, { maxZoom: settings.maxZoom });
const tiles = L.tileLayer("", { maxZoom: settings.maxZoom, maxNativeZoom: 22, className: "mosaic-tiles" });
tiles.addTo(map);
switcher?.addOverlay(tiles, "Mosaic");
const footprints = L.geoJSON(null, { style: STYLE }).addTo(map);
if (settings.bounds) map.fitBounds(boxBounds(settings.bounds), { padding: [16, 16] });
else map.setView([20, 0], 2);

const rowOf = (id) => document.querySelector(`#images-table tr[data-image="${CSS.escape(id)}"]`);
const layerOf = (id) => footprints.getLayers().find((layer) => layer.feature.id === id);

function highlight(id, on) {
  const layer = layerOf(id);
  if (layer) {
    layer.setStyle(on ? HOVER : STYLE);
    if (on) layer.bringToFront();
  }
  rowOf(id)?.classList.toggle("table-active", on);
}

function redraw() {
  const data = island("images-map");
  if (!data) return;
  if (tiles._url !== data.tiles) tiles.setUrl(data.tiles);
  footprints.clearLayers();
  footprints.addData(data.features);
  footprints.eachLayer((layer) => {
    const id = layer.feature.id;
    layer.bindTooltip(textContent(layer.feature.properties.name), { sticky: true });
    layer.on("mouseover", () => highlight(id, true));
    layer.on("mouseout", () => highlight(id, false));
    layer.on("click", () => map.fitBounds(layer.getBounds(), { padding: [16, 16] }));
  });
}

// Rows: hover highlights the footprint, a click (not on a button) zooms to it.
document.addEventListener("mouseover", (event) => {
  const row = event.target.closest?.("#images-table tr[data-image]");
  if (row && !row.contains(event.relatedTarget)) highlight(row.dataset.image, true);
});
document.addEventListener("mouseout", (event) => {
  const row = event.target.closest?.("#images-table tr[data-image]");
  if (row && !row.contains(event.relatedTarget)) highlight(row.dataset.image, false);
});
document.addEventListener("click", (event) => {
  const preview = event.target.closest("[data-lightbox]");
  if (preview) {
    const lightbox = document.getElementById("lightbox");
    document.getElementById("lightbox-title").textContent = preview.dataset.title;
    document.getElementById("lightbox-image").src = preview.dataset.lightbox;
    lightbox.showModal();
    return;
  }
  const row = event.target.closest("#images-table tr[data-image]");
  if (row && !event.target.closest("button, a")) {
    const layer = layerOf(row.dataset.image);
    if (layer) map.fitBounds(layer.getBounds(), { padding: [16, 16] });
  }
});

document.getElementById("tile-url-copy").addEventListener("click", async () => {
  const input = document.getElementById("tile-url");
  const status = document.getElementById("tile-url-copied");
  try {
    await navigator.clipboard.writeText(input.value);
    status.textContent = "Copied.";
  } catch {
    input.select();
    status.textContent = "Press Ctrl+C to copy.";
  }
});

document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.elt.id === "images" || event.target.id === "images") redraw();
});
redraw();
