from django.urls import path

from . import views

app_name = "uploads"

urlpatterns = [
    path("uploads/tus/", views.upload_create, name="create"),
    path("uploads/tus/<uuid:job_id>", views.upload_detail, name="upload"),
    path("uploads/mosaics/<str:mosaic_id>/jobs", views.job_list, name="jobs"),
    path("uploads/mosaics/<str:mosaic_id>/link", views.job_link, name="link"),
]
