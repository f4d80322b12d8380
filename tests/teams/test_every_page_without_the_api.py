"""Every page and fragment of the dashboard when the team's Data API cannot be used: the API is down, the team has no
credential, or its URL is no longer allowed. Each answers with a message that says so, never a server error."""

import socket
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import allow_api
from tests.teams.conftest import connect, signed_in

DASHBOARD = {"teams", "catalog", "mosaics", "uploads", "searches", None}
SKIPPED = {"admin", "healthz", "logout", "dataserver-tile", "dataserver-tilejson"}  # (logout would end the walk)
MESSAGES = {
    "down": "The Data API cannot be reached",
    "none": "This team has not connected a Data API account yet",
    "unlisted": "no longer one this site connects to",
}


def sample(converter) -> str:
    kind = type(converter).__name__
    return {"UUIDConverter": str(uuid.uuid4()), "IntConverter": "1", "PreviewSize": "s"}.get(kind, "x")


def routes(resolver=None, namespace=None):
    """(namespace, name, URL with sample arguments) of every route the dashboard serves."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin" or str(entry.pattern).startswith("rest/"):
                continue
            yield from routes(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name not in SKIPPED and namespace in DASHBOARD:
            kwargs = {name: sample(converter) for name, converter in entry.pattern.converters.items()}
            full = f"{namespace}:{entry.name}" if namespace else entry.name
            yield namespace, entry.name, reverse(full, kwargs={**kwargs, **(entry.default_args or {})} or None)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(params=sorted(MESSAGES))
def broken(request, cast, settings):
    if request.param == "down":
        connect(cast.acme, api_url=allow_api(f"http://127.0.0.1:{closed_port()}/rest"), token="YTpi")
        settings.DATA_API_MAX_RETRIES = 0
    elif request.param == "unlisted":
        connect(cast.acme, api_url=f"http://127.0.0.1:{closed_port()}/rest", token="YTpi")
        settings.DATA_API_ALLOWED_URLS = [settings.DATA_API_HOSTED_URL]
    return request.param


def test_the_walk_covers_every_app():
    names = {name for _, name, _ in routes()}
    assert {"home", "search", "list", "detail", "team", "jobs", "create"} <= names


def test_no_page_or_fragment_fails_with_a_server_error(cast, broken):
    alice = signed_in(cast.alice, raise_request_exception=False)
    failures = []
    for namespace, name, url in routes():
        for method, headers in [("get", {}), ("get", {"HX-Request": "true"}), ("post", {"HX-Request": "true"})]:
            answer = getattr(alice, method)(url, headers=headers)
            assert answer.status_code != 302 or "/accounts/login/" not in answer["Location"], "signed out"
            if answer.status_code >= 500 and answer.status_code not in (502, 503, 504):
                failures.append(f"{method.upper()} {url} ({namespace}:{name}, {headers}): {answer.status_code}")
            elif answer.status_code in (502, 503, 504):
                text = answer.content.decode(errors="replace")
                if MESSAGES[broken] not in text:
                    failures.append(f"{method.upper()} {url}: {answer.status_code} without the message")
    assert failures == []


@pytest.mark.parametrize("name", ["catalog:search", "mosaics:list", "teams:team"])
def test_the_pages_say_what_is_wrong(cast, broken, name):
    page = signed_in(cast.alice).get(reverse(name)).content.decode()
    assert MESSAGES[broken] in page
