"""Linking an image into a mosaic (POST /rest/rasters/mosaic/{id}/link-image): the object is copied in from S3, the
import folder or an allowed web host, and ingested like an upload."""

import hashlib
import io
import socket
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import boto3
import pytest
import requests
import urllib3
from moto.server import ThreadedMotoServer

from dataserver.rasters import links
from tests.dataserver.uploading import (
    memory_used,
    mosaic_create,
    raster_error,
    stored_files,
)
from tests.http import served
from tests.rasters import COGEO, write_raster

BUCKET = "imagery-links"
LINKED = {"message": "File successfully linked to a mosaic"}


def link(api, mosaic_id: str, url: str):
    return api.post(f"/rest/rasters/mosaic/{mosaic_id}/link-image", {"url": url}, content_type="application/json")


def images_of(api, mosaic_id: str) -> list[dict]:
    return api.get(f"/rest/rasters/mosaic/{mosaic_id}/image").json()


def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def assert_nothing_kept(api, mosaic_id: str) -> None:
    assert images_of(api, mosaic_id) == []
    assert stored_files() == set()
    assert memory_used(api) == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- s3:// ---


@pytest.fixture(scope="module")
def moto_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(moto_endpoint, settings, monkeypatch):
    """The configured object store, with its bucket; an S3 client on it."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    settings.DATASERVER_S3_BUCKET = BUCKET
    settings.DATASERVER_S3_ENDPOINT_URL = moto_endpoint
    client = boto3.client("s3", endpoint_url=moto_endpoint)
    client.create_bucket(Bucket=BUCKET)
    yield client
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10)


def put(s3, key: str, data: bytes, bucket: str = BUCKET) -> str:
    s3.put_object(Bucket=bucket, Key=key, Body=data)
    return f"s3://{bucket}/{key}"


def test_it_copies_an_s3_object_into_the_mosaic_and_leaves_the_source(api, s3, django_capture_on_commit_callbacks):
    mosaic = mosaic_create(api)
    data = COGEO.read_bytes()
    url = put(s3, "scenes/2024/field.tif", data)

    with django_capture_on_commit_callbacks(execute=True):
        answer = link(api, mosaic["id"], url)

    assert answer.status_code == 200, answer.content
    assert answer.json() == {**LINKED, "mosaic_id": mosaic["id"]}
    [image] = images_of(api, mosaic["id"])
    assert (image["filename"], image["checksum"], image["file_size"]) == ("field.tif", sha1(data), len(data))
    assert image["cog_link"] is not None
    assert s3.get_object(Bucket=BUCKET, Key="scenes/2024/field.tif")["Body"].read() == data
    assert not [path for path in stored_files() if path.parent.name == "incoming"]


def test_it_answers_not_found_for_a_missing_key(api, s3):
    mosaic = mosaic_create(api)
    url = f"s3://{BUCKET}/scenes/nothing-here.tif"

    assert raster_error(link(api, mosaic["id"], url), 404, "LinkedObjectNotFound") == {"url": url}
    assert_nothing_kept(api, mosaic["id"])


def test_it_answers_not_found_when_the_object_store_refuses_the_server(api, s3, settings):
    mosaic = mosaic_create(api)
    settings.DATASERVER_S3_BUCKET = "bucket-that-was-never-created"
    url = "s3://bucket-that-was-never-created/field.tif"

    assert raster_error(link(api, mosaic["id"], url), 404, "LinkedObjectNotFound") == {"url": url}
    assert_nothing_kept(api, mosaic["id"])


def test_it_refuses_a_bucket_other_than_the_configured_one(api, s3, tmp_path):
    mosaic = mosaic_create(api)
    s3.create_bucket(Bucket="someone-elses")
    url = put(s3, "field.tif", COGEO.read_bytes(), bucket="someone-elses")

    assert raster_error(link(api, mosaic["id"], url), 422, "InvalidLink") == {"url": url}
    assert_nothing_kept(api, mosaic["id"])
    assert s3.head_object(Bucket="someone-elses", Key="field.tif")["ContentLength"] == COGEO.stat().st_size


def test_it_refuses_to_link_an_object_the_account_already_linked(api, other_api, s3):
    first, second = mosaic_create(api, "First"), mosaic_create(api, "Second")
    url = put(s3, "field.tif", COGEO.read_bytes())
    assert link(api, first["id"], url).status_code == 200

    assert raster_error(link(api, first["id"], url), 403, "FileAlreadyExists") == {"url": url}
    assert raster_error(link(api, second["id"], url), 403, "FileAlreadyExists") == {"url": url}
    assert len(images_of(api, first["id"])) == 1 and images_of(api, second["id"]) == []
    assert memory_used(api) == COGEO.stat().st_size
    # Another account has its own images: the same object is new to it.
    assert link(other_api, mosaic_create(other_api)["id"], url).status_code == 200


@pytest.fixture
def small_upload_limit(account) -> int:
    alice, _ = account
    alice.max_upload_file_size = 100_000
    alice.save()
    return alice.max_upload_file_size


def test_it_refuses_an_object_over_the_upload_limit_and_keeps_nothing(api, small_upload_limit, s3, tmp_path):
    mosaic = mosaic_create(api)
    data = write_raster(tmp_path / "big.tif", width=256, height=256).read_bytes()
    url = put(s3, "big.tif", data)

    parameters = raster_error(link(api, mosaic["id"], url), 403, "FileTooBig")

    assert parameters == {"actual_file_size": len(data), "max_file_size": small_upload_limit}
    assert_nothing_kept(api, mosaic["id"])


@pytest.mark.parametrize(
    ("key", "data"),
    [("notes.tif", b"these are field notes, not a raster"), ("field.txt", COGEO.read_bytes())],
    ids=["tif-name-without-a-raster", "txt-name"],
)
def test_it_refuses_an_object_that_is_not_a_tiff_without_using_quota(api, s3, key, data):
    mosaic = mosaic_create(api)

    parameters = raster_error(link(api, mosaic["id"], put(s3, key, data)), 422, "FileOpenError")

    assert parameters["filename"] == key
    assert_nothing_kept(api, mosaic["id"])


# --- file:// ---


@pytest.fixture
def import_dir(settings) -> Path:
    folder = Path(settings.DATASERVER_IMPORT_DIR)
    folder.mkdir(parents=True)
    return folder


def test_it_copies_a_file_from_the_import_folder_and_leaves_it_there(api, import_dir):
    mosaic = mosaic_create(api)
    source = write_raster(import_dir / "batch 7" / "field.tif")
    data = source.read_bytes()

    answer = link(api, mosaic["id"], source.as_uri())

    assert answer.status_code == 200, answer.content
    [image] = images_of(api, mosaic["id"])
    assert (image["filename"], image["checksum"]) == ("field.tif", sha1(data))
    assert source.read_bytes() == data


def test_it_knows_a_file_linked_through_another_spelling_of_its_path(api, import_dir):
    mosaic = mosaic_create(api)
    source = write_raster(import_dir / "batch" / "field.tif")
    assert link(api, mosaic["id"], source.as_uri()).status_code == 200

    other_spelling = f"file://{import_dir}/batch/../batch/field.tif"

    assert raster_error(link(api, mosaic["id"], other_spelling), 403, "FileAlreadyExists") == {"url": other_spelling}


def _outside_file(import_dir: Path, tmp_path: Path) -> str:
    return write_raster(tmp_path / "private" / "field.tif").as_uri()


def _dot_dot(import_dir: Path, tmp_path: Path) -> str:
    write_raster(tmp_path / "private" / "field.tif")
    return f"file://{import_dir}/../private/field.tif"


def _symlink_out(import_dir: Path, tmp_path: Path) -> str:
    target = write_raster(tmp_path / "private" / "field.tif")
    (import_dir / "shortcut.tif").symlink_to(target)
    return (import_dir / "shortcut.tif").as_uri()


def _symlinked_folder_out(import_dir: Path, tmp_path: Path) -> str:
    write_raster(tmp_path / "private" / "field.tif")
    (import_dir / "shared").symlink_to(tmp_path / "private", target_is_directory=True)
    return (import_dir / "shared" / "field.tif").as_uri()


@pytest.mark.parametrize("make_url", [_outside_file, _dot_dot, _symlink_out, _symlinked_folder_out])
def test_it_refuses_files_outside_the_import_folder(api, import_dir, tmp_path, make_url):
    mosaic = mosaic_create(api)
    url = make_url(import_dir, tmp_path)

    assert raster_error(link(api, mosaic["id"], url), 422, "InvalidLink") == {"url": url}
    assert_nothing_kept(api, mosaic["id"])
    assert (tmp_path / "private" / "field.tif").exists()


def test_it_answers_not_found_for_a_missing_file_or_a_folder(api, import_dir):
    mosaic = mosaic_create(api)
    (import_dir / "folder.tif").mkdir()

    for url in [(import_dir / "missing.tif").as_uri(), (import_dir / "folder.tif").as_uri()]:
        assert raster_error(link(api, mosaic["id"], url), 404, "LinkedObjectNotFound") == {"url": url}
    assert_nothing_kept(api, mosaic["id"])


# --- http(s):// ---

PUBLIC = "93.184.216.34"


@pytest.fixture
def dns(monkeypatch, settings) -> dict[str, list[str]]:
    """Names the resolver answers for (host -> addresses); these hosts are on the allow-list."""
    names: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in names:
            return real(host, port, *args, **kwargs)
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
            if ":" in address
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in names[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    settings.DATASERVER_LINK_ALLOWED_HOSTS = ["images.example.com", "cdn.example.com", "internal.example.com"]
    return names


class CountingBody(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


class PublicWeb:
    """Stands in for hosts on the internet: answers by URL and records each request and the address it went to."""

    def __init__(self, pages: dict[str, tuple[int, dict, bytes]]) -> None:
        self.pages = pages
        self.requests: list[tuple[str, str]] = []
        self.bodies: list[CountingBody] = []

    def get(self, url: str, address: str) -> urllib3.HTTPResponse:
        self.requests.append((url, address))
        status, headers, data = self.pages[url]
        body = CountingBody(data)
        self.bodies.append(body)
        return urllib3.HTTPResponse(body=body, headers=headers, status=status, preload_content=False)


@pytest.fixture
def web(monkeypatch) -> PublicWeb:
    public_web = PublicWeb({})
    monkeypatch.setattr(links, "_http_get", public_web.get)
    return public_web


def test_it_refuses_a_host_not_on_the_allow_list(api, dns):
    mosaic = mosaic_create(api)
    url = "https://elsewhere.example.org/field.tif"

    assert raster_error(link(api, mosaic["id"], url), 422, "InvalidLink") == {"url": url}


def never_connect(url: str, address: str):
    raise AssertionError(f"connected to {address} for {url}")


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["10.20.30.40"],
        ["169.254.169.254"],
        ["192.168.1.10"],
        ["0.0.0.0"],
        ["::1"],
        ["::ffff:127.0.0.1"],
        [PUBLIC, "10.20.30.40"],
    ],
    ids=["loopback", "private", "link-local", "home-network", "unspecified", "ipv6-loopback", "mapped", "one-of-two"],
)
def test_it_refuses_an_allowed_host_that_resolves_to_a_non_public_address(api, dns, monkeypatch, addresses):
    dns["images.example.com"] = addresses
    monkeypatch.setattr(links, "_http_get", never_connect)
    mosaic = mosaic_create(api)
    url = "http://images.example.com/field.tif"

    assert raster_error(link(api, mosaic["id"], url), 422, "InvalidLink") == {"url": url}
    assert_nothing_kept(api, mosaic["id"])


def test_it_follows_redirects_between_allowed_public_hosts(api, dns, web):
    dns.update({"images.example.com": [PUBLIC], "cdn.example.com": ["2606:4700::6810:84e5"]})
    data = COGEO.read_bytes()
    web.pages.update(
        {
            "https://images.example.com/scenes/field.tif": (302, {"Location": "https://cdn.example.com/x/1"}, b""),
            "https://cdn.example.com/x/1": (200, {"Content-Length": str(len(data))}, data),
        }
    )
    mosaic = mosaic_create(api)

    answer = link(api, mosaic["id"], "https://images.example.com/scenes/field.tif")

    assert answer.status_code == 200, answer.content
    assert web.requests == [
        ("https://images.example.com/scenes/field.tif", PUBLIC),
        ("https://cdn.example.com/x/1", "2606:4700::6810:84e5"),
    ]
    [image] = images_of(api, mosaic["id"])
    assert (image["filename"], image["checksum"]) == ("field.tif", sha1(data))


def test_it_refuses_a_redirect_from_a_public_host_to_a_private_address(api, dns, web):
    dns.update({"images.example.com": [PUBLIC], "internal.example.com": ["10.0.0.7"]})
    url = "http://images.example.com/field.tif"
    web.pages[url] = (301, {"Location": "http://internal.example.com/admin/field.tif"}, b"")
    mosaic = mosaic_create(api)

    assert raster_error(link(api, mosaic["id"], url), 422, "InvalidLink") == {"url": url}
    assert web.requests == [(url, PUBLIC)]
    assert_nothing_kept(api, mosaic["id"])


def test_it_refuses_a_redirect_to_a_host_not_on_the_allow_list(api, dns, web):
    dns["images.example.com"] = [PUBLIC]
    url = "http://images.example.com/field.tif"
    web.pages[url] = (307, {"Location": "http://elsewhere.example.org/field.tif"}, b"")
    mosaic = mosaic_create(api)

    assert raster_error(link(api, mosaic["id"], url), 422, "InvalidLink") == {"url": url}
    assert web.requests == [(url, PUBLIC)]


def test_it_gives_up_after_five_redirects(api, dns, web):
    dns["images.example.com"] = [PUBLIC]
    for hop in range(7):
        web.pages[f"http://images.example.com/{hop}.tif"] = (302, {"Location": f"/{hop + 1}.tif"}, b"")
    mosaic = mosaic_create(api)

    assert raster_error(link(api, mosaic["id"], "http://images.example.com/0.tif"), 422, "InvalidLink")
    assert len(web.requests) == 6


def test_it_answers_not_found_when_the_host_has_no_such_object(api, dns, web):
    dns["images.example.com"] = [PUBLIC]
    url = "http://images.example.com/field.tif"
    web.pages[url] = (404, {}, b"Not Found")
    mosaic = mosaic_create(api)

    assert raster_error(link(api, mosaic["id"], url), 404, "LinkedObjectNotFound") == {"url": url}


def test_it_refuses_a_web_object_over_the_limit_before_reading_it(api, small_upload_limit, dns, web):
    dns["images.example.com"] = [PUBLIC]
    url = "http://images.example.com/field.tif"
    web.pages[url] = (200, {"Content-Length": "5000000"}, bytes(5_000_000))
    mosaic = mosaic_create(api)

    parameters = raster_error(link(api, mosaic["id"], url), 403, "FileTooBig")

    assert parameters == {"actual_file_size": 5_000_000, "max_file_size": small_upload_limit}
    assert web.bodies[0].bytes_read == 0
    assert_nothing_kept(api, mosaic["id"])


def test_it_stops_a_web_object_of_untold_size_at_the_limit_and_keeps_nothing(api, small_upload_limit, dns, web):
    dns["images.example.com"] = [PUBLIC]
    url = "http://images.example.com/field.tif"
    web.pages[url] = (200, {}, bytes(8_000_000))
    mosaic = mosaic_create(api)

    raster_error(link(api, mosaic["id"], url), 403, "FileTooBig")

    assert web.bodies[0].bytes_read <= 2 * links.CHUNK_SIZE
    assert_nothing_kept(api, mosaic["id"])


class DroppedBody(io.BytesIO):
    """A body whose connection drops after the first chunk."""

    def read(self, size=-1):
        if self.tell():
            raise ConnectionResetError("connection reset by peer")
        return super().read(size)


def dropping_get(url: str, address: str) -> urllib3.HTTPResponse:
    return urllib3.HTTPResponse(body=DroppedBody(bytes(3 * links.CHUNK_SIZE)), status=200, preload_content=False)


def test_it_answers_not_found_and_keeps_nothing_when_the_connection_drops(api, dns, monkeypatch):
    dns["images.example.com"] = [PUBLIC]
    url = "http://images.example.com/field.tif"
    monkeypatch.setattr(links, "_http_get", dropping_get)
    mosaic = mosaic_create(api)

    assert raster_error(link(api, mosaic["id"], url), 404, "LinkedObjectNotFound") == {"url": url}
    assert_nothing_kept(api, mosaic["id"])


def test_it_connects_to_the_checked_address_and_names_the_host_it_asked_for():
    seen: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, self.headers["Host"]))
            self.send_response(200)
            self.send_header("Content-Length", "5")
            self.end_headers()
            self.wfile.write(b"bytes")

        def log_message(self, *args):
            pass

    with served(Handler) as server:
        port = server.server_port
        response = links._http_get(f"http://images.example.com:{port}/scenes/a.tif?signature=1", "127.0.0.1")
        assert (response.status, response.read()) == (200, b"bytes")
        response.close()
    assert seen == [("/scenes/a.tif?signature=1", f"images.example.com:{port}")]


# --- any link ---


@pytest.mark.parametrize(
    "url",
    [
        "field.tif",
        "not a url at all",
        "ftp://images.example.com/field.tif",
        "http://[::1/field.tif",
        "http://images.example.com:99999/field.tif",
        "http://user:secret@images.example.com/field.tif",
        f"s3://{BUCKET}/",
        f"s3:///{BUCKET}/field.tif",
        "file://otherhost/srv/field.tif",
        "file:relative/field.tif",
    ],
)
def test_it_refuses_a_malformed_link(api, s3, dns, url):
    dns["images.example.com"] = [PUBLIC]
    mosaic = mosaic_create(api)

    assert raster_error(link(api, mosaic["id"], url), 422, "InvalidLink") == {"url": url}


def test_it_hides_other_accounts_mosaics(api, other_api, s3):
    mosaic = mosaic_create(other_api)
    url = put(s3, "field.tif", COGEO.read_bytes())

    parameters = raster_error(link(api, mosaic["id"], url), 404, "ItemNotFound")

    assert parameters == {"uid": mosaic["id"], "instance_type": "mosaic"}
    assert images_of(other_api, mosaic["id"]) == []
