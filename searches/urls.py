from django.urls import path

from . import views

app_name = "searches"

urlpatterns = [
    path("", views.saved_search_list, name="list"),
    path("new", views.saved_search_create, name="create"),
    path("areas.geojson", views.saved_areas_layer, name="areas"),
    path("<int:pk>/", views.saved_search_detail, name="detail"),
    path("<int:pk>/edit", views.saved_search_edit, name="edit"),
    path("<int:pk>/pause", views.saved_search_pause, name="pause"),
    path("<int:pk>/delete", views.saved_search_delete, name="delete"),
    path("<int:pk>/follow", views.saved_search_follow, name="follow"),
    path("<int:pk>/seen", views.scenes_seen, name="seen"),
    path("unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
]
