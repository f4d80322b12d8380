// The compare page: two layers on one map, each a mosaic's tiles or a catalog scene's preview (a picture over its
// footprint, or XYZ/TMS tiles, from its provider). The right one is clipped to the right of the divider
// (leaflet-side-by-side, static/vendor) and drawn over the left one with the chosen opacity. The divider is a range
// input: Tab focuses it, the arrow keys move it. Split and opacity are kept in the URL as they change.
import { boxBounds, createMap, island } from "./map/base.js";

const settings = island("compare-map-settings");
const { map } = createMap("compare-map", settings.baseMaps, { maxZoom: settings.maxZoom });

// Each side draws in a pane of its own, the right one above: the divider clips the right one's pane.
map.createPane("compare-left").style.zIndex = 300;
map.createPane("compare-right").style.zIndex = 310;

function layerOf(side) {
  const chosen = settings[side];
  if (!chosen) return null;
  const common = { pane: `compare-${side}`, className: `compare-${side}` };
  if (chosen.kind === "mosaic") {
    return L.tileLayer(chosen.tiles, { ...common, maxZoom: settings.maxZoom, maxNativeZoom: 22 });
  }
  const bounds = chosen.bounds && boxBounds(chosen.bounds);
  const preview = chosen.preview;
  if (preview && (preview.type === "png" || preview.type === "jpg")) {
    return L.imageOverlay(preview.url, bounds, { ...common, alt: `Preview of ${chosen.name}` });
  }
  if (preview) {
    const tms = preview.type === "tms";
    return L.tileLayer(preview.url, { ...common, tms, bounds, maxNativeZoom: preview.zoom || 18, maxZoom: 22 });
  }
  return bounds ? L.rectangle(bounds, { ...common, weight: 2, fill: false }) : null;
}

const left = layerOf("left");
const right = layerOf("right");
left?.addTo(map);
right?.addTo(map);
map.getPane("compare-right").style.opacity = String(settings.opacity);

const boxes = [settings.left?.bounds, settings.right?.bounds].filter(Boolean).map(boxBounds);
if (boxes.length) map.fitBounds(boxes.reduce((all, box) => all.extend(box)), { padding: [16, 16] });
else map.setView([20, 0], 2);

function remember(name, value) {
  const url = new URL(window.location.href);
  url.searchParams.set(name, String(value));
  window.history.replaceState(null, "", url);
  const field = document.getElementById(`compare-${name}`);
  if (field) field.value = String(value);
}

// Only the right side is clipped, as a whole pane (the plugin clips what getContainer gives, which a picture
// overlay has not): the left one stays whole beneath it, so that opacity blends the two.
if (right) right.getContainer = () => map.getPane("compare-right");
L.control.sideBySide([], right ? [right] : []).addTo(map);
const divider = map.getContainer().querySelector(".leaflet-sbs-range");
divider.step = "0.01";
divider.setAttribute("aria-label", "Divider between the left and the right layer");
divider.addEventListener("input", () => remember("split", Number(divider.value).toFixed(2)));
divider.value = String(settings.split);
divider.dispatchEvent(new Event("input")); // the plugin clips on its input events
// Leaflet's keyboard handler would pan the map with the arrow keys meant for the divider.
divider.addEventListener("keydown", (event) => event.stopPropagation());

document.getElementById("compare-opacity").addEventListener("input", (event) => {
  map.getPane("compare-right").style.opacity = event.target.value;
  remember("opacity", event.target.value);
});
