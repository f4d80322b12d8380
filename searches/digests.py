"""The e-mail digest of a saved search's new scenes: dates, providers, a link to the search's page (the new scenes
highlighted) and to the catalog with each area's search, and a one-click unsubscribe (RFC 8058)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from . import services
from .filters import catalog_url


def digests_send() -> int:
    """Send the digests due; how many were sent."""
    sent = 0
    for digest in services.digests_take():
        _send(digest)
        sent += 1
    return sent


def _send(digest: services.Digest) -> None:
    follower, search = digest.follower, digest.follower.saved_search
    unsubscribe = settings.SITE_URL + reverse("searches:unsubscribe", args=[services.unsubscribe_token(follower)])
    areas = {}
    for scene in digest.scenes:
        areas.setdefault(scene.area, []).append(scene)
    context = {
        "search": search,
        "count": len(digest.scenes),
        "areas": [
            {
                "name": area.name,
                "scenes": scenes,
                "catalog": settings.SITE_URL
                + catalog_url(team=search.team, filters=search.filters, geometry=area.geometry),
            }
            for area, scenes in areas.items()
        ],
        "page": settings.SITE_URL + reverse("searches:detail", args=[search.pk]),
        "unsubscribe": unsubscribe,
    }
    message = EmailMessage(
        subject=f"{len(digest.scenes)} new scene{'s' if len(digest.scenes) != 1 else ''} in {search.name}",
        body=render_to_string("searches/digest.txt", context),
        to=[follower.user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.send()
