"""Build the COGs of the given images with the Data API's task, in this process (as a worker runs it), and print as
JSON each build's seconds and the largest growth of this process's RSS over its size after the first build (which,
as a worker's first, made the store client and filled GDAL's block cache: the growth measured is then what grows
with an image's size).

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


def build_measure(image_id: str, process: psutil.Process, idle: int) -> dict:
    from dataserver.models import Image
    from dataserver.tasks import image_build_cog

    peak, running = [process.memory_info().rss], [True]

    def sample() -> None:
        while running[0]:
            peak[0] = max(peak[0], process.memory_info().rss)
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
    return {"seconds": time.perf_counter() - started, "rss_growth_mb": (peak[0] - idle) / MB}


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
