from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import accounts, views

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include(accounts.urlpatterns)),
    path("", include("teams.urls")),
    path("catalog/", include("catalog.urls")),
    path("searches/", include("searches.urls")),
    path("", include("mosaics.urls")),
    path("", include("uploads.urls")),
]

if settings.DATASERVER_ENABLED:
    from dataserver.api import api as dataserver_api
    from dataserver.rasters import views as dataserver_views

    urlpatterns += [
        path("rest/", dataserver_api.urls),
        path("api/v0/cogs/tiles/<int:z>/<int:x>/<int:y>.png", dataserver_views.tile, name="dataserver-tile"),
        path("api/v0/cogs/tiles.json", dataserver_views.tilejson, name="dataserver-tilejson"),
    ]
