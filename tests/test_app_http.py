"""The app's HTTP edges against a real `kg serve`: admin sign-in, Gradio's upload route,
the viewer route, security headers, and `kg serve` refusing an exposed address."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import kg_command, running_server, subprocess_env

TOKEN = "http-test-admin-token-0123456789"


@pytest.fixture(scope="module")
def server(corpus_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("http-kg") / "kg"
    shutil.copytree(corpus_home, home)  # writable: uploads must not touch the shared corpus
    with running_server(home, KG_ADMIN_TOKEN=TOKEN, KG_UPLOAD_MAX_MB="1") as base:
        yield base


def _signed_in(server: str) -> httpx.Client:
    client = httpx.Client(base_url=server, timeout=60)
    response = client.post("/api/admin/session", data={"token": TOKEN})
    assert response.status_code == 200, response.text
    return client


def test_sign_in_sets_a_strict_http_only_cookie_and_sign_out_ends_it(server: str) -> None:
    wrong = httpx.post(f"{server}/api/admin/session", data={"token": "guess"}, timeout=30)
    assert wrong.status_code == 401 and wrong.json()["admin"] is False
    client = _signed_in(server)
    cookie = client.cookies.jar
    assert any(c.name == "kg_admin" for c in cookie)
    header = httpx.post(f"{server}/api/admin/session", data={"token": TOKEN}, timeout=30).headers[
        "set-cookie"
    ]
    assert "HttpOnly" in header and "SameSite=strict" in header.replace("Strict", "strict")
    assert TOKEN not in header
    assert client.get("/api/admin/session").json() == {"admin": True, "enabled": True}
    client.delete("/api/admin/session")
    assert client.get("/api/admin/session").json()["admin"] is False


def test_gradio_upload_route_needs_the_admin_and_has_a_size_limit(server: str) -> None:
    small = {"files": ("note.txt", b"The Board set up the Group.", "text/plain")}
    anonymous = httpx.post(f"{server}/gradio_api/upload", files=small, timeout=30)
    assert anonymous.status_code == 403
    bearer = httpx.post(
        f"{server}/gradio_api/upload",
        files=small,
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=30,
    )
    assert bearer.status_code == 200, bearer.text
    client = _signed_in(server)
    assert client.post("/gradio_api/upload", files=small).status_code == 200
    big = {"files": ("big.txt", b"x" * (2 * 1024 * 1024), "text/plain")}
    assert client.post("/gradio_api/upload", files=big).status_code == 413


def test_the_upload_api_refuses_anyone_but_the_admin(server: str) -> None:
    from gradio_client import Client

    app = Client(f"{server}/", verbose=False)
    outcome, _listing, _files = app.predict([], api_name="/upload_documents")
    assert "Only an administrator" in outcome


def test_the_viewer_shows_only_known_documents_and_marks_the_passage(server: str) -> None:
    assert httpx.get(f"{server}/view/no-such-document", timeout=30).status_code == 404
    sneaky = httpx.get(f"{server}/view/..%2F..%2Fetc%2Fpasswd", timeout=30)
    assert sneaky.status_code == 404 and "root:" not in sneaky.text
    page = httpx.get(
        f"{server}/view/gp-psu-developing-the-role", params={"at": "935-1446", "hl": "1000-1100"}
    )
    assert page.status_code == 200
    assert 'class="kg-passage kg-focus" id="p-935-1446"' in page.text
    assert '<mark class="kg-hl">' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    fragment = httpx.get(f"{server}/view/gp-psu-developing-the-role", params={"embed": "1"})
    assert fragment.text.startswith('<div class="kg-viewer"')


def test_the_app_page_may_load_nothing_from_another_host(server: str) -> None:
    response = httpx.get(f"{server}/", timeout=30)
    policy = response.headers["content-security-policy"]
    assert "img-src 'self'" in policy and "connect-src 'self'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "/kg/static/app.js" in response.text
    assert httpx.get(f"{server}/kg/static/vendor/yasgui.min.js", timeout=30).status_code == 200
    assert httpx.get(f"{server}/kg/static/vendor/cytoscape.min.js", timeout=30).status_code == 200


def _serve(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*kg_command(), "serve", *args],
        env=subprocess_env(home, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_serve_refuses_a_network_address_without_public(tmp_path: Path) -> None:
    refused = _serve(tmp_path, "--host", "0.0.0.0", "--port", "1")
    assert refused.returncode == 1
    assert "refusing to serve on 0.0.0.0" in refused.stderr and "--public" in refused.stderr
    assert "Traceback" not in refused.stderr
    short = _serve(tmp_path, "--host", "0.0.0.0", "--public", KG_ADMIN_TOKEN="tok9x")
    assert short.returncode == 1 and "too short" in short.stderr
    assert "tok9x" not in short.stderr  # the token itself is never echoed


def test_the_public_warning_says_who_can_read() -> None:
    from assistant.server import exposure_warning, is_loopback
    from kg.errors import ConfigError
    from kg.settings import Settings

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.1")
    assert exposure_warning(Settings.from_env({}, host="127.0.0.1")) == ""
    with pytest.raises(ConfigError, match="--public"):
        exposure_warning(Settings.from_env({}, host="0.0.0.0"))
    warning = exposure_warning(Settings.from_env({}, host="0.0.0.0", public=True))
    assert "anyone who can reach it can read every document" in warning
    assert "document management is off" in warning
    token = "a-long-enough-admin-token-for-networks"
    with_token = exposure_warning(Settings.from_env({}, host="::", public=True, admin_token=token))
    assert "need the admin token" in with_token and token not in with_token


def test_the_admin_token_never_appears_in_settings_repr() -> None:
    from kg.settings import Settings

    settings = Settings.from_env({"KG_ADMIN_TOKEN": "s3cret-value-0123456789"})
    assert settings.admin_token == "s3cret-value-0123456789"
    assert "s3cret" not in repr(settings)
