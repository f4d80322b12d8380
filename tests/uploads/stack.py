"""The whole product in separate processes, for fault tests and the upload benchmark: a Redis of its own, the
dashboard with the self-hosted Data API (runserver, or the command given), and a Celery worker (prefork, one child),
all on a SQLite file in a temporary folder. A throttling TCP relay lets a test catch a transfer in the middle."""

import atexit
import functools
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[2]
MANAGE = [sys.executable, str(ROOT / "manage.py")]
SETUP = """
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from dataserver.models import Account
from teams.models import Credential, Membership, Role, Team
account = Account.with_defaults(email="acme@example.com")
token = account.new_token()
account.save()
user = get_user_model().objects.create_user(username="dave", email="dave@example.com", password="x")
team = Team.objects.create(name="Acme")
Membership.objects.create(user=user, team=team, role=Role.MEMBER)
credential = Credential(team=team, api_url="{api_url}", email="", checked_at=timezone.now())
credential.set_token(token)
credential.save()
session = SessionStore()
session.update({{"_auth_user_id": str(user.pk), "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
    "_auth_user_hash": user.get_session_auth_hash(), "team_id": team.pk}})
session.create()
print(json.dumps({{"token": token, "session": session.session_key}}))
"""


@functools.cache
def migrated_database() -> Path:
    """A SQLite database with every migration applied, made once a run; each stack starts from a copy of it."""
    folder = tempfile.mkdtemp(prefix="stack-db-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = Path(folder) / "db.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run([*MANAGE, "migrate", "--noinput"], env=env, check=True, capture_output=True)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, seconds: float = 30, every: float = 0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(every)
    raise AssertionError(f"still not done after {seconds} s")


class Relay:
    """A TCP relay to `port` that passes the client's bytes at `rate` bytes a second (the answers at full speed)."""

    def __init__(self, port: int, rate: int) -> None:
        self.target, self.rate = port, rate
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._pipe, args=(client, upstream, self.rate), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, None), daemon=True).start()

    @staticmethod
    def _pipe(source, target, rate) -> None:
        piece = 64 * 1024 if rate is None else max(1024, rate // 20)
        try:
            while data := source.recv(piece):
                target.sendall(data)
                if rate:
                    time.sleep(len(data) / rate)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()


class Stack:
    """`rate`: the Data API is reached through a relay passing that many bytes a second (None: directly).
    `web`: the command serving the site on `{port}` (default: runserver); `env`: more environment variables;
    `worker`: whether a Celery worker runs too."""

    def __init__(
        self,
        folder: Path,
        *,
        rate: int | None,
        web: list[str] | None = None,
        env: dict | None = None,
        worker: bool = True,
    ) -> None:
        self.folder = folder
        self.with_worker = worker
        self.processes: dict[str, subprocess.Popen] = {}
        self.redis_port, self.web_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.web_port}"
        self.relay = Relay(self.web_port, rate) if rate else None
        self.api_url = f"http://127.0.0.1:{self.relay.port if self.relay else self.web_port}/rest"
        web = web or [*MANAGE, "runserver", "127.0.0.1:{port}", "--noreload"]
        self.web = [part.format(port=self.web_port) for part in web]
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "DATASERVER_STORAGE_DIR": str(folder / "imagery"),
            "DATASERVER_SCRATCH_DIR": str(folder / "scratch"),
            "UPLOADS_DIR": str(folder / "uploads"),
            "UPLOADS_LOCK_SECONDS": "3",
            "UPLOADS_RETRY_BACKOFF": "0.5",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DEBUG": "true",
            "LOG_LEVEL": "INFO",
            "DATA_API_ALLOWED_URLS": self.api_url,
            **(env or {}),
        }

    def start(self) -> "Stack":
        self.redis_start()
        shutil.copyfile(migrated_database(), self.folder / "db.sqlite3")
        setup = SETUP.format(api_url=self.api_url)
        done = subprocess.run(
            [*MANAGE, "shell", "-c", "import json\n" + setup], env=self.env, check=True, capture_output=True, text=True
        )
        answer = json.loads(done.stdout.strip().splitlines()[-1])
        self.token, self.session = answer["token"], answer["session"]
        self._spawn("web", self.web)
        if self.with_worker:
            self.worker_start()
        wait_for(lambda: self._answers(f"{self.url}/healthz"))
        return self

    def redis_start(self) -> None:
        self._spawn(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--save", "", "--appendonly", "yes", "--appendfsync", "always"],
        )
        wait_for(lambda: self._redis_answers())

    def redis_restart(self, down_seconds: float) -> None:
        self._stop("redis", signal.SIGTERM)
        time.sleep(down_seconds)
        self.redis_start()

    def worker_start(self) -> None:
        command = [sys.executable, "-m", "celery", "-A", "mapflow_web", "worker", "--pool=prefork", "--concurrency=1",
                   "--without-gossip", "--without-mingle", "-n", f"faults-{self.web_port}@%h", "-l", "INFO"]
        self._spawn("worker", command)

    def worker_child_kill(self) -> int:
        """SIGKILL the pool process that runs the task; its id."""
        child = wait_for(self.worker_processes)[0]
        child.send_signal(signal.SIGKILL)
        return child.pid

    def api(self, path: str):
        return self.api_post(path, None)

    def api_post(self, path: str, body: dict | None):
        """GET `path` of the Data API as the team's account, or POST `body` to it."""
        method = "GET" if body is None else "POST"
        answer = requests.request(
            method, f"{self.url}/rest{path}", json=body, headers={"Authorization": f"Basic {self.token}"}, timeout=10
        )
        answer.raise_for_status()
        return answer.json()

    def job(self) -> dict | None:
        """The newest upload job, read straight from the database file."""
        with sqlite3.connect(self.folder / "db.sqlite3", timeout=10) as db:
            db.row_factory = sqlite3.Row
            row = db.execute("SELECT * FROM uploads_uploadjob ORDER BY created_at DESC LIMIT 1").fetchone()
        return dict(row) if row else None

    def web_processes(self) -> list[psutil.Process]:
        """The processes that serve requests (a server's workers, or the server itself)."""
        main = psutil.Process(self.processes["web"].pid)
        return main.children(recursive=True) or [main]

    def worker_processes(self) -> list[psutil.Process]:
        return psutil.Process(self.processes["worker"].pid).children(recursive=True)

    def stop(self) -> None:
        for name in list(self.processes):
            self._stop(name, signal.SIGTERM)
        if self.relay:
            self.relay.close()

    def _spawn(self, name: str, command: list[str]) -> None:
        log = open(self.folder / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    def _stop(self, name: str, sig) -> None:
        process = self.processes.pop(name)
        if process.poll() is None:
            for child in psutil.Process(process.pid).children(recursive=True):
                child.kill()
            process.send_signal(sig)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _answers(self, url: str) -> bool:
        try:
            return requests.get(url, timeout=2).ok
        except requests.RequestException:
            return False

    def _redis_answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False
