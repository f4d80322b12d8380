"""gunicorn's access log without the tiles that were served: a map view asks for hundreds of them, and writing a line
for each cost about a tenth of the tile proxy's CPU. A tile that fails (4xx, 5xx) is logged like any request."""

from gunicorn.glogging import Logger

TILE_MARKER = "/tiles/"  # the dashboard's /mosaics/<id>/tiles/... and the Data API's /api/v0/cogs/tiles/...
SERVED = frozenset({200, 304})


class AccessLog(Logger):
    def access(self, resp, req, environ, request_time):
        if resp.status_code in SERVED and TILE_MARKER in req.path:
            return
        super().access(resp, req, environ, request_time)
