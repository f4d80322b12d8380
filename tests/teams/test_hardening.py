"""Protections every page inherits: production settings pass Django's deploy checks, and pages carry a
Content-Security-Policy whose nonce is on every script."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from tests.teams.conftest import connect, signed_in

ROOT = Path(__file__).resolve().parents[2]


def test_the_documented_production_settings_pass_the_deploy_checks():
    env = {
        **{name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # browser tests
        "DEBUG": "false",
        "SECRET_KEY": "k" * 20 + "Zp8#vQ2!mW9@xL4$rT7&yN3*bH6^cJ1(dF5)gS0" + "e" * 20,
        "ALLOWED_HOSTS": "maps.example.com",
        "CREDENTIAL_KEYS": Fernet.generate_key().decode(),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_static_files_are_collected_as_the_docker_image_collects_them(tmp_path):
    """The image runs collectstatic with the production storage, which fails on any file a CSS or JS file refers to
    that is not there (a vendored library's source map, say)."""
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "collectstatic-only", "STATIC_ROOT": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "vendor/tus-js-client-4.3.1.min.js" in manifest and "js/mosaics-detail.js" in manifest


def test_the_deploy_checks_require_credential_keys():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "x" * 60, "CREDENTIAL_KEYS": ""}
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0 and "teams.E001" in done.stderr


def test_tokens_are_not_stored_without_credential_keys(cast, settings):
    settings.CREDENTIAL_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="CREDENTIAL_KEYS must be set"):
        connect(cast.acme, api_url="https://api.mapflow.ai/rest", token="YTpi")


def test_pages_send_a_csp_whose_nonce_is_on_every_script(cast):
    answer = signed_in(cast.alice).get(reverse("teams:team"))
    policy = answer["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    scripts = re.findall(r"<script[^>]*>", answer.content.decode())
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert answer["X-Frame-Options"] == "DENY"
