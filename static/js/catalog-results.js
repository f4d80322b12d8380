import { copyText } from "./map/base.js";

// Search results on the map: footprints on one canvas, linked both ways with the rows of the results table; a click
// on overlapping footprints offers a pick-list; the selected scene shows its metadata and its preview.
const STYLE = { color: "#0d6efd", weight: 1, opacity: 0.8, fillOpacity: 0.04 };
const HOVER = { color: "#fd7e14", weight: 3, opacity: 1, fillOpacity: 0.2 };
const SELECTED = { color: "#dc3545", weight: 3, opacity: 1, fillOpacity: 0 };
// `shown` holds the values as the server formats them for the table (one home for the rounding).
const FIELDS = [
  ["Scene", (p) => p.shown.name !== p.shown.id && p.shown.name],
  ["Date", (p) => known(p.shown.date)],
  ["Provider", (p) => known(p.shown.provider)],
  ["Product", (p) => p.productType],
  ["Sensor", (p) => p.sensor],
  ["Satellite", (p) => p.satId],
  ["Resolution", (p) => known(p.shown.resolution) && `${p.shown.resolution} m/px`],
  ["Cloud cover", (p) => known(p.shown.cloud) && `${p.shown.cloud} %`],
  ["Off-nadir", (p) => known(p.shown.nadir) && `${p.shown.nadir}°`],
  ["AOI coverage", (p) => known(p.shown.coverage) && `${p.shown.coverage} %`],
  ["Bands", (p) => p.colorBandOrder],
  ["Preview", (p) => p.previewType],
];

function known(text) {
  return text && text !== "–" ? text : null;
}

function rowOf(id) {
  return document.querySelector(`#results-table tr[data-scene="${CSS.escape(id)}"]`);
}

// Even-odd test over every ring of the footprint (holes and parts included).
function contains(layer, latlng) {
  if (!layer.getBounds().contains(latlng)) return false;
  let inside = false;
  const rings = [];
  const collect = (list) => (L.LineUtil.isFlat(list) ? rings.push(list) : list.forEach(collect));
  collect(layer.getLatLngs());
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[i];
      const b = ring[j];
      const crosses = a.lat > latlng.lat !== b.lat > latlng.lat;
      if (crosses && latlng.lng < ((b.lng - a.lng) * (latlng.lat - a.lat)) / (b.lat - a.lat) + a.lng) inside = !inside;
    }
  }
  return inside;
}

// Row thumbnails are made for the rows in view only (a page of a thousand rows would otherwise parse, and ask
// for, a thousand pictures): rows have one height, so those in view follow from the scroll position.
function showThumbnails() {
  const scroll = document.querySelector("#search .results-scroll");
  const rows = scroll?.querySelectorAll("#results-table tbody tr");
  if (!rows?.length) return;
  const height = rows[0].getBoundingClientRect().height || 28;
  const header = scroll.querySelector("thead").getBoundingClientRect().height;
  const first = Math.max(0, Math.floor((scroll.scrollTop - header) / height) - 2);
  const last = Math.min(rows.length, first + Math.ceil(scroll.clientHeight / height) + 4);
  for (let index = first; index < last; index++) {
    const cell = rows[index].querySelector("td.thumb[data-src]");
    if (!cell) continue;
    const img = document.createElement("img");
    img.alt = "";
    img.width = img.height = 24;
    img.src = cell.dataset.src;
    cell.removeAttribute("data-src");
    cell.append(img);
  }
}

