// Going to a place: a name looked up in the dashboard's gazetteer (no network beyond the dashboard) or coordinates
// "latitude, longitude". The map goes to the first place found; the others of that name are offered in a list.
// Esc closes the list.
const CITY_ZOOM = 11;

export function createPlaces(map, { placesUrl }) {
  const form = document.getElementById("place-form");
  const input = document.getElementById("place-query");
  const list = document.getElementById("place-results");
  const status = document.getElementById("place-status");

  function go(place) {
    if (place.bbox) {
      const [west, south, east, north] = place.bbox;
      map.fitBounds([[south, west], [north, east]], { padding: [20, 20], maxZoom: CITY_ZOOM });
    } else {
      map.setView([place.lat, place.lon], Math.max(map.getZoom(), CITY_ZOOM));
    }
    status.textContent = `Showing ${place.name}.`;
  }

  function close() {
    list.replaceChildren();
    list.hidden = true;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    close();
    const query = input.value.trim();
    if (!query) return;
    status.textContent = "Looking…";
    let places = [];
    try {
      const response = await fetch(`${placesUrl}?${new URLSearchParams({ q: query })}`, { credentials: "same-origin" });
      places = (await response.json()).places || [];
    } catch {
      status.textContent = "The place could not be looked up; check your connection.";
      return;
    }
    if (!places.length) {
      status.textContent = `No place named “${query}” (the gazetteer has countries and the cities of 15,000 people or more).`;
      return;
    }
    go(places[0]);
    for (const place of places.slice(1)) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-link";
      button.textContent = place.name;
      button.addEventListener("click", () => {
        go(place);
        close();
        input.focus();
      });
      item.append(button);
      list.append(item);
    }
    list.hidden = places.length < 2;
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !list.hidden && form.contains(document.activeElement)) {
      event.preventDefault();
      close();
      input.focus();
    }
  });
}
