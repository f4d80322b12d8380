from tests.mosaics.conftest import mosaic_with_image, redis_cache_of_its_own, teams  # noqa: F401  (fixtures)
from tests.teams.conftest import cast, live_api  # noqa: F401  (fixtures)
