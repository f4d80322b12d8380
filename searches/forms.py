"""The saved search form: a name, an optional last active day, and optionally a file of named areas."""

from django import forms
from django.conf import settings
from django.utils import timezone

from catalog.aoi_files import AOIFileError, NamedArea, named_areas_from_file


class SavedSearchForm(forms.Form):
    name = forms.CharField(max_length=100)
    active_until = forms.DateField(
        required=False, label="Active until", widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The last day it runs; empty: until it is paused or deleted.",
    )  # fmt: skip
    areas_file = forms.FileField(
        required=False, label="Areas file",
        help_text="A GeoJSON FeatureCollection, KML/KMZ or zipped Shapefile: one area per polygon.",
    )  # fmt: skip
    name_property = forms.CharField(
        required=False, max_length=100, label="Name areas by property",
        help_text="The property (Shapefile attribute, KML name or data field) naming each area; empty: numbered.",
    )  # fmt: skip

    def clean_active_until(self):
        day = self.cleaned_data["active_until"]
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError("The last active day is in the past.")
        return day

    def clean(self):
        data = super().clean()
        self.areas: list[NamedArea] | None = None
        upload = data.get("areas_file")
        if upload is not None:
            try:
                self.areas = named_areas_from_file(
                    upload.name, upload.read(settings.CATALOG_AOI_FILE_MAX_SIZE + 1),
                    name_property=data.get("name_property", "").strip(),
                )  # fmt: skip
            except AOIFileError as exc:
                self.add_error("areas_file", str(exc))
                return data
            if len(self.areas) > settings.SEARCHES_MAX_AREAS:
                self.add_error(
                    "areas_file", f"The file holds {len(self.areas)} areas; a saved search has at most "
                    f"{settings.SEARCHES_MAX_AREAS}.",
                )  # fmt: skip
        return data
