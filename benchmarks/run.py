"""Run the benchmark: generate, ingest, ask, query, and print one markdown table.

Each heavy phase (ingest + ceiling, ask + SPARQL) runs in its own child process so that
its peak RSS (VmHWM) is its own; the cold ``kg ask`` is timed as the real CLI.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "out"
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
TARGETS = {
    "ceiling_ratio": "≤ 1.5",
    "ask_p50_ms": "≤ 100",
    "ask_p95_ms": "≤ 250",
    "cold_ask_s": "≤ 8",
    "sparql": "≤ 50",
    "triples": "≥ 1M (largest)",
    "ask_rss_mb": "≤ 1500",
    "wall_10k": "≤ 900 s at 10k",
}


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def disk_mb(path: Path) -> float:
    """Bytes under ``path`` in MB, a hard-linked file (a published RDF snapshot) once."""
    sizes = {
        (s.st_dev, s.st_ino): s.st_size for p in path.rglob("*") if (s := p.stat()) and p.is_file()
    }
    return sum(sizes.values()) / 1e6


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _settings(home: Path) -> Any:
    from kg.settings import Settings

    return Settings.from_env(home=home)


# --- phase: ingest and the embedding-only ceiling -------------------------------------


def phase_ingest(root: Path, home: Path, ceiling: bool = True) -> dict[str, Any]:
    """Ingest ``root/corpus`` into ``home``, then time embedding the same passages."""
    from ingest.pipeline import ingest
    from kg.base import KnowledgeBase
    from kg.embed import get_embedder

    settings = _settings(home)
    started = time.perf_counter()
    embedder = get_embedder(settings.embedder, settings.embed_model, settings.embed_batch)
    embedder.embed(["warm up"])
    load_s = time.perf_counter() - started
    writes = _time_writes()
    report = ingest(settings, [root / "corpus"])
    ingest_rss = peak_rss_mb()
    if report.failed:
        raise SystemExit(f"ingest failed: {report.failed[:3]}")
    result = {
        "docs": len(report.added),
        "passages": report.passages,
        "triples_written": report.triples,
        "ingest_s": report.seconds,
        "model_load_s": load_s,
        "ingest_rss_mb": ingest_rss,
        "write_s": writes[0],
    }
    if ceiling:
        kb = KnowledgeBase(settings, read_only=True)
        texts = [p.embedding_text for p in kb.texts.all_passages()]
        started = time.perf_counter()
        embedder.embed(texts)
        result["ceiling_s"] = time.perf_counter() - started
    return result


def _time_writes() -> list[float]:
    """Seconds spent in the pipeline's store writes (texts, vectors, RDF), summed into the
    returned cell: the part of an ingest that a writer must do itself, the rest (loading,
    extraction, embedding) being work that parallel workers could share."""
    import ingest.pipeline as pipeline

    spent = [0.0]
    write = pipeline.write_documents

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return write(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    pipeline.write_documents = timed
    return spent


# --- phase: warm ask, quality and SPARQL ----------------------------------------------


def _gold_span(kb: Any, corpus: Path, item: dict[str, Any]) -> tuple[str, int, int] | None:
    from ingest.load import doc_id_for

    if not item.get("doc"):
        return None
    doc_id = doc_id_for(corpus / item["doc"], corpus)
    start = kb.texts.text(doc_id).find(item["quote"])
    return (doc_id, start, start + len(item["quote"])) if start >= 0 else None


def _hit(citations: list[Any], gold: tuple[str, int, int] | None, evidence: list[str]) -> bool:
    """A citation overlaps the gold span, or its text holds the evidence quote."""
    from benchmarks.generate import norm

    for c in citations:
        if gold and c.document == gold[0] and c.start < gold[2] and gold[1] < c.end:
            return True
        if any(e and e in norm(c.text) for e in evidence):
            return True
    return False


def _correct(item: dict[str, Any], answer: Any, hit: bool) -> bool:
    """The eval scorer's rule: every must group in the answer, evidence cited; or abstained."""
    from benchmarks.generate import norm

    if not item["answerable"]:
        return not answer.answered
    text = f" {norm(answer.answer)} "
    musts = all(any(f" {norm(alt)} " in text for alt in group) for group in item["must"])
    return bool(answer.answered and musts and hit)


