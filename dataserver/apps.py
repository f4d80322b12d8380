from django.apps import AppConfig


class DataserverConfig(AppConfig):
    name = "dataserver"
    verbose_name = "Self-hosted Data API"
