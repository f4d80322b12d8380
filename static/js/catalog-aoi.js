// The area of interest: drawn (polygons, rectangles; several make a multi-part area), edited, cleared, or read from a
// dropped file by the server (which simplifies a detailed one and says so). Its geodesic area is shown live and
// checked against the team's search limit. The area lives in the search form's hidden `aoi` input as GeoJSON; the
// form POSTs it, and the page's URL names it by the key the server keeps it under.
// Without a mouse, an area is typed or pasted (a box, GeoJSON or WKT, read by the server as a file is), or is the
// map's view. Not interactive: the footprints under it take the mouse; "Clear area" removes it.
const STYLE = { color: "#6f42c1", weight: 2, fillOpacity: 0.08, interactive: false };

function csrfToken() {
  return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
}

function round(value) {
  return Math.round(value * 1e6) / 1e6;
}

// Polygons as GeoJSON coordinates, each moved by whole turns so that its first vertex lies within [-180, 180]
// (an area across the antimeridian keeps longitudes beyond ±180; the server cuts it there).
function polygonsOf(layer) {
  const geometry = layer.toGeoJSON().geometry;
  const polygons = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
  return polygons.map((rings) => {
    const shift = -360 * Math.round(rings[0][0][0] / 360);
    return rings.map((ring) => ring.map(([lng, lat]) => [round(lng + shift), round(lat)]));
  });
}

function ringArea(ring) {
  return L.GeometryUtil.geodesicArea(ring.map(([lng, lat]) => L.latLng(lat, lng)));
}

export function formatArea(squareMetres) {
  const km2 = squareMetres / 1e6;
  return `${km2.toLocaleString("en-US", { maximumFractionDigits: km2 >= 10 ? 0 : 2 })} km²`;
}

