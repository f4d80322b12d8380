"""Tile URLs answered straight after SecurityMiddleware, before the middleware that they do not use.

A tile URL is signed (its `token` says whose it is, see signed_tiles), for the mosaic page's map and QGIS alike: it
needs no session, CSRF check, user, team, htmx, messages or page policy. Running the tile view from here halves the
dashboard's CPU time per proxied tile; a session lookup alone (three queries) cost several times more than fetching a
cached tile. Like WhiteNoise for static files, it sits after SecurityMiddleware, so the HTTPS redirect, HSTS and
`nosniff` still apply; the proxy answers images only, so no page policy is lost. A tile URL without a token goes the
whole way and is refused by the view."""

from .urls import urlpatterns

# The app's URLs are included at the site's root: a path without its leading slash is the pattern's to match.
TILE_PATTERN = next(pattern for pattern in urlpatterns if pattern.name == "tile")


class SignedTileMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.GET.get("token") and request.path_info.endswith(".png"):
            match = TILE_PATTERN.resolve(request.path_info[1:])  # None when it is another path
            if match is not None:
                request.resolver_match = match
                return match.func(request, *match.args, **match.kwargs)
        return self.get_response(request)
