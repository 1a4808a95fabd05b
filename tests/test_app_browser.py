"""The real app in headless Chromium: ask a question, see the answer and its cited passage."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import running_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(corpus_home: Path) -> Iterator[str]:
    with running_server(corpus_home) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
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
        "--window-size=1280,2000",
    ):
        options.add_argument(flag)
    options.add_argument(
        f"--user-data-dir={os.path.join(os.environ.get('TMPDIR', '/tmp'), f'kg-chrome-{os.getpid()}')}"
    )
    drv = webdriver.Chrome(service=Service(driver), options=options)
    yield drv
    drv.quit()


def _ask(browser: object, url: str, question: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url + "/")  # type: ignore[attr-defined]
    wait = WebDriverWait(browser, 60)
    box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "#kg-question textarea")))
    box.send_keys(question)
    browser.find_element(By.CSS_SELECTOR, "#kg-ask").click()  # type: ignore[attr-defined]


def test_an_answer_and_its_cited_passage_appear(
    server: str, browser: object, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _ask(browser, server, "Who set up the GP PSU Steering Group?")
    wait = WebDriverWait(browser, 90)
    wait.until(lambda d: "GP Partnership Board set up" in d.find_element(By.ID, "kg-chat").text)
    chat = browser.find_element(By.ID, "kg-chat").text  # type: ignore[attr-defined]
    assert "[1]" in chat
    sources = browser.find_element(By.ID, "kg-sources")  # type: ignore[attr-defined]
    wait.until(lambda d: "Sources" in d.find_element(By.ID, "kg-sources").text)
    highlighted = sources.find_element(By.CSS_SELECTOR, "mark.kg-hl").text
    assert "The GP Partnership Board set up the GP PSU Steering Group" in highlighted
    assert "GP Provider Support Unit: developing the role" in sources.text
    browser.save_screenshot(str(tmp_path / "answer.png"))  # type: ignore[attr-defined]


def test_an_abstention_looks_different(server: str, browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _ask(browser, server, "Who is the leader of Solihull Council?")
    wait = WebDriverWait(browser, 90)
    wait.until(lambda d: "Not in the documents" in d.find_element(By.ID, "kg-chat").text)
    sources = browser.find_element(By.ID, "kg-sources")  # type: ignore[attr-defined]
    wait.until(lambda d: "Related passages" in d.find_element(By.ID, "kg-sources").text)
    assert sources.find_elements(By.CSS_SELECTOR, ".kg-related")
    assert not sources.find_elements(By.CSS_SELECTOR, "mark.kg-hl")


def test_explore_shows_what_the_graph_says_about_an_entity(server: str, browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server + "/")  # type: ignore[attr-defined]
    wait = WebDriverWait(browser, 60)
    tab = wait.until(
        lambda d: (
            [b for b in d.find_elements(By.CSS_SELECTOR, "button[role=tab]") if b.text == "Explore"]
            or [None]
        )[0]
    )
    tab.click()
    search = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#kg-explore-search textarea"))
    search.send_keys("PSU Steering Group", Keys.ENTER)
    wait.until(
        lambda d: "org:resultingOrganization" in d.find_element(By.ID, "kg-explore-facts").text
    )
    assert (
        "gp-psu-developing-the-role, characters"
        in browser.find_element(By.ID, "kg-explore-facts").text
    )  # type: ignore[attr-defined]
