// The compare page: two mosaics' tiles on one map. The right one is clipped to the right of the divider
// (leaflet-side-by-side, static/vendor) and drawn over the left one with the chosen opacity. The divider is a range
// input: Tab focuses it, the arrow keys move it. Split and opacity are kept in the URL as they change.
import { boxBounds, createMap, island } from "./map/base.js";

const settings = island("compare-map-settings");
const { map } = createMap("compare-map", settings.baseMaps, { maxZoom: settings.maxZoom });

function tiles(side) {
  const chosen = settings[side];
  if (!chosen) return null;
  return L.tileLayer(chosen.tiles, { maxZoom: settings.maxZoom, maxNativeZoom: 22, className: `compare-${side}` });
}

const left = tiles("left");
const right = tiles("right");
left?.addTo(map);
right?.setOpacity(settings.opacity).addTo(map);

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

// Only the right mosaic is clipped: the left one stays whole beneath it, so that opacity blends the two.
L.control.sideBySide([], right ? [right] : []).addTo(map);
const divider = map.getContainer().querySelector(".leaflet-sbs-range");
divider.step = "0.01";
divider.setAttribute("aria-label", "Divider between the left and the right mosaic");
divider.addEventListener("input", () => remember("split", Number(divider.value).toFixed(2)));
divider.value = String(settings.split);
divider.dispatchEvent(new Event("input")); // the plugin clips on its input events
// Leaflet's keyboard handler would pan the map with the arrow keys meant for the divider.
divider.addEventListener("keydown", (event) => event.stopPropagation());

document.getElementById("compare-opacity").addEventListener("input", (event) => {
  right?.setOpacity(Number(event.target.value));
  remember("opacity", event.target.value);
});
