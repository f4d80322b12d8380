// Shared by the map pages: reading json_script islands, and a Leaflet map with the site's base maps.
// Leaflet itself is the classic script django-leaflet ships (static "leaflet/leaflet.js"), loaded before the modules.

// The parsed JSON of a `json_script` island, or null when the page has none with this id.
export function island(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
}

// A map in `elementId` with the base maps of the settings (`[{name, url, options}]`, the first one shown),
// a layer switcher when there are several, and a metric scale. Returns the map and the layer switcher (or null).
export function createMap(elementId, baseMaps, options = {}) {
  const map = L.map(elementId, { zoomControl: true, ...options });
  const layers = baseMaps.map(({ name, url, options: layerOptions }) => [name, L.tileLayer(url, layerOptions)]);
  if (layers.length) layers[0][1].addTo(map);
  const switcher = layers.length > 1 ? L.control.layers(Object.fromEntries(layers)).addTo(map) : null;
  L.control.scale({ imperial: false }).addTo(map);
  return { map, switcher };
}

// Leaflet bounds of a [west, south, east, north] box.
export function boxBounds([west, south, east, north]) {
  return L.latLngBounds([south, west], [north, east]);
}

// A tooltip or popup content that shows `text` as text: Leaflet reads a string as HTML, and names come from users.
export function textContent(text) {
  const span = document.createElement("span");
  span.textContent = text ?? "";
  return span;
}

// Puts `text` on the clipboard; true when it got there.
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const input = document.createElement("textarea");
    input.value = text;
    input.setAttribute("readonly", "");
    input.className = "visually-hidden";
    document.body.append(input);
    input.select();
    const copied = document.execCommand("copy");
    input.remove();
    return copied;
  }
}
