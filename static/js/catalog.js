// The catalog page. The map lives outside the swapped #search fragment and redraws from its islands after each swap.
// The whole search lives in the URL: the form's fields (set by the server's fragment) plus `view` (the map's
// centre and zoom). A search adds a history entry; the back button re-runs the search of the entry it returns to.
import { createAOI } from "./catalog-aoi.js";
import { createResults } from "./catalog-results.js";

const island = (id) => {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
};
const settings = island("catalog-settings");
const map = L.map("catalog-map", { zoomControl: true, worldCopyJump: false, maxZoom: settings.maxZoom });
const baseMaps = island("catalog-base-maps").map(({ name, url, options }) => [name, L.tileLayer(url, options)]);
baseMaps[0][1].addTo(map);
if (baseMaps.length > 1) L.control.layers(Object.fromEntries(baseMaps)).addTo(map);
L.control.scale({ imperial: false }).addTo(map);
document.dispatchEvent(new CustomEvent("catalog-map-ready", { detail: { map } }));

const aoi = createAOI(map, settings);
const results = createResults(map);

function viewOf(url) {
  const parts = (url.searchParams.get("view") || "").split(",").map(Number);
  return parts.length === 3 && parts.every(Number.isFinite) ? parts : null;
}

function withView(href) {
  const url = new URL(href, location.href);
  const center = map.getCenter();
  url.searchParams.set("view", [center.lat.toFixed(5), center.lng.toFixed(5), map.getZoom()].join(","));
  return url;
}

// The AOI (if the fragment brings another one) and the results, from the fragment in the page.
function redraw() {
  const input = document.getElementById("id_aoi");
  if (input && input.value !== aoi.value()) aoi.load(input.value);
  else aoi.refresh();
  results.draw(island("catalog-results"), aoi.bounds()?.getCenter().lng ?? map.getCenter().lng);
}

function setView(url) {
  const view = viewOf(url);
  if (view) map.setView([view[0], view[1]], view[2]);
  else if (aoi.bounds()) map.fitBounds(aoi.bounds(), { padding: [20, 20] });
  else map.setView([20, 0], 2);
}

let restoring = false;

document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.target.id === "search") performance.mark("catalog-response");
});
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target.id !== "search" && event.target.id !== "search") return;
  redraw();
  // Drawn once the browser has painted the new footprints and rows.
  requestAnimationFrame(() =>
    setTimeout(() => {
      performance.mark("catalog-drawn");
      performance.measure("catalog-render", "catalog-response", "catalog-drawn");
      document.dispatchEvent(new CustomEvent("catalog-results-drawn"));
    }),
  );
  const xhr = event.detail.xhr;
  if (!restoring && xhr.status === 200) {
    const url = withView(xhr.responseURL);
    if (url.href !== location.href) history.pushState({ catalog: true }, "", url);
  }
  restoring = false;
});

window.addEventListener("popstate", () => {
  restoring = true;
  const url = new URL(location.href);
  if (viewOf(url)) setView(url);
  htmx.ajax("GET", url.pathname + url.search, { target: "#search", swap: "outerHTML" });
});

map.on("moveend", () => history.replaceState(history.state, "", withView(location.href)));

aoi.load(document.getElementById("id_aoi")?.value);
setView(new URL(location.href));
redraw();
