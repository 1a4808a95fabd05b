"""Test-wide rules: offline, network blocked in-process (loopback only), a temporary KG_HOME."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
}
os.environ.update(OFFLINE_ENV)

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class NetworkBlockedError(OSError):
    pass


def _allowed(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX
        return True
    host = address[0] if isinstance(address, tuple) else address
    if host in {"localhost", ""}:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _allowed(address):
        raise NetworkBlockedError(f"network access blocked in tests: {address!r}")
    return _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _allowed(address):
        raise NetworkBlockedError(f"network access blocked in tests: {address!r}")
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


def pytest_configure(config: pytest.Config) -> None:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def kg_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty KG_HOME; nothing is written to the working tree."""
    home = tmp_path / "kg-home"
    monkeypatch.setenv("KG_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def corpus_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The shipped corpus ingested once for the session (read-only for tests)."""
    from ingest.pipeline import ingest
    from kg.settings import Settings

    home = tmp_path_factory.mktemp("corpus-kg")
    report = ingest(Settings.from_env(home=home), [CORPUS])
    assert not report.failed, report.failed
    yield home


@pytest.fixture(scope="session")
def corpus_settings(corpus_home: Path):  # type: ignore[no-untyped-def]
    from kg.settings import Settings

    return Settings.from_env(home=corpus_home)


@pytest.fixture(scope="session")
def answerer(corpus_settings):  # type: ignore[no-untyped-def]
    from assistant.answer import Answerer
    from kg.base import KnowledgeBase

    return Answerer(KnowledgeBase(corpus_settings, read_only=True))


def kg_command() -> list[str]:
    """The installed console script next to this interpreter."""
    import sys

    script = Path(sys.executable).with_name("kg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant.cli"]


def subprocess_env(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(OFFLINE_ENV)
    env["KG_HOME"] = str(home)
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(home: Path, **env: str) -> Iterator[str]:
    """`kg serve` in a subprocess on a free loopback port; yields its base URL."""
    import subprocess
    import time

    import httpx

    port = free_port()
    proc = subprocess.Popen(
        [*kg_command(), "serve", "--port", str(port)],
        env=subprocess_env(home, **env),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600  # a loaded machine starts it slowly
        while True:
            if proc.poll() is not None:
                stderr = proc.stderr.read().decode()[-2000:] if proc.stderr else ""
                raise AssertionError(f"kg serve exited: {stderr}")
            try:
                if httpx.get(f"{base}/sparql", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("kg serve did not come up")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say where the browser tests left their screenshots, for a reviewer to open."""
    folder = REPO / "tests" / "artifacts" / "screenshots"
    if folder.is_dir() and any(folder.glob("*.png")):
        terminalreporter.write_line(f"screenshots of the app: {folder}")


# --- Real servers (tests marked `server`): each started once per session, on loopback ---

BACKENDS = [
    "embedded",
    pytest.param("oxigraph-server", marks=pytest.mark.server),
    pytest.param("virtuoso", marks=pytest.mark.server),
]


def _start(name: str, factory: pytest.TempPathFactory, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    from tests import servers

    started = getattr(servers, f"start_{name}")(factory.mktemp(f"{name}-server"))
    request.addfinalizer(started.stop)
    return started


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    return _start("chroma", tmp_path_factory, request)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    return _start("oxigraph", tmp_path_factory, request)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    return _start("virtuoso", tmp_path_factory, request)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The `KG_*` variables of one set of backends, already in the environment (empty for
    the embedded stores); the servers are emptied before each test."""
    env: dict[str, str] = {}
    if request.param != "embedded":
        rdf = "oxigraph_server" if request.param == "oxigraph-server" else "virtuoso_server"
        env = {**request.getfixturevalue(rdf).env, **request.getfixturevalue("chroma_server").env}
        from tests.servers import wipe

        wipe(env)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env
