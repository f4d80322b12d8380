"""The request as the dashboard's views see it, and the client address used to throttle sign-ins."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_htmx.middleware import HtmxDetails

    from dataapi.client import DataAPIClient
    from teams.models import Membership, Team


class DashboardRequest(HttpRequest):
    """Set by the middleware: `team` and `membership` (None when the user belongs to no team), `dataapi` (the team's
    client, built on first use; raises NotConfigured when the team has no credential) and `htmx`."""

    user: "User"
    team: "Team | None"
    membership: "Membership | None"
    dataapi: "DataAPIClient"
    htmx: "HtmxDetails"


def client_address(request: HttpRequest) -> str | None:
    """The client's IP: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front, the address the outermost trusted
    proxy saw (counted from the right of X-Forwarded-For, so a client cannot forge it)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")
