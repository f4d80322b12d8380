"""The benchmarks' load generator: wrk (`apt-get install wrk`), which costs the machine almost nothing per request.

A Python client (requests in threads) spent 1.4 ms of CPU on each request, as much as the servers it measured on the
same two cores: it capped every run near 700 requests per second and took its share of the CPU from the servers. wrk
spends tens of microseconds, so the rates and the servers' CPU per request are theirs.

    load_run(urls, clients=8)  # every URL once, from 8 keep-alive connections
"""

import json
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

RUN_TIMEOUT = 600
SCRIPT = Path(__file__).resolve().parent / "load.lua"


def load_run(urls: list[str], *, clients: int) -> dict:
    """GET every URL (all of one server) once from `clients` keep-alive connections over at most 2 wrk threads.
    An answer counts when it is a 200 image; the rest are errors."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("The benchmarks need wrk: apt-get install wrk")
    origins = {urlsplit(url)[:2] for url in urls}
    if len(origins) != 1:
        raise ValueError(f"load_run takes the URLs of one server, not {len(origins)}")
    scheme, netloc = origins.pop()
    threads = min(2, clients, len(urls))
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as paths:
        for url in urls:
            parts = urlsplit(url)
            paths.write(f"{parts.path}?{parts.query}\n" if parts.query else f"{parts.path}\n")
        paths.flush()
        command = [wrk, f"-t{threads}", f"-c{max(clients, threads)}", f"-d{RUN_TIMEOUT}s", "--timeout", "60s",
                   "-s", str(SCRIPT), f"{scheme}://{netloc}", "--", paths.name, str(threads)]
        wrk_run = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        finished = 0
        for line in wrk_run.stdout:
            if line.strip() == "finished":
                finished += 1
                if finished == threads:  # wrk waits for its whole duration: it stops when interrupted
                    wrk_run.send_signal(signal.SIGINT)
            elif line.startswith("{"):
                result = json.loads(line)
        if wrk_run.wait() != 0 or finished < threads:
            raise RuntimeError(f"wrk did not answer every request within {RUN_TIMEOUT} s (exit {wrk_run.returncode})")
    return {
        "requests": len(urls),
        "errors": len(urls) - result["ok"],
        "mean_kb": result["ok_bytes"] / max(result["ok"], 1) / 1024,
        "tiles_per_second": result["ok"] / result["seconds"],
        "p50_ms": result["p50_ms"],
        "p95_ms": result["p95_ms"],
    }
