from django.apps import AppConfig


class MosaicsConfig(AppConfig):
    name = "mosaics"
    verbose_name = "Mosaics"