def _retrieved(kb: Any, item: dict[str, Any], gold: tuple[str, int, int] | None) -> bool:
    """The gold span is among the top-k passages the retriever hands to the answerer."""
    from assistant.retrieve import retrieve

    if gold is None:
        return False
    qvec = kb.embedder.embed([item["question"]])[0]
    hits = retrieve(kb, item["question"], kb.settings.top_k, qvec)
    return any(
        h.passage.doc_id == gold[0] and h.passage.start < gold[2] and gold[1] < h.passage.end
        for h in hits
    )


def phase_ask(root: Path, home: Path, sparql: bool) -> dict[str, Any]:
    """Warm latency over every question in one process, quality, and SPARQL medians."""
    from assistant.answer import Answerer
    from kg.base import KnowledgeBase

    kb = KnowledgeBase(_settings(home), read_only=True)
    answerer = Answerer(kb)
    items = [json.loads(x) for x in (root / "questions.jsonl").read_text().splitlines() if x]
    answerer.ask("Who chairs the board?")  # load the model and caches: not part of warm latency
    latencies, hits, correct, retrieved = [], [], [], []
    log: list[dict[str, Any]] = []
    for item in items:
        started = time.perf_counter()
        answer = answerer.ask(item["question"])
        latencies.append((time.perf_counter() - started) * 1000)
        gold = _gold_span(kb, root / "corpus", item)
        hit = _hit(answer.citations, gold, item["evidence"]) if item["answerable"] else False
        if item["answerable"]:
            hits.append(hit)
            retrieved.append(_retrieved(kb, item, gold))
        correct.append(_correct(item, answer, hit))
        log.append({"id": item["id"], "ok": correct[-1], "hit": hit, **answer.to_json()})
    answers = "".join(json.dumps(x) + "\n" for x in log)
    (root / "answers.jsonl").write_text(answers, encoding="utf-8")
    result = {
        "questions": len(items),
        "ask_p50_ms": percentile(latencies, 50),
        "ask_p95_ms": percentile(latencies, 95),
        "hit_rate": sum(hits) / max(1, len(hits)),
        "recall_at_k": sum(retrieved) / max(1, len(retrieved)),
        "accuracy": sum(correct) / max(1, len(correct)),
        "ask_rss_mb": peak_rss_mb(),
        "latencies_ms": [round(x, 1) for x in latencies],
    }
    if sparql:
        result["sparql_ms"], result["sparql_rows"] = sparql_medians(root, home)
        result["sparql_floor_ms"] = sparql_floor(kb)
    result["triples"] = triple_count(kb)
    return result


def sparql_medians(
    root: Path, home: Path, timeout: float = 60.0
) -> tuple[dict[str, float], dict[str, int]]:
    """Median ms and row count of every saved query, each in its own capped child process.

    A query that runs past ``timeout`` seconds is reported as inf, one that exceeds the
    memory cap (or fails) as nan: a runaway join must not take the benchmark down with it.
    """
    from kg.sparql import saved_queries

    times, counts = {}, {}
    for name in sorted(saved_queries(REPO / "ontology" / "queries")):
        cmd = [sys.executable, "-m", "benchmarks", "--phase", "sparql", "--root", str(root)]
        cmd += ["--home", str(home)]
        try:
            proc = subprocess.run(
                [*cmd, "--query", name],
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=timeout,
                preexec_fn=_cap_memory,
            )
            value = (
                json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else None
            )
            times[name] = float(value["ms"]) if value is not None else float("nan")
            counts[name] = int(value["rows"]) if value is not None else -1
        except subprocess.TimeoutExpired:
            times[name], counts[name] = float("inf"), -1
        print(f"  sparql {name}: {times[name]:.1f} ms", file=sys.stderr, flush=True)
    return times, counts


