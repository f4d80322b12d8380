"""Signed tile URLs answered straight after SecurityMiddleware, before the middleware that they do not use.

A tile URL with a `token` (QGIS, or anything without a session) needs no session, CSRF check, user, team, htmx,
messages or page policy, and the tile view takes nothing from them when a token is given. Running the view from here
halves the dashboard's CPU time per proxied tile (the rest of the stack cost more than fetching the tile upstream), which
is what a map of 48 tiles a viewport asks for. Like WhiteNoise for static files, it sits after SecurityMiddleware, so
the HTTPS redirect, HSTS and `nosniff` still apply; the proxy answers images only, so no page policy is lost.
"""

from django.urls import Resolver404, resolve

TILE_VIEW = "mosaics:tile"


class SignedTileMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.GET.get("token") and request.path_info.endswith(".png"):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            if match is not None and match.view_name == TILE_VIEW:
                request.resolver_match = match
                return match.func(request, *match.args, **match.kwargs)
        return self.get_response(request)
