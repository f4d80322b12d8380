import base64
import os
import shutil
import uuid

import pytest
from django.test import Client

from dataserver.models import Account
from mapflow_web.celery import app as celery_app

# Each test run has a broker queue of its own, so that two runs on one Redis never take each other's tasks.
celery_app.conf.task_default_queue = f"tests-{os.getpid()}"


@pytest.fixture(autouse=True)
def imagery_storage(settings, tmp_path):
    """Each test gets its own imagery folder and runs background tasks in-process unless it starts a worker."""
    settings.DATASERVER_STORAGE_URL = str(tmp_path / "imagery")
    settings.DATASERVER_SCRATCH_DIR = tmp_path / "scratch"
    settings.DATASERVER_IMPORT_DIR = tmp_path / "import"
    celery_app.conf.task_always_eager = True
    yield tmp_path / "imagery"
    celery_app.conf.task_always_eager = False
    shutil.rmtree(tmp_path / "imagery", ignore_errors=True)


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real S3 protocol server on loopback (moto's), for the whole run; the standard AWS variables point every
    client at it, GDAL's /vsis3/ included."""
    from moto.server import ThreadedMotoServer

    from tests.uploads.stack import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    saved = {name: os.environ.get(name) for name in (*S3_ENVIRONMENT, "AWS_SESSION_TOKEN", "AWS_PROFILE")}
    os.environ.update(S3_ENVIRONMENT)
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE"):
        os.environ.pop(name, None)
    yield f"http://127.0.0.1:{port}"
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    server.stop()


S3_ENVIRONMENT = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
                  "AWS_DEFAULT_REGION": "us-east-1"}


def s3_storage_use(settings, endpoint: str) -> str:
    """Point the imagery store at a new bucket of the S3 server at `endpoint`; its name."""
    import boto3

    bucket = f"imagery-{uuid.uuid4().hex[:16]}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
    settings.DATASERVER_STORAGE_URL = f"s3://{bucket}/imagery"
    settings.DATASERVER_S3_ENDPOINT_URL = endpoint
    settings.DATASERVER_S3_PUBLIC_URL = endpoint  # downloads redirect to it, as a browser can reach it
    return bucket


@pytest.fixture(autouse=True)
def data_apis_allowed(settings):
    """Teams may connect to hosted Mapflow and to the loopback Data APIs a test lists with `allow_api` (the live
    server's, a misbehaving one's): each test starts from that list, as an operator's would."""
    settings.DATA_API_ALLOWED_URLS = [settings.DATA_API_HOSTED_URL]
    settings.DATA_API_ALLOWED_NETWORKS = ["127.0.0.0/8"]


def allow_api(url: str) -> str:
    """List `url` among the Data APIs teams may connect to, for the running test."""
    from django.conf import settings

    settings.DATA_API_ALLOWED_URLS.append(url.rstrip("/"))
    return url


def make_account(email: str, **limits) -> tuple[Account, str]:
    """An account of the self-hosted Data API and its Basic token."""
    account = Account.with_defaults(email=email)
    for name, value in limits.items():
        setattr(account, name, value)
    token = account.new_token()
    account.save()
    return account, token


def basic(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


@pytest.fixture
def account(db):
    return make_account("alice@example.com")


@pytest.fixture
def api(account):
    """A test client signed in as alice's Data API account."""
    _, token = account
    return Client(**basic(token))


@pytest.fixture
def other_api(db):
    """A test client of another account (charlie's)."""
    _, token = make_account("charlie@example.com")
    return Client(**basic(token))


def decode_token(token: str) -> tuple[str, str]:
    email, api_token = base64.b64decode(token).decode().split(":", 1)
    return email, api_token