def _cap_memory(megabytes: int = 4096) -> None:
    import resource

    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def phase_sparql(root: Path, home: Path, name: str, repeats: int = 5) -> dict[str, float]:
    """Median wall time (ms) of one saved query, results fully consumed, after a warm-up."""
    from kg.base import KnowledgeBase
    from kg.sparql import rows, run_query, saved_queries

    store = KnowledgeBase(_settings(home), read_only=True).rdf
    text = _existing_document(store, saved_queries(REPO / "ontology" / "queries")[name][1])
    ms, table = _warm_median_ms(lambda: rows(run_query(store, text)), repeats)
    return {"ms": ms, "rows": len(table)}


def _warm_median_ms(read: Callable[[], list[list[str]]], repeats: int) -> tuple[float, Any]:
    """Median ms of ``repeats`` calls after one warm-up call, and the last call's result."""
    times, result = [], None
    for _ in range(repeats + 1):
        started = time.perf_counter()
        result = read()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[1:]), result


def _existing_document(store: Any, text: str) -> str:
    """Point a query that names one document's graph at a document the corpus holds."""
    import re

    from kg.namespaces import GRAPH_BASE

    named = re.search(rf"<{re.escape(GRAPH_BASE)}doc/[^>]+>", text)
    graphs = [g for g in store.graph_names() if g.startswith(f"{GRAPH_BASE}doc/")]
    if named is None or not graphs or named.group(0)[1:-1] in graphs:
        return text
    return text.replace(named.group(0), f"<{graphs[0]}>")


def sparql_floor(kb: Any, count: int = 10_000, repeats: int = 5) -> float:
    """Median ms to read ``count`` rows of the cheapest possible query (one quad scan):
    the least any query returning that many rows can cost through the same code."""
    from kg.sparql import rows, run_query

    text = f"SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT {count}"
    return _warm_median_ms(lambda: rows(run_query(kb.rdf, text)), repeats)[0]


def triple_count(kb: Any) -> int:
    """Quads in govkg's graphs (a shared server's own graphs, e.g. Virtuoso's, left out)."""
    return int(kb.rdf.count())


# --- the real server: its memory after answering and querying ----------------------


def _vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def server_memory(root: Path, questions: list[str]) -> dict[str, float]:
    """Peak RSS of a real `kg serve` after it answered ``questions`` through the Gradio API
    and ran every saved query through /sparql (whose workers are separate processes)."""
    import socket

    import httpx
    from gradio_client import Client

    from kg.sparql import saved_queries

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {**os.environ, **OFFLINE, "KG_HOME": str(root / "home"), "KG_PORT": str(port)}
    kg = Path(sys.executable).with_name("kg")
    proc = subprocess.Popen(
        [str(kg), "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, proc)
        client = Client(base + "/", verbose=False)
        for question in questions:
            client.predict(question, [], api_name="/respond")
        for _title, text in saved_queries(REPO / "ontology" / "queries").values():
            httpx.post(
                f"{base}/sparql",
                data={"query": text},
                headers={"Accept": "application/sparql-results+json"},
                timeout=60,
            )
        workers = [_vm_hwm_mb(pid) for pid in _children(proc.pid)]
        return {
            "server_rss_mb": _vm_hwm_mb(proc.pid),
            "server_workers_rss_mb": sum(workers),
            "server_workers": float(len(workers)),
        }
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes], grace_s: float = 30) -> None:
    """Stop a server the run started; a busy machine may need longer than the grace."""
    proc.terminate()
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _wait_for(base: str, proc: subprocess.Popen[bytes], seconds: float = 180) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("kg serve exited before it answered")
        try:
            if httpx.get(f"{base}/sparql", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit("kg serve did not answer within 3 minutes")


# --- cold CLI --------------------------------------------------------------------------


def cold_ask(root: Path, question: str, runs: int = 2) -> float:
    """Slowest of ``runs`` wall times of a fresh ``kg ask`` process (model load included)."""
    env = {**os.environ, **OFFLINE, "KG_HOME": str(root / "home")}
    kg = Path(sys.executable).with_name("kg")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [str(kg), "ask", question, "--json"], env=env, check=True, capture_output=True
        )
        times.append(time.perf_counter() - started)
    return max(times)


# --- orchestration ---------------------------------------------------------------------


