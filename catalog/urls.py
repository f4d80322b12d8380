from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.search, name="search"),
    path("export.geojson", views.export, {"kind": "geojson"}, name="export-geojson"),
    path("export.csv", views.export, {"kind": "csv"}, name="export-csv"),
    path("aoi-file", views.aoi_file, name="aoi-file"),
    path("places", views.place_search, name="places"),
    path("coverage", views.map_coverage, name="coverage"),
]
