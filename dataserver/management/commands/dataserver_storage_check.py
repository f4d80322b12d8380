"""Whether the imagery store and the database agree.

    dataserver_storage_check [--repair] [--grace SECONDS]

Lists the objects that no image owns (left by a crash between a write and its row, or written by hand) and the images
whose objects are missing. Objects younger than the grace period (default an hour) are not listed: an upload writes
its original before its row. With --repair: such objects are deleted; an image whose original is missing is deleted
(nothing can be made of it again); missing previews are drawn again from the original, and a missing COG is built
again. Exits with status 1 when it found a problem and did not repair it.
"""

import sys
from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from shapely import wkt

from dataserver.models import Image
from dataserver.rasters import inspection, services
from dataserver.storage import PREVIEW_SIZES, image_files, key_owner, store


class Command(BaseCommand):
    help = "List objects of the imagery store that no image owns and images whose objects are missing; --repair."

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="delete unowned objects, rebuild or drop the rest")
        parser.add_argument("--grace", type=float, default=3600, help="seconds an unowned object may be in flight")

    def handle(self, *args, repair: bool, grace: float, **options):
        imagery = store()
        stored = {item.key: item for item in imagery.objects()}
        images = {image.id: image for image in Image.objects.select_related("mosaic")}
        younger = datetime.now(UTC) - timedelta(seconds=grace)
        unowned = sorted(
            key for key, item in stored.items() if item.modified < younger and not _owned(key, images)
        )
        missing = []
        for image in images.values():
            files = image_files(image)
            wanted = [files.original, *(files.preview(size) for size in PREVIEW_SIZES)]
            wanted += [files.cog] if image.cog_ready else []
            missing += [(image, key) for key in wanted if key not in stored]
        for key in unowned:
            self.stdout.write(f"unowned object: {imagery.uri(key)}")
        for image, key in missing:
            self.stdout.write(f"missing object of image {image.id}: {imagery.uri(key)}")
        if not unowned and not missing:
            self.stdout.write("The imagery store and the database agree.")
            return
        if not repair:
            self.stdout.write(f"{len(unowned)} unowned, {len(missing)} missing; run with --repair to fix")
            sys.exit(1)
        imagery.delete(unowned)
        for image in {image.id: image for image, _ in missing}.values():
            self._repair(image, {key for owner, key in missing if owner.id == image.id})
        self.stdout.write(f"Repaired: {len(unowned)} unowned objects deleted, {len(missing)} missing objects dealt with")

    def _repair(self, image: Image, missing: set[str]) -> None:
        files = image_files(image)
        if files.original in missing:
            with transaction.atomic():
                image.delete()
                services.mosaic_refresh_footprint(mosaic=image.mosaic)
            files.delete()
            self.stdout.write(f"deleted image {files.image_id}: its original is gone")
            return
        if any(files.preview(size) in missing for size in PREVIEW_SIZES):
            info = inspection.RasterInfo(image.meta_data, wkt.loads(image.footprint), image.band_indexes, None)
            inspection.previews_write(
                files.original, info, {size: files.preview(size) for size in PREVIEW_SIZES},
                filename=image.filename, time_limit=float("inf"),
            )
            self.stdout.write(f"drew the previews of image {image.id} again")
        if files.cog in missing:
            Image.objects.filter(id=image.id).update(cog_ready=False, cog_error="")
            services.queue_cog_build(image.id)
            self.stdout.write(f"queued the COG build of image {image.id} again")


def _owned(key: str, images: dict) -> bool:
    owner = key_owner(key)
    if owner is None:
        return False
    account_id, mosaic_id, image_id = owner
    image = images.get(image_id)
    return image is not None and image.mosaic_id == mosaic_id and image.mosaic.account_id == account_id