def _child(
    phase: str, root: Path, *extra: str, home: Path | None = None, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run one phase in a fresh interpreter (with ``env`` added) and return its JSON result."""
    cmd = [sys.executable, "-m", "benchmarks", "--phase", phase, "--root", str(root), *extra]
    cmd += ["--home", str(home or root / "home")]
    proc = subprocess.run(
        cmd, cwd=REPO, env={**os.environ, **OFFLINE, **(env or {})}, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(f"phase {phase} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_size(size: int, questions: int, sparql: bool, seed: int) -> dict[str, Any]:
    """Every figure for one corpus size, in a fresh KG_HOME."""
    from benchmarks.generate import write_corpus

    root = OUT / f"n{size}"
    shutil.rmtree(root, ignore_errors=True)
    write_corpus(root, size, questions, seed)
    print(f"[{size}] ingesting ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    load = os.getloadavg()[0]
    result = {"size": size, **_child("ingest", root), "load_before": load}
    result["phase_wall_s"] = time.perf_counter() - started
    print(f"[{size}] asking ...", file=sys.stderr, flush=True)
    result.update(_child("ask", root, *(["--sparql"] if sparql else [])))
    first = json.loads((root / "questions.jsonl").read_text().splitlines()[0])["question"]
    result["cold_ask_s"] = cold_ask(root, first)
    print(f"[{size}] serving ...", file=sys.stderr, flush=True)
    items = [json.loads(x) for x in (root / "questions.jsonl").read_text().splitlines() if x]
    result.update(server_memory(root, [item["question"] for item in items]))
    result["disk_mb"] = disk_mb(root / "home")
    print(f"[{size}] {json.dumps(result)}", file=sys.stderr, flush=True)
    return result


# --- the backend axis: the same corpus on the servers -------------------------------------

SERVER_BACKENDS = {"oxigraph-server": "start_oxigraph", "virtuoso": "start_virtuoso"}


def bench_backend(size: int, backend: str) -> dict[str, Any]:
    """Ingest, ask and every saved query for the corpus of ``size`` on fresh servers
    (``backend`` for RDF, a Chroma server for vectors), in a KG_HOME of its own."""
    from tests import servers

    if backend not in SERVER_BACKENDS:
        raise SystemExit(f"unknown backend {backend!r}; valid: {', '.join(SERVER_BACKENDS)}")
    root = OUT / f"n{size}"
    folder = root / "servers" / backend
    shutil.rmtree(folder, ignore_errors=True)
    rdf = getattr(servers, SERVER_BACKENDS[backend])(folder / "rdf")
    chroma = servers.start_chroma(folder / "chroma")
    env = {**rdf.env, **chroma.env, "KG_SPARQL_TIMEOUT": "120"}
    home = root / f"home-{backend}"
    shutil.rmtree(home, ignore_errors=True)
    try:
        print(f"[{size}/{backend}] ingesting ...", file=sys.stderr, flush=True)
        load = os.getloadavg()[0]
        result = {"backend": backend, **_child("ingest", root, "--no-ceiling", home=home, env=env)}
        result["load_before"] = load
        print(f"[{size}/{backend}] asking ...", file=sys.stderr, flush=True)
        result.update(_child("ask", root, "--sparql", home=home, env=env))
        result["rdf_server_rss_mb"] = _vm_hwm_mb(rdf.process.pid)
        result["chroma_rss_mb"] = _vm_hwm_mb(chroma.process.pid)
    finally:
        rdf.stop()
        chroma.stop()
    result["server_disk_mb"] = disk_mb(folder / "rdf")
    result["chroma_disk_mb"] = disk_mb(folder / "chroma")
    result["disk_mb"] = disk_mb(home)
    print(f"[{size}/{backend}] {json.dumps(result)}", file=sys.stderr, flush=True)
    return result


def _ratio(value: float, base: float) -> str:
    if not (math.isfinite(value) and math.isfinite(base)) or base <= 0:
        return ""
    return f" ({value / base:.2f}×)"


def backend_table(results: list[dict[str, Any]]) -> str:
    """Embedded, Oxigraph server and Virtuoso side by side; servers with their ratio to
    the embedded figure of the same size."""
    sized = [r for r in results if "backends" in r]
    columns: list[tuple[dict[str, Any], dict[str, Any], str]] = []
    for r in sized:
        columns.append((r, r, f"{r['size']:,} embedded"))
        columns += [(r, b, f"{r['size']:,} {name}") for name, b in r["backends"].items()]
    head = ["figure", *[label for _, _, label in columns]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def add(label: str, get: Any, fmt: str = "{:.1f}", ratio: bool = True) -> None:
        cells = []
        for base, figures, _ in columns:
            value, reference = get(figures), get(base)
            if value is None:
                cells.append("–")
                continue
            text = _ms(value) if fmt == "ms" else fmt.format(value)
            same = figures is base or not ratio
            cells.append(text + ("" if same else _ratio(value, reference or 0.0)))
        lines.append("| " + " | ".join([label, *cells]) + " |")

    add(
        "load average before the ingest (other work here)", lambda r: r.get("load_before"), "{:.1f}"
    )
    add("ingest wall time (s)", lambda r: r.get("ingest_s"))
    add("of which store writes (s)", lambda r: r.get("write_s"))
    add("ask warm p50 (ms)", lambda r: r.get("ask_p50_ms"), "{:.0f}")
    add("ask warm p95 (ms)", lambda r: r.get("ask_p95_ms"), "{:.0f}")
    add("answer accuracy", lambda r: r.get("accuracy"), "{:.0%}", False)
    add("triples", lambda r: r.get("triples"), "{:,}", False)
    for name in sorted(sized[-1].get("sparql_ms", {})):
        add(f"SPARQL `{name}` median (ms)", lambda r, n=name: r.get("sparql_ms", {}).get(n), "ms")
    add("SPARQL floor: 10,000 rows of one scan (ms)", lambda r: r.get("sparql_floor_ms"), "{:.1f}")
    add("RDF server peak RSS (MB)", lambda r: r.get("rdf_server_rss_mb"), "{:.0f}")
    add("RDF server data on disk (MB)", lambda r: r.get("server_disk_mb"), "{:.0f}", False)
    add("Chroma server peak RSS (MB)", lambda r: r.get("chroma_rss_mb"), "{:.0f}", False)
    return "\n".join(lines)


def _ms(value: float) -> str:
    """A SPARQL median, or why there is none."""
    if math.isinf(value):
        return "timeout (> 60 s)"
    if math.isnan(value):
        return "failed (> 4 GB)"
    return f"{value:.1f}"


def _sparql_cell(result: dict[str, Any], name: str) -> str:
    if "sparql_ms" not in result:
        return "–"
    rows = result.get("sparql_rows", {}).get(name, -1)
    return _ms(result["sparql_ms"][name]) + (f", {rows:,}" if rows >= 0 else "")


def _row(label: str, target: str, values: list[str]) -> str:
    return "| " + " | ".join([label, *values, target]) + " |"


def table(results: list[dict[str, Any]]) -> str:
    """One markdown table: a row per figure, a column per corpus size."""
    head = ["figure", *[f"{r['size']:,} docs" for r in results], "target"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def add(label: str, fmt: Any, target: str = "") -> None:
        lines.append(_row(label, target, [fmt(r) for r in results]))

    add("passages", lambda r: f"{r['passages']:,}")
    add("ingest wall time (s)", lambda r: f"{r['ingest_s']:.1f}", TARGETS["wall_10k"])
    add("ingest docs/s", lambda r: f"{r['docs'] / r['ingest_s']:.1f}")
    add("ingest passages/s", lambda r: f"{r['passages'] / r['ingest_s']:.1f}")
    add("embedding-only ceiling (s)", lambda r: f"{r['ceiling_s']:.1f}")
    add(
        "ingest / ceiling",
        lambda r: f"{r['ingest_s'] / r['ceiling_s']:.2f}",
        TARGETS["ceiling_ratio"],
    )
    add("model load, excluded above (s)", lambda r: f"{r['model_load_s']:.1f}")
    add("ask warm p50 (ms)", lambda r: f"{r['ask_p50_ms']:.0f}", TARGETS["ask_p50_ms"])
    add("ask warm p95 (ms)", lambda r: f"{r['ask_p95_ms']:.0f}", TARGETS["ask_p95_ms"])
    add("questions timed", lambda r: str(r["questions"]))
    add("cold `kg ask` (s)", lambda r: f"{r['cold_ask_s']:.1f}", TARGETS["cold_ask_s"])
    add("gold passage in citations", lambda r: f"{r['hit_rate']:.0%}")
    add("gold passage in retrieved top-k", lambda r: f"{r['recall_at_k']:.0%}")
    add("answer accuracy (scorer rule)", lambda r: f"{r['accuracy']:.0%}")
    add("triples", lambda r: f"{r['triples']:,}", TARGETS["triples"])
    for name in sorted(results[-1].get("sparql_ms", {})):
        add(
            f"SPARQL `{name}` median (ms), rows",
            lambda r, n=name: _sparql_cell(r, n),
            TARGETS["sparql"],
        )
    add(
        "SPARQL floor: read 10,000 rows of one quad scan (ms)",
        lambda r: f"{r['sparql_floor_ms']:.1f}" if "sparql_floor_ms" in r else "–",
    )
    add("peak RSS ingest (MB)", lambda r: f"{r['ingest_rss_mb']:.0f}")
    add("peak RSS ask + SPARQL, one process (MB)", lambda r: f"{r['ask_rss_mb']:.0f}")
    add(
        "peak RSS `kg serve` after every question and query (MB)",
        lambda r: f"{r['server_rss_mb']:.0f}" if "server_rss_mb" in r else "–",
        TARGETS["ask_rss_mb"],
    )
    add(
        "peak RSS of its SPARQL worker processes, summed (MB)",
        lambda r: (
            f"{r['server_workers_rss_mb']:.0f} ({r['server_workers']:.0f})"
            if "server_workers_rss_mb" in r
            else "–"
        ),
    )
    add("KG_HOME on disk (MB)", lambda r: f"{r['disk_mb']:.0f}")
    return "\n".join(lines)


def machine() -> str:
    """Cores and RAM of this machine, for the table's caption."""
    mem = next(
        x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")
    )
    gb = int(mem.split()[1]) / 1024 / 1024
    return f"{os.cpu_count()} cores, {gb:.0f} GB RAM, Python {sys.version.split()[0]}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("--sizes", default="100,1000,10000", help="comma-separated corpus sizes")
    ap.add_argument("--questions", type=int, default=60, help="questions per size (≥ 50)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, help="also write the table (and JSON beside it) here")
    ap.add_argument("--phase", choices=["ingest", "ask", "sparql"], help=argparse.SUPPRESS)
    ap.add_argument("--query", help=argparse.SUPPRESS)
    ap.add_argument("--from-json", type=Path, help="re-print the table of an earlier --out run")
    ap.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--no-ceiling", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument(
        "--backends",
        default="",
        help="server backends to compare with the embedded stores: oxigraph-server,virtuoso",
    )
    ap.add_argument(
        "--backend-sizes", default="1000,10000", help="corpus sizes at which --backends run"
    )
    ap.add_argument("--sparql", action="store_true", help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.update(OFFLINE)
    if args.phase == "ingest":
        print(json.dumps(phase_ingest(args.root, args.home, ceiling=not args.no_ceiling)))
        return 0
    if args.phase == "ask":
        print(json.dumps(phase_ask(args.root, args.home, args.sparql)))
        return 0
    if args.phase == "sparql":
        print(json.dumps(phase_sparql(args.root, args.home, args.query)))
        return 0
    if args.from_json:
        results = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        backends = [b for b in args.backends.split(",") if b.strip()]
        axis = {int(s) for s in args.backend_sizes.split(",") if s.strip()} if backends else set()
        results = []
        for n in sizes:
            results.append(bench_size(n, args.questions, n == max(sizes) or n in axis, args.seed))
            if n in axis:
                results[-1]["backends"] = {b: bench_backend(n, b) for b in backends}
    text = f"Machine: {machine()}\n\n{table(results)}\n"
    if any("backends" in r for r in results):
        text += f"\n{backend_table(results)}\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        args.out.with_suffix(".json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0
