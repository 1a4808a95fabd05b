"""How /sparql treats ordinary queries while runaway queries run (issue 10, item 6).

``python -m benchmarks.sparql_fairness [--home KG_HOME] [--runaways 4] [--timeout 5]``

Starts a real ``kg serve`` on loopback and measures, in three phases:

1. **runaways**: N clients' worth of runaway queries (a cross product that only the
   timeout stops) from one address (127.0.0.2), re-sent as soon as each ends, while another
   address (127.0.0.3) sends ordinary queries one after another: their latency p50/p95 and
   status codes.
2. **flood**: 50 runaway queries at once from 127.0.0.2 while 127.0.0.3 sends ordinary
   queries: status codes on both sides, and the most worker processes seen alive.
3. **big body**: a 200 MB POST from 127.0.0.2 while 127.0.0.3 sends ordinary queries: the
   status, the time to refuse it and the server's RSS growth.

Without ``--home`` the shipped corpus is ingested into a temporary KG_HOME first. With
``PYTHONPATH`` pointing at another checkout, the same script measures that code.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ORDINARY = "SELECT DISTINCT ?org ?name WHERE { ?org a org:Organization ; skos:prefLabel ?name }"
HOG, OTHER = "127.0.0.2", "127.0.0.3"
ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}


def client(address: str, timeout: float) -> httpx.Client:
    """An HTTP client whose connections come from ``address`` (any 127/8 works on Linux)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=timeout)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def workers_of(pid: int) -> int:
    """Live query-worker processes whose parent is ``pid``."""
    count = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"kg.sparql" in cmdline:
            count += 1
    return count


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Server:
    def __init__(self, home: Path, timeout: float) -> None:
        with __import__("socket").socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        env = {**os.environ, **ENV, "KG_HOME": str(home), "KG_SPARQL_TIMEOUT": str(timeout)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--port", str(self.port)],
            env=env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.5)
        raise SystemExit("kg serve did not come up")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def ordinary_loop(url: str, stop: threading.Event, timeout: float) -> list[tuple[float, int]]:
    """Ordinary queries one after another from OTHER until ``stop``: (seconds, status)."""
    out: list[tuple[float, int]] = []
    with client(OTHER, 4 * timeout + 30) as http:
        while not stop.is_set():
            started = time.monotonic()
            status = http.get(url, params={"query": ORDINARY}).status_code
            out.append((time.monotonic() - started, status))
            time.sleep(0.05)
    return out


def summary(samples: list[tuple[float, int]]) -> dict[str, Any]:
    seconds = [s for s, status in samples if status == 200]
    return {
        "n": len(samples),
        "statuses": dict(Counter(status for _, status in samples)),
        "p50_ms": round(1000 * percentile(seconds, 0.5), 1),
        "p95_ms": round(1000 * percentile(seconds, 0.95), 1),
    }


def phase_runaways(server: Server, count: int, seconds: float, timeout: float) -> dict[str, Any]:
    stop = threading.Event()
    hog_statuses: Counter[int] = Counter()

    def hog() -> None:
        with client(HOG, 4 * timeout + 30) as http:
            while not stop.is_set():
                hog_statuses[http.get(server.url, params={"query": RUNAWAY}).status_code] += 1

    threads = [threading.Thread(target=hog) for _ in range(count)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    result: list[tuple[float, int]] = []
    runner = threading.Thread(
        target=lambda: result.extend(ordinary_loop(server.url, stop, timeout))
    )
    runner.start()
    time.sleep(seconds)
    stop.set()
    runner.join()
    for thread in threads:
        thread.join()
    return {"runaways": count, "ordinary": summary(result), "runaway_statuses": dict(hog_statuses)}


def phase_flood(server: Server, count: int, timeout: float) -> dict[str, Any]:
    stop = threading.Event()
    flood_statuses: Counter[int] = Counter()
    flood_seconds: list[float] = []
    most_workers = 0

    def one() -> None:
        with client(HOG, 4 * timeout + 30) as http:
            started = time.monotonic()
            flood_statuses[http.get(server.url, params={"query": RUNAWAY}).status_code] += 1
            flood_seconds.append(time.monotonic() - started)

    result: list[tuple[float, int]] = []
    runner = threading.Thread(
        target=lambda: result.extend(ordinary_loop(server.url, stop, timeout))
    )
    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    runner.start()
    while any(t.is_alive() for t in threads):
        most_workers = max(most_workers, workers_of(server.proc.pid))
        time.sleep(0.05)
    stop.set()
    runner.join()
    return {
        "flood": count,
        "flood_statuses": dict(flood_statuses),
        "flood_max_wait_s": round(max(flood_seconds), 2),
        "ordinary": summary(result),
        "most_workers_alive": most_workers,
    }


def phase_big_body(server: Server, megabytes: int, timeout: float) -> dict[str, Any]:
    stop = threading.Event()
    result: list[tuple[float, int]] = []
    runner = threading.Thread(
        target=lambda: result.extend(ordinary_loop(server.url, stop, timeout))
    )
    runner.start()
    before = rss_mb(server.proc.pid)
    peak = before
    body = b"query=" + b"a" * (megabytes * 1024 * 1024)
    done = threading.Event()
    outcome: dict[str, Any] = {}

    def post() -> None:
        started = time.monotonic()
        try:
            with client(HOG, 120) as http:
                response = http.post(
                    server.url,
                    content=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
            outcome["status"] = response.status_code
        except httpx.TransportError as exc:  # the server may close before reading it all
            outcome["status"] = f"connection closed ({type(exc).__name__})"
        outcome["seconds"] = round(time.monotonic() - started, 2)
        done.set()

    threading.Thread(target=post).start()
    while not done.wait(0.05):
        peak = max(peak, rss_mb(server.proc.pid))
    time.sleep(0.5)
    stop.set()
    runner.join()
    return {
        "body_mb": megabytes,
        **outcome,
        "server_rss_growth_mb": round(peak - before, 1),
        "ordinary": summary(result),
    }


def ingest_corpus(home: Path) -> None:
    env = {**os.environ, **ENV, "KG_HOME": str(home)}
    subprocess.run(
        [sys.executable, "-m", "assistant", "ingest", str(REPO / "corpus")],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--home", type=Path, help="a KG_HOME with data (default: ingest corpus/)")
    ap.add_argument("--runaways", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=20.0, help="length of phase 1")
    ap.add_argument("--flood", type=int, default=50)
    ap.add_argument("--body-mb", type=int, default=200)
    ap.add_argument("--timeout", type=float, default=5.0, help="KG_SPARQL_TIMEOUT for the server")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-fairness-") as tmp:
        home = args.home
        if home is None:
            home = Path(tmp) / "home"
            ingest_corpus(home)
        server = Server(home, args.timeout)
        try:
            report = {
                "timeout_s": args.timeout,
                "runaways": phase_runaways(server, args.runaways, args.seconds, args.timeout),
                "flood": phase_flood(server, args.flood, args.timeout),
                "big_body": phase_big_body(server, args.body_mb, args.timeout),
            }
        finally:
            server.stop()
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
