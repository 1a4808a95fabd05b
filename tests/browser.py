"""Helpers for the browser tests: headless Chromium, screenshots, a stand-in remote host."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
SCREENSHOTS = REPO / "tests" / "artifacts" / "screenshots"
WAIT = 120  # seconds: generous, the machine may be busy; never a timing assertion


def chrome(width: int = 1400, height: int = 1600) -> Any:
    """Debian's chromium through chromedriver, headless, with a fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.fail("Debian chromium and chromium-driver are required (make test installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--window-size={width},{height}",
    ):
        options.add_argument(flag)
    profile = (
        Path(os.environ.get("TMPDIR", "/tmp")) / f"kg-chrome-{os.getpid()}-{time.monotonic_ns()}"
    )
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=options)


def shot(driver: Any, name: str) -> Path:
    """Save a screenshot where a reviewer can open it (tests/artifacts/screenshots/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def wait_for(driver: Any, condition: Callable[[Any], Any], timeout: float = WAIT) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.25).until(condition)


def text_of(driver: Any, element_id: str) -> str:
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.ID, element_id)
    return found[0].text if found else ""


def open_tab(driver: Any, name: str) -> None:
    from selenium.webdriver.common.by import By

    def button(d: Any) -> Any:
        hits = [b for b in d.find_elements(By.CSS_SELECTOR, "button[role=tab]") if b.text == name]
        return hits[0] if hits else None

    wait_for(driver, button).click()
    wait_for(driver, lambda d: button(d).get_attribute("aria-selected") == "true")


def load_app(driver: Any, url: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(url)
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "button[role=tab]"))


class RemoteHost:
    """A loopback HTTP server standing in for an attacker's host: it records every request."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        recorder = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                recorder.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            do_POST = do_GET

            def log_message(self, *args: object) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @contextmanager
    def running(self) -> Iterator[RemoteHost]:
        self._thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()


def payload_text(port: int) -> str:
    """A document whose every line tries to become markup, a link or a remote fetch."""
    remote = f"http://127.0.0.1:{port}"
    return f"""Payload Board <script>window.__kgPwned = 1</script> minutes

Decisions <img src="{remote}/heading.png" onerror="window.__kgPwned = 2">

The Payload Oversight Board set up the Payload Steering Group <img src={remote}/b.png onerror="window.__kgPwned=3"> in March 2024.
The Payload Steering Group reports to the Payload Oversight Board [Click here]({remote}/phish).
Read the [report](javascript:window.__kgPwned=4) and see ![chart]({remote}/chart.png) for details.
<iframe src="{remote}/frame"></iframe> <svg onload="window.__kgPwned=5"></svg> ${{window.__kgPwned = 6}}
{{{{constructor.constructor('window.__kgPwned = 7')()}}}} <a href="{remote}/a">plain anchor</a>

Timeline

Mar 24: <img src={remote}/timeline.png> [Click here]({remote}/phish) Payload Steering Group set up by the Payload Oversight Board
"""


INERT_JS = """
const port = arguments[0];
const remote = new RegExp(':' + port + '(?![0-9])');
const bad = [];
for (const el of document.querySelectorAll('*')) {
  for (const name of ['src', 'href', 'srcdoc', 'data', 'action', 'poster', 'xlink:href']) {
    const v = el.getAttribute && el.getAttribute(name);
    if (v && (remote.test(v) || v.trim().toLowerCase().startsWith('javascript:'))) bad.push(el.tagName + ' ' + name + '=' + v);
  }
  for (const a of el.attributes || []) if (a.name.startsWith('on') && a.value.includes('__kgPwned')) bad.push(el.tagName + ' ' + a.name);
}
const outside = performance.getEntriesByType('resource').map((e) => e.name)
  .filter((u) => !u.startsWith(location.origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
return {pwned: window.__kgPwned === undefined ? null : window.__kgPwned, bad: bad, outside: outside};
"""


def assert_inert(driver: Any, remote: RemoteHost) -> None:
    """Nothing ran, nothing links or points at the remote host, nothing was fetched from it."""
    found = driver.execute_script(INERT_JS, str(remote.port))
    assert found["pwned"] is None, found
    assert found["bad"] == [], found["bad"]
    assert found["outside"] == [], found["outside"]
    assert remote.requests == [], remote.requests