export function createResults(map, { onSelect = () => {} } = {}) {
  const renderer = L.canvas({ padding: 0.5, tolerance: 2 });
  map.createPane("preview").style.zIndex = 350;
  const group = L.featureGroup().addTo(map);
  const scenes = new Map();
  let hovered = null;
  let selected = null;
  let preview = null;
  let wanted = null; // a scene to select once results that hold it are drawn (the one named in the page's link)

  function styleOf(id) {
    if (id === selected) return SELECTED;
    return id === hovered ? HOVER : STYLE;
  }

  function hover(id, fromMap) {
    if (hovered === id) return;
    const previous = hovered;
    hovered = id;
    for (const other of [previous, id]) {
      const scene = other && scenes.get(other);
      if (!scene) continue;
      scene.layer.setStyle(styleOf(other));
      rowOf(other)?.classList.toggle("hovered", other === id);
    }
    if (id && scenes.has(id)) {
      if (id !== selected) scenes.get(id).layer.bringToFront();
      if (fromMap) rowOf(id)?.scrollIntoView({ block: "nearest" });
    }
  }

  function showPreview(properties, layer) {
    const note = document.getElementById("scene-preview");
    if (preview) preview.remove();
    preview = null;
    const { previewType: kind, previewUrl: url, zoom } = properties;
    if (!url) {
      note.textContent = "This scene has no preview.";
      return;
    }
    const failed = () => (note.textContent = "The preview could not be loaded.");
    if (kind === "png" || kind === "jpg") {
      preview = L.imageOverlay(url, layer.getBounds(), { pane: "preview", alt: "Preview of the scene" });
      preview.once("error", failed);
    } else if (kind === "xyz" || kind === "tms") {
      preview = L.tileLayer(url, {
        pane: "preview",
        tms: kind === "tms",
        bounds: layer.getBounds(),
        maxNativeZoom: zoom || 18,
        maxZoom: map.getMaxZoom(),
      });
      preview.once("tileerror", failed);
    } else {
      note.textContent = `Previews of type ${kind} cannot be shown.`;
      return;
    }
    note.textContent = "Preview shown on the map.";
    preview.addTo(map);
  }

  function select(id) {
    const previous = selected;
    selected = id;
    if (previous && scenes.has(previous)) {
      scenes.get(previous).layer.setStyle(styleOf(previous));
      rowOf(previous)?.removeAttribute("aria-selected");
    }
    const panel = document.getElementById("scene-details");
    const scene = id && scenes.get(id);
    if (!scene) {
      const wasOpen = !panel.hidden;
      panel.hidden = true;
      if (preview) preview.remove();
      preview = null;
      selected = null;
      if (previous) onSelect(null);
      // The focus goes back to where the scene came from, not to the page's top.
      if (wasOpen && previous && panel.contains(document.activeElement)) rowOf(previous)?.focus();
      return;
    }
    scene.layer.setStyle(SELECTED).bringToFront();
    const row = rowOf(id);
    row?.setAttribute("aria-selected", "true");
    row?.scrollIntoView({ block: "nearest" });
    const meta = document.getElementById("scene-meta");
    meta.replaceChildren();
    for (const [label, value] of FIELDS) {
      const text = value(scene.properties);
      if (!text) continue;
      const term = document.createElement("dt");
      const detail = document.createElement("dd");
      term.textContent = label;
      detail.textContent = text;
      meta.append(term, detail);
    }
    document.getElementById("scene-id").value = id;
    const thumb = document.getElementById("scene-thumb");
    thumb.hidden = !scene.properties.shown.thumbnail;
    if (scene.properties.shown.thumbnail) thumb.src = scene.properties.shown.thumbnail;
    else thumb.removeAttribute("src");
    panel.hidden = false;
    showPreview(scene.properties, scene.layer);
    if (id !== previous) onSelect(id);
  }

  function pick(latlng) {
    const hits = [...scenes.entries()].filter(([, scene]) => contains(scene.layer, latlng));
    if (hits.length <= 1) {
      if (hits.length) select(hits[0][0]);
      return;
    }
    const list = document.createElement("ul");
    list.className = "scene-pick";
    list.setAttribute("aria-label", `${hits.length} scenes here`);
    const popup = L.popup({ maxWidth: 320 });
    for (const [id, scene] of hits) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      const p = scene.properties;
      button.type = "button";
      button.className = "btn btn-sm btn-link";
      const cloud = known(p.shown.cloud) && `${p.shown.cloud} % cloud`;
      button.textContent = [p.shown.name, known(p.shown.date), p.shown.provider, cloud].filter(Boolean).join(" · ");
      button.addEventListener("mouseenter", () => hover(id, true));
      button.addEventListener("click", () => {
        map.closePopup(popup);
        select(id);
      });
      item.append(button);
      list.append(item);
    }
    popup.setLatLng(latlng).setContent(list).openOn(map);
  }

  // The footprints of a FeatureCollection, each part moved by whole turns to lie nearest `nearLng`.
  function draw(collection, nearLng = 0) {
    group.clearLayers();
    scenes.clear();
    hovered = null;
    const keep = selected || wanted;
    wanted = null;
    for (const feature of collection?.features || []) {
      const geometry = feature.geometry;
      if (!geometry) continue;
      const polygons = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
      const latlngs = polygons.map((rings) => {
        const shift = 360 * Math.round((nearLng - rings[0][0][0]) / 360);
        return rings.map((ring) => ring.map(([lng, lat]) => [lat, lng + shift]));
      });
      const layer = L.polygon(latlngs.length === 1 ? latlngs[0] : latlngs, { ...STYLE, renderer });
      layer.sceneId = feature.id;
      scenes.set(feature.id, { layer, properties: feature.properties });
      group.addLayer(layer);
    }
    select(keep && scenes.has(keep) ? keep : null);
    showThumbnails();
  }

  let thumbnailsAsked = false;
  document.addEventListener(
    "scroll",
    (event) => {
      if (thumbnailsAsked || !event.target.classList?.contains("results-scroll")) return;
      thumbnailsAsked = true;
      requestAnimationFrame(() => {
        thumbnailsAsked = false;
        showThumbnails();
      });
    },
    { capture: true, passive: true },
  );

  group.on("mouseover", (event) => hover(event.layer.sceneId, true));
  group.on("mouseout", (event) => hovered === event.layer.sceneId && hover(null, true));
  group.on("click", (event) => {
    L.DomEvent.stopPropagation(event);
    pick(event.latlng);
  });

  const sceneRow = (event) => event.target.closest?.("#results-table tbody tr[data-scene]");
  document.addEventListener("mouseover", (event) => {
    const row = sceneRow(event);
    if (row) hover(row.dataset.scene, false);
  });
  document.addEventListener("mouseout", (event) => {
    const row = sceneRow(event);
    if (row && !row.contains(event.relatedTarget)) hover(null, false);
  });
  document.addEventListener("click", (event) => {
    const row = sceneRow(event);
    if (row) select(row.dataset.scene);
    if (event.target.closest("#scene-close")) select(null);
    if (event.target.closest("#scene-copy")) copyId();
  });
  document.addEventListener("keydown", (event) => {
    const row = sceneRow(event);
    if (row && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      select(row.dataset.scene);
    }
  });

  async function copyId() {
    const button = document.getElementById("scene-copy");
    await copyText(document.getElementById("scene-id").value);
    button.textContent = "Copied";
    setTimeout(() => (button.textContent = "Copy id"), 1500);
  }

  // Esc closes the scene panel, wherever the focus is (an open pick-list first: Leaflet closes it).
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    if (map._popup?.isOpen?.()) {
      event.preventDefault();
      map.closePopup();
      return;
    }
    if (selected) {
      event.preventDefault();
      select(null);
    }
  });

  return {
    draw,
    select,
    want: (id) => (wanted = id),
    selected: () => selected,
    bounds: () => (scenes.size ? group.getBounds() : null),
  };
}
