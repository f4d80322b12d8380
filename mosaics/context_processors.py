from . import events


def mosaic_names(request) -> dict:
    """`mosaic_names` in every template: the event and dialog names of mosaics/events.py."""
    return {"mosaic_names": events.names()}
