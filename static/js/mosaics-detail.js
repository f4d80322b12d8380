// The mosaic page: its tiles and its images' footprints on a map that lives outside the swapped #images table and
// redraws from the table's island after each swap (fitting a new image in while the user has not moved the map).
// Footprint and row highlight each other; a click zooms.
// Originals download from the Data API's signed links (see downloadOriginals).
import { alertError } from "./alerts.js";
import { boxBounds, createMap, island, textContent } from "./map/base.js";

const STYLE = { color: "#0d6efd", weight: 1, opacity: 0.9, fillOpacity: 0.02 };
const HOVER = { color: "#fd7e14", weight: 3, opacity: 1, fillOpacity: 0.15 };

const settings = island("mosaic-map-settings");
const { map, switcher } = createMap("mosaic-map", settings.baseMaps, { maxZoom: settings.maxZoom });
const tiles = L.tileLayer("", { maxZoom: settings.maxZoom, className: "mosaic-tiles" });
tiles.addTo(map);
switcher?.addOverlay(tiles, "Mosaic");
const footprints = L.geoJSON(null, { style: STYLE }).addTo(map);

// The view the page itself last gave the map: while the map is still there, the user has not moved it, and a new
// image makes the map fit the whole mosaic; a view of the user's own is left alone.
let placed = null;
const viewOf = () => `${map.getZoom()}/${map.getCenter().lat.toFixed(7)}/${map.getCenter().lng.toFixed(7)}`;
function place(bounds) {
  if (bounds) map.fitBounds(bounds, { padding: [16, 16], animate: false });
  else map.setView([20, 0], 2, { animate: false });
  placed = viewOf();
}
place(settings.bounds ? boxBounds(settings.bounds) : null);
let shown = null; // the ids of the images on the map

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
  const ids = new Set(data.features.map((feature) => feature.id));
  const added = shown !== null && [...ids].some((id) => !shown.has(id));
  shown = ids;
  if (added && viewOf() === placed) place(footprints.getBounds());
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
  if (row && !event.target.closest("button, a, input")) {
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

// Originals: a link on each image's row, and "Download selected originals" for the ticked ones. The dashboard answers
// each with the Data API's download link (which holds no credentials and expires), and the browser downloads from it
// straight; without this script the link itself redirects there. The choice survives the table's refreshes.
const chosen = new Set();
const PAUSE_MS = 400; // between two downloads: a browser may drop downloads started in the same instant

const originalBoxes = () => [...document.querySelectorAll('#images-table input[name="original"]')];

async function originalLink(url) {
  let answer;
  try {
    answer = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  } catch {
    throw new Error("The dashboard cannot be reached; check your connection.");
  }
  const body = await answer.json().catch(() => ({}));
  if (!answer.ok || !body.url) throw new Error(body.error || `The original could not be had (HTTP ${answer.status}).`);
  return body;
}

function startDownload({ url, filename }) {
  const link = document.createElement("a");
  link.href = url;
  link.download = filename || "";
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
}

async function downloadOriginals(urls) {
  const status = document.getElementById("download-status");
  let started = 0;
  for (const [index, url] of urls.entries()) {
    if (index) await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    try {
      startDownload(await originalLink(url));
      started += 1;
    } catch (error) {
      alertError(error.message);
    }
    if (status) status.textContent = `Started ${started} of ${urls.length} download${urls.length === 1 ? "" : "s"}.`;
  }
}

function showChoice() {
  const boxes = originalBoxes();
  for (const id of [...chosen]) if (!boxes.some((box) => box.value === id)) chosen.delete(id);
  for (const box of boxes) box.checked = chosen.has(box.value);
  const all = document.getElementById("select-all-originals");
  if (all) all.checked = boxes.length > 0 && boxes.every((box) => box.checked);
  const button = document.getElementById("download-selected");
  if (button) button.disabled = chosen.size === 0;
}

document.addEventListener("change", (event) => {
  if (event.target.matches('#images-table input[name="original"]')) {
    if (event.target.checked) chosen.add(event.target.value);
    else chosen.delete(event.target.value);
  } else if (event.target.id === "select-all-originals") {
    for (const box of originalBoxes()) {
      if (event.target.checked) chosen.add(box.value);
      else chosen.delete(box.value);
    }
  } else return;
  showChoice();
});

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-original]");
  if (link) {
    event.preventDefault();
    downloadOriginals([link.dataset.original]);
  } else if (event.target.closest("#download-selected")) {
    downloadOriginals(originalBoxes().filter((box) => box.checked).map((box) => box.dataset.original));
  }
});

document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.elt.id === "images" || event.target.id === "images") {
    redraw();
    showChoice();
  }
});
redraw();
showChoice();
