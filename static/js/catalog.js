// The catalog page. The map lives outside the swapped #search fragment and redraws from its islands after each swap.
// The whole search lives in the URL: the form's fields (set by the server's fragment) plus `view` (the map's
// centre and zoom) and `scene` (the selected one). A search adds a history entry; the back button re-runs the search
// of the entry it returns to.
import { createAOI } from "./catalog-aoi.js";
import { createCoverage } from "./catalog-coverage.js";
import { createPlaces } from "./catalog-places.js";
import { createResults } from "./catalog-results.js";
import { copyText, createMap, island } from "./map/base.js";

const settings = island("catalog-settings");
const linkedScene = new URL(location.href).searchParams.get("scene"); // (read before the map's moves rewrite the URL)
const { map, switcher } = createMap("catalog-map", island("catalog-base-maps"), { worldCopyJump: false, maxZoom: settings.maxZoom });
document.dispatchEvent(new CustomEvent("catalog-map-ready", { detail: { map } }));

// The page's URL for `href` with the map's view and the selected scene.
function current(href) {
  const url = new URL(href, location.href);
  const center = map.getCenter();
  url.searchParams.set("view", [center.lat.toFixed(5), center.lng.toFixed(5), map.getZoom()].join(","));
  const scene = results.selected();
  if (scene) url.searchParams.set("scene", scene);
  else url.searchParams.delete("scene");
  return url;
}

const results = createResults(map, {
  onSelect: () => history.replaceState(history.state, "", current(location.href)),
});
// A new area makes the results of the old one stale: they go (the link still names the last search).
const aoi = createAOI(map, { ...settings, onChange: () => clearResults() });
createPlaces(map, settings);
createCoverage(map, settings, switcher);

function clearResults() {
  document.querySelectorAll("#search .results, #search .results-action, #catalog-results").forEach((el) => el.remove());
  results.draw(null);
}

function viewOf(url) {
  const parts = (url.searchParams.get("view") || "").split(",").map(Number);
  return parts.length === 3 && parts.every(Number.isFinite) ? parts : null;
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
    const url = current(xhr.responseURL);
    if (url.href !== location.href) history.pushState({ catalog: true }, "", url);
  }
  restoring = false;
});

window.addEventListener("popstate", () => {
  restoring = true;
  const url = new URL(location.href);
  results.want(url.searchParams.get("scene"));
  if (viewOf(url)) setView(url);
  htmx.ajax("GET", url.pathname + url.search, { target: "#search", swap: "outerHTML" });
});

map.on("moveend", () => history.replaceState(history.state, "", current(location.href)));

// A sort or page link searches with the form as it is now, edits not yet searched included; Search starts at page 1.
document.addEventListener("click", (event) => {
  const form = document.getElementById("search-form");
  if (event.target.closest("#search-form button[type=submit]")) form.elements.namedItem("page").value = "";
  const link = event.target.closest("#search a[data-sort], #search a[data-page]");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  const field = (name) => form.elements.namedItem(name);
  if (link.dataset.sort) {
    field("sort").value = link.dataset.sort;
    field("order").value = link.dataset.order;
    field("page").value = "";
  } else {
    field("page").value = link.dataset.page;
  }
  form.requestSubmit();
});

document.addEventListener("click", async (event) => {
  if (!event.target.closest("#share")) return;
  const status = document.getElementById("share-status");
  const link = current(location.href).href;
  status.textContent = (await copyText(link)) ? "Link copied." : `Copy this link: ${link}`;
});

// Esc folds the open part of the panel (the filters, the typed area) that has the focus.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || event.defaultPrevented) return;
  const part = document.activeElement?.closest?.("#search details[open]");
  if (!part) return;
  event.preventDefault();
  part.open = false;
  part.querySelector("summary").focus();
});

aoi.load(document.getElementById("id_aoi")?.value);
setView(new URL(location.href));
results.want(linkedScene);
redraw();
