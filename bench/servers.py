"""The self-hosted Data API under gunicorn (gunicorn.conf.py) with its own database and storage, for the benchmarks.

    with DataServer(port=8101) as server:
        mosaic_id = server.mosaic_create("bench")
        server.upload(path, mosaic_id)

Everything lives in a temporary folder removed on exit; COG tasks go to Redis db 14 (or BENCH_REDIS_URL), flushed on exit.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import requests
from cryptography.fernet import Fernet

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
START_TIMEOUT = 60
REQUEST_TIMEOUT = (5, 600)


def wait_until_up(url: str, *, process: subprocess.Popen, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if requests.get(url, timeout=2, allow_redirects=False).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def stop(process: subprocess.Popen) -> None:
    """Stop a server started in its own session, master and workers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def pin(process: subprocess.Popen, cpus: set[int]) -> None:
    """Run a server (its master and workers, every thread of each: an affinity is a thread's own) on `cpus` only."""
    for each in [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]:
        for thread in each.threads():
            os.sched_setaffinity(thread.id, cpus)


def cp_seconds(source: Path, folder: Path) -> float:
    """Time of `cp` of a file to another file on the same disk (the upload's yardstick)."""
    target = folder / "cp-copy"
    started = time.perf_counter()
    subprocess.run(["cp", str(source), str(target)], check=True, timeout=600)
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


def static_collect(folder: Path) -> Path:
    """The static files collected as in production, so that the dashboard runs with DEBUG off, as it is served."""
    target = folder / "static"
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "bench-only", "STATIC_ROOT": str(target)}
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput"], cwd=REPO, env=env, check=True,
                   capture_output=True, timeout=300)
    return target


class DataServer:
    def __init__(
        self, *, port: int, workers: int = 2, eager_tasks: bool = False, gdal_cachemax: str = "32", env: dict | None = None
    ) -> None:
        self.extra_env = env or {}
        self.port = port
        self.workers = workers
        self.eager_tasks = eager_tasks
        self.gdal_cachemax = gdal_cachemax
        self.url = f"http://127.0.0.1:{port}"

    def __enter__(self) -> "DataServer":
        self.folder = Path(tempfile.mkdtemp(prefix="dataserver-bench-"))
        self.storage = self.folder / "imagery"
        self.env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": "bench-only",
            "CREDENTIAL_KEYS": Fernet.generate_key().decode(),
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{self.folder / 'db.sqlite3'}",
            "DATASERVER_STORAGE_DIR": str(self.storage),
            "DATASERVER_PUBLIC_URL": self.url,
            "REDIS_URL": REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "true" if self.eager_tasks else "false",
            "WEB_CONCURRENCY": str(self.workers),
            "GDAL_CACHEMAX": self.gdal_cachemax,
            **self.extra_env,
        }
        self.process = None
        self.log = open(self.folder / "server.log", "wb")
        try:
            self.manage("migrate", "--noinput")
            created = self.manage("dataserver_account", "create", "--email", "bench@example.com",
                                   "--memory-limit", "unlimited")
            self.auth = {"Authorization": f"Basic {created.strip().splitlines()[-1]}"}
            self.process = subprocess.Popen(
                [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{self.port}",
                 "--access-logfile", "/dev/null"],
                cwd=REPO, env=self.env, start_new_session=True, stdout=self.log, stderr=self.log,
            )
            wait_until_up(f"{self.url}/healthz", process=self.process)
        except BaseException:
            sys.stderr.write(self.log_tail())
            self.__exit__(None, None, None)
            raise
        return self

    def log_tail(self) -> str:
        """The end of the server's log (the folder it is in goes when the server stops)."""
        self.log.flush()
        return (self.folder / "server.log").read_text(errors="replace")[-5000:]

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            stop(self.process)
        self.log.close()
        subprocess.run(["redis-cli", "-n", REDIS_URL.rsplit("/", 1)[1], "flushdb"], capture_output=True, timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)

    def manage(self, *args: str) -> str:
        done = subprocess.run([PYTHON, "manage.py", *args], cwd=REPO, env=self.env, capture_output=True, text=True,
                              timeout=120)
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed: {done.stderr}")
        return done.stdout

    def worker_processes(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children(recursive=True)

    def mosaic_create(self, name: str) -> str:
        response = requests.post(f"{self.url}/rest/rasters/mosaic", json={"name": name, "tags": []},
                                 headers=self.auth, timeout=REQUEST_TIMEOUT)
        response.raise_for_status()
        return response.json()["id"]

    def mosaic_cog_uri(self, mosaic_id: str) -> str:
        response = requests.get(f"{self.url}/rest/rasters/mosaic/{mosaic_id}", headers=self.auth,
                                timeout=REQUEST_TIMEOUT)
        response.raise_for_status()
        return response.json()["rasterLayer"]["tileJsonUrl"].split("uri=", 1)[1]

    def upload(self, path: Path, mosaic_id: str) -> dict:
        """POST the file with curl (streams from disk, so the client is never the bottleneck)."""
        done = subprocess.run(
            ["curl", "-sS", "--fail-with-body", "-H", f"Authorization: {self.auth['Authorization']}",
             "-F", f"file=@{path}", f"{self.url}/rest/rasters/mosaic/{mosaic_id}/image"],
            capture_output=True, text=True, timeout=1800,
        )
        if done.returncode:
            raise RuntimeError(f"upload failed: {done.stdout} {done.stderr}\nThe server's log ends:\n{self.log_tail()}")
        return json.loads(done.stdout)
