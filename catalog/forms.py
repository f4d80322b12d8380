"""The search form: its fields are the page's query string, so a link reproduces a search. The area itself travels
in a POST and is named in the query string by its key (see views.search)."""

import json

from django import forms
from shapely.geometry import mapping

from common.aoi import InvalidGeometry, geodesic_area, geometry_from_geojson

from .areas import TooDetailed, area_for_search

# Column of the results table → the API's sortBy.
SORTS = {
    "date": "ACQUISITION_DATE",
    "cloud": "CLOUD_COVER",
    "nadir": "OFF_NADIR_ANGLE",
    "resolution": "PIXEL_RESOLUTION",
    "provider": "PROVIDER_NAME",
}
PAGE_SIZES = [100, 250, 500, 1000]
# The fields that narrow a search down (the others say which part of the results to show, and how).
FILTERS = ("date_from", "date_to", "cloud_max", "cloud_known", "res_min", "res_max", "nadir_min", "nadir_max",
           "nadir_known", "coverage_min", "product", "provider")
# A result with no value of these passes the API's filters; these fields leave it out (selectors.scene_search).
KNOWN = {"cloud_known": "cloudCover", "nadir_known": "offNadirAngle"}
PRODUCT_TYPES = [("IMAGE", "Images"), ("MOSAIC", "Mosaics")]


def km2(square_metres: float) -> str:
    return f"{square_metres / 1e6:,.0f} km²" if square_metres >= 1e7 else f"{square_metres / 1e6:,.2f} km²"


class SearchForm(forms.Form):
    aoi = forms.CharField(
        widget=forms.HiddenInput,
        error_messages={"required": "Draw an area on the map or drop a file to search in."},
    )
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    cloud_max = forms.FloatField(required=False, min_value=0, max_value=100, label="Max cloud %")
    cloud_known = forms.BooleanField(required=False, label="Only scenes with a cloud value")
    res_min = forms.FloatField(required=False, min_value=0, label="Min resolution m/px")
    res_max = forms.FloatField(required=False, min_value=0, label="Max resolution m/px")
    nadir_min = forms.FloatField(required=False, min_value=0, max_value=90, label="Min off-nadir °")
    nadir_max = forms.FloatField(required=False, min_value=0, max_value=90, label="Max off-nadir °")
    nadir_known = forms.BooleanField(required=False, label="Only scenes with an off-nadir value")
    coverage_min = forms.FloatField(required=False, min_value=0, max_value=100, label="Min AOI coverage %")
    product = forms.MultipleChoiceField(
        required=False, choices=PRODUCT_TYPES, widget=forms.CheckboxSelectMultiple, label="Product"
    )
    provider = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label="Providers")
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in SORTS], widget=forms.HiddenInput)
    order = forms.ChoiceField(required=False, choices=[("asc", "asc"), ("desc", "desc")], widget=forms.HiddenInput)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    per_page = forms.TypedChoiceField(
        required=False, coerce=int, choices=[(size, size) for size in PAGE_SIZES], label="Per page"
    )

    def __init__(self, *args, providers: list[tuple[str, str]], area_limit: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.area_limit = area_limit
        self.aoi_note: str | None = None
        self.fields["provider"].choices = providers

    def clean_aoi(self) -> dict:
        text = self.cleaned_data["aoi"]
        try:
            geometry = json.loads(text)
        except json.JSONDecodeError:
            raise forms.ValidationError("The area is not GeoJSON; draw it again or drop a file.") from None
        try:
            shape = geometry_from_geojson(geometry, name="The area")
        except InvalidGeometry as exc:
            raise forms.ValidationError(f"{exc}.") from None
        area = geodesic_area(shape)
        if self.area_limit is not None and area > self.area_limit:
            raise forms.ValidationError(
                f"The area covers {km2(area)}, more than your team's search limit of {km2(self.area_limit)}."
            )
        try:
            searched = area_for_search(shape)
        except TooDetailed as exc:
            raise forms.ValidationError(f"{exc}.") from None
        # The API gets the area cut at the antimeridian (and simplified if detailed); the map and the link keep it
        # as drawn.
        self.api_aoi = mapping(searched.geometry)
        self.aoi_note = searched.note
        return geometry

    def clean(self):
        data = super().clean()
        for low, high, what in [
            ("date_from", "date_to", "The start date is after the end date."),
            ("res_min", "res_max", "The minimum resolution is above the maximum."),
            ("nadir_min", "nadir_max", "The minimum off-nadir angle is above the maximum."),
        ]:
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self.add_error(high, what)
        return data

    @property
    def set_filters(self) -> dict[str, str]:
        """The filters this search sets, by field name: their label and value, as the page names them."""
        data = self.cleaned_data if self.is_valid() else {}
        shown = {}
        for name in FILTERS:
            value = data.get(name)
            if value in (None, [], "", False):
                continue
            if value is True:
                shown[name] = self.fields[name].label
                continue
            if isinstance(value, list):
                choices = dict(self.fields[name].choices)
                value = ", ".join(str(choices.get(item, item)) for item in value)
            elif isinstance(value, float):
                value = f"{value:g}"
            shown[name] = f"{self.fields[name].label} {value}"
        return shown

    @property
    def sort_key(self) -> str:
        return self.cleaned_data.get("sort") or "date"

    @property
    def descending(self) -> bool:
        return (self.cleaned_data.get("order") or ("desc" if self.sort_key == "date" else "asc")) == "desc"

    @property
    def page_number(self) -> int:
        return self.cleaned_data.get("page") or 1

    @property
    def page_size(self) -> int:
        return self.cleaned_data.get("per_page") or PAGE_SIZES[0]

    def known_fields(self, *, without: str | None = None) -> list[str]:
        """The fields of a result that must have a value for it to be shown (`without`: a filter to leave out)."""
        return [field for name, field in KNOWN.items() if name != without and self.cleaned_data.get(name)]

    def api_query(self, *, without: str | None = None) -> dict:
        """The request fields of POST /catalog/meta (DATA_API.md section 6), without limit and offset; `without`
        names a filter to leave out."""
        data = self.cleaned_data
        if without is not None:
            data = {**data, without: self.fields[without].to_python(None)}
        query = {
            "aoi": self.api_aoi,
            "acquisitionDateFrom": data["date_from"] and f"{data['date_from'].isoformat()}T00:00:00Z",
            "acquisitionDateTo": data["date_to"] and f"{data['date_to'].isoformat()}T23:59:59Z",
            "maxCloudCover": data["cloud_max"],
            "minResolution": data["res_min"],
            "maxResolution": data["res_max"],
            "minOffNadirAngle": data["nadir_min"],
            "maxOffNadirAngle": data["nadir_max"],
            "minAoiIntersectionPercent": data["coverage_min"],
            "productTypes": data["product"] or None,
            "dataProviders": data["provider"] or None,
            "sortBy": SORTS[self.sort_key],
            "sortOrder": "DESC" if self.descending else "ASC",
        }
        return {name: value for name, value in query.items() if value is not None}
