"""Real servers on loopback for the server tests and the benchmark's backend axis.

Each ``start_*`` runs one server in a fresh folder on a free 127.0.0.1 port and returns a
:class:`Server` whose ``env`` points govkg at it (the ``KG_*`` variables a deployment
would set); ``stop()`` ends it. Nothing listens beyond loopback.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

VIRTUOSO_USER, VIRTUOSO_PASSWORD = "govkg", "govkg-test-secret"


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    folder: Path
    env: dict[str, str] = field(default_factory=dict)
    log: Path | None = None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def tail(self) -> str:
        return (
            self.log.read_text(errors="replace")[-1500:] if self.log and self.log.exists() else ""
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _venv_tool(name: str) -> str:
    tool = Path(sys.executable).with_name(name)
    if tool.exists():
        return str(tool)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: run `make install` (or `make servers`)")
    return found


def _popen(args: list[str], folder: Path, log_name: str) -> tuple[subprocess.Popen[bytes], Path]:
    log = folder / log_name
    handle = open(log, "wb")  # noqa: SIM115 - the child keeps writing to it
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen(
        args, cwd=folder, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
    )
    handle.close()
    return proc, log


def _wait(server: Server, ready: httpx.Request | str, seconds: float = 120) -> None:
    """Poll until the server answers; a loaded machine may need a while."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited at start-up:\n{server.tail()}")
        try:
            if httpx.get(str(ready), timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    server.stop()
    raise RuntimeError(f"{server.name} did not answer within {seconds:g} s:\n{server.tail()}")


def start_oxigraph(folder: Path) -> Server:
    """``oxigraph serve`` with the union of the named graphs as its default graph."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = [_venv_tool("oxigraph"), "serve", "--location", str(folder / "data")]
    args += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    proc, log = _popen(args, folder, "oxigraph.log")
    env = {
        "KG_RDF_STORE": "sparql",
        "KG_SPARQL_URL": f"{base}/query",
        "KG_SPARQL_UPDATE_URL": f"{base}/update",
    }
    server = Server("oxigraph", proc, folder, env, log)
    _wait(server, f"{base}/query?query=ASK%7B%7D")
    return server


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 8
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
AllowOSCalls = 0
DirsAllowed = {d}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4
MaxQueryMem = 1G

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
MaxClientConnections = 8
DavRoot = DAV
EnabledDavVSP = 0
ServerThreads = 8
MaxKeepAlives = 8
KeepAliveTimeout = 10
HTTPThreadSize = 280000
HttpTimeout = 600

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 600
DefaultQuery = ASK {{ }}
DeferInferenceRulesInit = 1
"""


def start_virtuoso(folder: Path, buffers: int = 170000) -> Server:
    """Virtuoso 7 with its own ports and files, and a user who may run SPARQL updates.

    Queries go to the public ``/sparql``; updates to ``/sparql-auth`` (HTTP digest) as a
    user created for govkg with the ``SPARQL_UPDATE`` role: the anonymous ``SPARQL`` user
    may not write, and govkg needs no DBA rights.
    """
    folder.mkdir(parents=True, exist_ok=True)
    binary = shutil.which("virtuoso-t")
    if binary is None:
        raise RuntimeError(
            "virtuoso-t not found: run `make servers` (Debian virtuoso-opensource-7-bin)"
        )
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.format(
            d=folder,
            sql_port=sql_port,
            http_port=http_port,
            buffers=buffers,
            dirty=buffers * 3 // 4,
        ),
        encoding="utf-8",
    )
    proc, _log = _popen([binary, "+foreground", "+configfile", str(ini)], folder, "stdout.log")
    base = f"http://127.0.0.1:{http_port}"
    server = Server("virtuoso", proc, folder, {}, folder / "virtuoso.log")
    _wait(server, f"{base}/sparql?query=ASK%7B%7D")
    statements = (
        f"DB.DBA.USER_CREATE('{VIRTUOSO_USER}', '{VIRTUOSO_PASSWORD}'); "
        f'GRANT SPARQL_UPDATE TO "{VIRTUOSO_USER}";'
    )
    isql = shutil.which("isql-vt") or "isql-vt"
    done = subprocess.run(
        [isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={statements}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0 or "Error" in done.stdout + done.stderr:
        server.stop()
        raise RuntimeError(f"could not create the Virtuoso user: {done.stdout}{done.stderr}")
    server.env = {
        "KG_RDF_STORE": "sparql",
        "KG_SPARQL_URL": f"{base}/sparql",
        "KG_SPARQL_UPDATE_URL": f"{base}/sparql-auth",
        "KG_SPARQL_USER": VIRTUOSO_USER,
        "KG_SPARQL_PASSWORD": VIRTUOSO_PASSWORD,
    }
    return server


def start_chroma(folder: Path) -> Server:
    """``chroma run`` from the chromadb package, persisting under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    args = [_venv_tool("chroma"), "run", "--path", str(folder / "data")]
    args += ["--host", "127.0.0.1", "--port", str(port)]
    proc, log = _popen(args, folder, "chroma.log")
    server = Server("chroma", proc, folder, {}, log)
    _wait(server, f"http://127.0.0.1:{port}/api/v2/heartbeat")
    server.env = {
        "KG_VECTOR_STORE": "chroma-http",
        "KG_CHROMA_HOST": "127.0.0.1",
        "KG_CHROMA_PORT": str(port),
    }
    return server


def wipe(env: dict[str, str]) -> None:
    """Remove every govkg graph and the passage collection from the servers ``env`` names,
    so the next test (or benchmark size) starts from empty servers."""
    from kg.settings import Settings

    settings = Settings.from_env({**os.environ, **env})
    if settings.rdf_store == "sparql":
        from kg.stores.rdf_sparql import SparqlStore

        store = SparqlStore.open(settings, read_only=False)
        graphs = store.graph_names()
        if graphs:
            store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
        store.close()
    if settings.vector_store == "chroma-http":
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        client = chromadb.HttpClient(
            host=settings.chroma_host,
            port=settings.chroma_port,
            settings=ChromaSettings(anonymized_telemetry=False),
        )
        from kg.stores.vectors_chroma import COLLECTION

        if any(c.name == COLLECTION for c in client.list_collections()):
            client.delete_collection(COLLECTION)
