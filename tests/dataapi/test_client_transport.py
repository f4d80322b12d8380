"""What the real server cannot be made to do on demand: time out, fail with 503 or 429, answer garbage.

A scripted transport stands in for the network; the client above it is the real one.
"""

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from dataapi import errors
from dataapi.client import DataAPIClient

MEMORY = b'{"memoryLimit": 1000, "memoryUsed": 250, "memoryFree": 750, "maxUploadFileSize": 100, "maxPixelCount": 9}'


class ScriptedTransport(BaseAdapter):
    """Answers each request with the next item of the script: an exception to raise or (status, headers, body)."""

    def __init__(self, *script):
        super().__init__()
        self.script = list(script)
        self.requests: list[requests.PreparedRequest] = []
        self.timeouts: list = []

    def send(self, request, timeout=None, **kwargs):
        self.requests.append(request)
        self.timeouts.append(timeout)
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        status, headers, body = item
        response = requests.Response()
        response.status_code, response.headers, response._content = status, CaseInsensitiveDict(headers), body
        response.url, response.request = request.url, request
        return response

    def close(self):
        pass


@pytest.fixture
def waits():
    return []


def client_over(transport, waits, **options) -> DataAPIClient:
    client = DataAPIClient(base_url="http://api.test/rest", token="c2VjcmV0OnRva2Vu", sleep=waits.append, **options)
    client.session.mount("http://", transport)
    return client


def test_a_503_then_200_is_retried_for_a_read(waits):
    transport = ScriptedTransport((503, {}, b""), (200, {}, MEMORY))
    assert client_over(transport, waits).memory().memoryUsed == 250
    assert len(transport.requests) == 2 and len(waits) == 1 and 0.5 <= waits[0] <= 1.0


def test_backoff_grows_between_attempts_with_jitter(waits):
    transport = ScriptedTransport((502, {}, b""), (504, {}, b""), (503, {}, b""), (200, {}, MEMORY))
    client_over(transport, waits, backoff=1.0).memory()
    assert 1 <= waits[0] <= 2 and 2 <= waits[1] <= 3 and 4 <= waits[2] <= 5


def test_a_post_is_never_retried(waits):
    transport = ScriptedTransport((503, {}, b""), (200, {}, b'{"id": "x", "name": "n", "tags": []}'))
    with pytest.raises(errors.ServerError) as caught:
        client_over(transport, waits).mosaic_create(name="n")
    assert caught.value.status == 503 and len(transport.requests) == 1 and waits == []


def test_a_post_whose_connection_fails_is_not_sent_again(waits):
    transport = ScriptedTransport(requests.ConnectionError("refused"))
    with pytest.raises(errors.APIConnectionError):
        client_over(transport, waits).mosaic_create(name="n")
    assert len(transport.requests) == 1


def test_a_429_waits_as_long_as_retry_after_says(waits):
    transport = ScriptedTransport((429, {"Retry-After": "7"}, b""), (200, {}, MEMORY))
    client_over(transport, waits).memory()
    assert waits == [7.0]


def test_a_retry_after_longer_than_we_wait_gives_up_with_the_delay(waits):
    transport = ScriptedTransport((429, {"Retry-After": "120"}, b'{"detail": "slow down"}'))
    with pytest.raises(errors.RateLimited) as caught:
        client_over(transport, waits, max_retry_wait=30).memory()
    assert caught.value.retry_after == 120 and caught.value.status == 429 and waits == []


def test_500_is_not_retried(waits):
    transport = ScriptedTransport((500, {}, b"boom"))
    with pytest.raises(errors.ServerError):
        client_over(transport, waits).memory()
    assert len(transport.requests) == 1


def test_a_server_that_stays_down_ends_in_a_server_error_after_the_last_retry(waits):
    transport = ScriptedTransport(*[(503, {}, b"")] * 3)
    with pytest.raises(errors.ServerError) as caught:
        client_over(transport, waits, max_retries=2).memory()
    assert caught.value.status == 503 and len(transport.requests) == 3


def test_refused_connections_are_retried_for_reads_then_reported(waits):
    transport = ScriptedTransport(*[requests.ConnectionError("refused")] * 4)
    with pytest.raises(errors.APIConnectionError) as caught:
        client_over(transport, waits).memory()
    assert len(transport.requests) == 4 and caught.value.status is None
    assert caught.value.message == "The Data API cannot be reached"


def test_a_read_timeout_is_reported_at_once(waits):
    transport = ScriptedTransport(requests.ReadTimeout("slow"))
    with pytest.raises(errors.APITimeout) as caught:
        client_over(transport, waits).memory()
    assert len(transport.requests) == 1 and caught.value.message == "The Data API did not answer in time"


def test_a_connect_timeout_is_retried(waits):
    transport = ScriptedTransport(requests.ConnectTimeout("no route"), (200, {}, MEMORY))
    assert client_over(transport, waits).memory().memoryFree == 750


def test_every_call_carries_a_connect_and_read_timeout(waits):
    transport = ScriptedTransport((200, {}, MEMORY), (200, {}, b"[]"))
    client = client_over(transport, waits, timeout=(2.0, 9.0))
    client.memory()
    client.with_options(timeout=(1.0, 3.0)).mosaic_list()
    assert transport.timeouts == [(2.0, 9.0), (1.0, 3.0)]


def test_it_sends_basic_auth_and_a_user_agent(waits):
    transport = ScriptedTransport((200, {}, MEMORY))
    client_over(transport, waits).memory()
    sent = transport.requests[0].headers
    assert sent["Authorization"] == "Basic c2VjcmV0OnRva2Vu" and sent["User-Agent"].startswith("mapflow-web/")


def test_a_malformed_body_is_a_malformed_response_error(waits):
    transport = ScriptedTransport((200, {}, b"<html>proxy error</html>"), (200, {}, b'{"memoryUsed": "lots"}'))
    client = client_over(transport, waits)
    for _ in range(2):
        with pytest.raises(errors.MalformedResponse) as caught:
            client.memory()
        assert isinstance(caught.value, errors.ServerError) and caught.value.path == "/rest/rasters/memory"


def test_objects_accept_unknown_fields_and_times_without_an_offset(waits):
    body = b'{"id": "m1", "name": "n", "tags": [], "created_at": "2024-05-01T10:00:00", "brandNew": 1}'
    mosaic = client_over(ScriptedTransport((200, {}, body)), waits).mosaic_get("m1")
    assert mosaic.created_at.isoformat() == "2024-05-01T10:00:00+00:00" and mosaic.brandNew == 1


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, errors.InvalidRequest),
        (401, errors.AuthenticationFailed),
        (403, errors.PermissionDenied),
        (404, errors.NotFound),
        (422, errors.InvalidRequest),
        (429, errors.RateLimited),
        (500, errors.ServerError),
        (504, errors.ServerError),
    ],
)
def test_every_status_maps_to_its_typed_error(waits, status, error):
    transport = ScriptedTransport((status, {}, b'{"detail": {"code": "AccessDenied", "parameters": {"uid": "u"}}}'))
    with pytest.raises(error) as caught:
        client_over(transport, waits, max_retries=0).image_delete("u")
    assert caught.value.status == status and caught.value.parameters == {"uid": "u"}


def test_the_token_is_not_in_the_clients_repr_or_errors(waits):
    client = client_over(ScriptedTransport(requests.ConnectionError("refused")), waits, max_retries=0)
    with pytest.raises(errors.APIConnectionError) as caught:
        client.memory()
    assert "c2VjcmV0" not in repr(client) + str(caught.value) + repr(caught.value.__dict__)