export function createAOI(map, { areaLimit, areaLimitText, aoiFileUrl, onChange = () => {} }) {
  const group = L.featureGroup().addTo(map);
  map.addControl(
    new L.Control.Draw({
      position: "topleft",
      draw: {
        polygon: { allowIntersection: false, showArea: false, shapeOptions: STYLE },
        rectangle: { showArea: false, shapeOptions: STYLE },
        polyline: false,
        circle: false,
        marker: false,
        circlemarker: false,
      },
      edit: { featureGroup: group, remove: false },
    }),
  );

  function geometry() {
    const polygons = group.getLayers().flatMap(polygonsOf);
    if (polygons.length === 0) return null;
    return polygons.length === 1
      ? { type: "Polygon", coordinates: polygons[0] }
      : { type: "MultiPolygon", coordinates: polygons };
  }

  function area() {
    return group
      .getLayers()
      .flatMap(polygonsOf)
      .reduce((sum, [outer, ...holes]) => sum + ringArea(outer) - holes.reduce((s, hole) => s + ringArea(hole), 0), 0);
  }

  function showError(text) {
    const error = document.getElementById("aoi-error");
    if (error) error.textContent = text;
  }

  function showNote(text) {
    const note = document.getElementById("aoi-note");
    if (note) note.textContent = text || "";
  }

  // The area's text, the over-limit flag and the Search button, from the layers on the map.
  function refresh() {
    const control = document.getElementById("aoi-control");
    const label = document.getElementById("aoi-area");
    const submit = document.getElementById("search-submit");
    if (!control || !label) return;
    const size = group.getLayers().length ? area() : null;
    const over = size !== null && areaLimit && size > areaLimit;
    control.classList.toggle("over-limit", Boolean(over));
    label.textContent =
      size === null ? "No area yet: draw one on the map, or drop a file on it." : `Area: ${formatArea(size)}`;
    if (over) showError(`This area is over your team's search limit of ${areaLimitText}; draw a smaller one.`);
    if (submit) submit.disabled = Boolean(over);
    return over;
  }

  // After a change by the user: the form gets the new area and loses the errors about the old one.
  function changed() {
    const input = document.getElementById("id_aoi");
    const value = geometry();
    if (input) input.value = value ? JSON.stringify(value) : "";
    showError("");
    showNote("");
    refresh();
    onChange();
  }

  function load(text) {
    group.clearLayers();
    let value = null;
    try {
      value = text ? JSON.parse(text) : null;
    } catch {
      value = null;
    }
    if (value && (value.type === "Polygon" || value.type === "MultiPolygon")) {
      const polygons = value.type === "Polygon" ? [value.coordinates] : value.coordinates;
      for (const rings of polygons) {
        group.addLayer(L.polygon(L.GeoJSON.coordsToLatLngs(rings, 1), STYLE));
      }
    }
    refresh();
  }

  // The area of a file, or of typed text, as the server reads it (with the rules of an area file).
  async function read(body, what) {
    showError("");
    document.getElementById("aoi-area").textContent = `Reading ${what}…`;
    try {
      const response = await fetch(aoiFileUrl, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": csrfToken() },
        credentials: "same-origin",
      });
      const answer = await response.json();
      if (!response.ok) {
        refresh();
        showError(answer.error || `${what} could not be read.`);
        return false;
      }
      load(JSON.stringify(answer.geometry));
      changed();
      showNote(answer.note);
      map.fitBounds(group.getBounds(), { padding: [20, 20] });
      return true;
    } catch {
      refresh();
      showError(`${what} could not be sent; check your connection.`);
      return false;
    }
  }

  function readFile(file) {
    const body = new FormData();
    body.append("file", file);
    return read(body, file.name);
  }

  function readText(text) {
    const body = new FormData();
    body.append("text", text);
    return read(body, "the typed area");
  }

  // The map's view as the area (the latitudes Web Mercator shows, a view wider than the world cut to one turn).
  function useView() {
    const view = map.getBounds();
    const west = view.getWest();
    const east = Math.min(view.getEast(), west + 360);
    const south = Math.max(view.getSouth(), -85);
    const north = Math.min(view.getNorth(), 85);
    group.clearLayers();
    group.addLayer(L.rectangle([[south, west], [north, east]], STYLE));
    changed();
  }

  map.on(L.Draw.Event.CREATED, (event) => {
    group.addLayer(event.layer);
    changed();
  });
  map.on(`${L.Draw.Event.EDITED} ${L.Draw.Event.DELETED}`, changed);
  map.on(`${L.Draw.Event.EDITVERTEX} ${L.Draw.Event.EDITMOVE} ${L.Draw.Event.EDITRESIZE}`, refresh);

  document.addEventListener("click", async (event) => {
    if (event.target.closest("#aoi-clear")) {
      group.clearLayers();
      changed();
    }
    if (event.target.closest("#aoi-view")) useView();
    if (event.target.closest("#aoi-text-use")) {
      const text = document.getElementById("aoi-text");
      if (!text.value.trim()) {
        showError("Type an area first: a box “west, south, east, north”, GeoJSON or WKT.");
        text.focus();
      } else if (!(await readText(text.value))) {
        text.focus();
      }
    }
  });
  document.addEventListener("change", (event) => {
    if (event.target.id === "aoi-file" && event.target.files.length) {
      readFile(event.target.files[0]);
      event.target.value = "";
    }
  });
  const container = map.getContainer();
  container.addEventListener("dragover", (event) => {
    event.preventDefault();
    container.classList.add("drop-target");
  });
  container.addEventListener("dragleave", () => container.classList.remove("drop-target"));
  container.addEventListener("drop", (event) => {
    event.preventDefault();
    container.classList.remove("drop-target");
    if (event.dataTransfer.files.length) readFile(event.dataTransfer.files[0]);
  });

  return {
    load,
    refresh,
    value: () => JSON.stringify(geometry()),
    bounds: () => (group.getLayers().length ? group.getBounds() : null),
  };
}
