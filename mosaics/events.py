"""The names by which the parts of the mosaic pages talk to each other (views, the uploads app, templates and, through
the `mosaic-names` data island, JS), and the polling period they share."""

IMAGES_CHANGED = "mosaics-images-changed"  # an htmx event on the body: the images section redraws its rows and tiles
DIALOG_ID = "mosaic-dialog"  # the one <dialog> that create, edit, delete and the drop zone's new mosaic open
POLL_SECONDS = 3  # how often the images section asks while an image is being processed


def names() -> dict:
    return {"images_changed": IMAGES_CHANGED, "dialog_id": DIALOG_ID}
