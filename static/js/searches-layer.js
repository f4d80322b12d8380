// The team's saved searches as a layer of the catalog map (off until chosen in the layer control): their areas, each
// with a popup naming its search and area, the count of new scenes, and a link to the search's page.
const STYLE = { color: "#fd7e14", weight: 2, fillOpacity: 0.05, dashArray: "4 4" };
const source = document.getElementById("searches-layer");

function popup(properties) {
  const box = document.createElement("div");
  const link = document.createElement("a");
  link.href = properties.url;
  link.textContent = `${properties.search}: ${properties.area}`;
  box.append(link);
  if (properties.new) {
    const count = document.createElement("div");
    count.textContent = `${properties.new} new scene${properties.new === 1 ? "" : "s"}`;
    box.append(count);
  }
  return box;
}

document.addEventListener("catalog-map-ready", async ({ detail: { map } }) => {
  const answer = await fetch(source.dataset.url, { headers: { Accept: "application/json" } });
  if (!answer.ok) return;
  const areas = await answer.json();
  if (!areas.features.length) return;
  const layer = L.geoJSON(areas, { style: STYLE, onEachFeature: (feature, path) => path.bindPopup(popup(feature.properties)) });
  L.control.layers(null, { "Saved searches": layer }, { collapsed: false, position: "bottomright" }).addTo(map);
});
