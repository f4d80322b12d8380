"""Build the COGs of the given images with the Data API's task, in this process (as a worker runs it), and print as
JSON each build's seconds, the largest growth of this process's RSS over its size after the first build (which,
as a worker's first, made the store client and filled GDAL's block cache: the growth measured is then what grows
with an image's size) and the most local disk its scratch folder held.

    DATABASE_URL=... DATASERVER_STORAGE_URL=... python bench/cog_builds.py IMAGE_ID [IMAGE_ID ...]

Run by bench/storage.py with a Data API server's environment, from the repository's folder.
"""

import json
import os
import sys
import threading
import time

import django
import psutil

SAMPLE_SECONDS = 0.05
MB = 1024 * 1024


def disk_used(folder: str) -> int:
    """Bytes of disk the files under `folder` take (blocks allocated: a sparse file counts what it holds)."""
    used = 0
    for root, _, names in os.walk(folder):
        for name in names:
            try:
                used += os.stat(os.path.join(root, name)).st_blocks * 512
            except FileNotFoundError:  # removed meanwhile
                pass
    return used


def build_measure(image_id: str, process: psutil.Process, idle: int) -> dict:
    from django.conf import settings

    from dataserver.models import Image
    from dataserver.tasks import image_build_cog

    peak, scratch, running = [process.memory_info().rss], [0], [True]

    def sample() -> None:
        while running[0]:
            peak[0] = max(peak[0], process.memory_info().rss)
            scratch[0] = max(scratch[0], disk_used(settings.DATASERVER_SCRATCH_DIR))
            time.sleep(SAMPLE_SECONDS)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    started = time.perf_counter()
    try:
        image_build_cog(image_id)
    finally:
        running[0] = False
        thread.join()
    image = Image.objects.get(id=image_id)
    if not image.cog_ready:
        raise SystemExit(f"The COG build of {image_id} failed: {image.cog_error}")
    return {"seconds": time.perf_counter() - started, "rss_growth_mb": (peak[0] - idle) / MB,
            "scratch_mb": scratch[0] / MB}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mapflow_web.settings")
    sys.path.insert(0, os.getcwd())
    django.setup()
    process = psutil.Process()
    first, *others = sys.argv[1:]
    results = {first: build_measure(first, process, process.memory_info().rss)}
    idle = process.memory_info().rss
    results.update({image_id: build_measure(image_id, process, idle) for image_id in others})
    print(json.dumps(results))


if __name__ == "__main__":
    main()
