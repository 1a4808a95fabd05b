"""The real app in headless Chromium, as its three users use it, plus hostile documents.

One server for the module: the shipped corpus plus a document full of markup, link and
remote-image payloads aimed at a loopback listener that stands in for a remote host.
Screenshots go to tests/artifacts/screenshots/ (printed at the end of the run).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import (
    RemoteHost,
    assert_inert,
    chrome,
    load_app,
    payload_text,
    shot,
    text_of,
    wait_for,
)
from tests.conftest import CORPUS, running_server

pytestmark = pytest.mark.browser
TOKEN = "browser-test-admin-token-0123456789"


@pytest.fixture(scope="module")
def remote() -> Iterator[RemoteHost]:
    with RemoteHost().running() as host:
        yield host


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, remote: RemoteHost) -> Iterator[str]:
    from ingest.pipeline import ingest
    from kg.settings import Settings

    corpus = tmp_path_factory.mktemp("corpus")
    for item in CORPUS.iterdir():
        shutil.copy(item, corpus / item.name)
    (corpus / "payload-board.txt").write_text(payload_text(remote.port), encoding="utf-8")
    home = tmp_path_factory.mktemp("app-kg")
    report = ingest(Settings.from_env(home=home), [corpus])
    assert not report.failed, report.failed
    with running_server(home, KG_ADMIN_TOKEN=TOKEN) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    driver = chrome()
    yield driver
    driver.quit()


def _by() -> Any:
    from selenium.webdriver.common.by import By

    return By


def ask(browser: Any, question: str, turns: int) -> None:
    """Type a question, press Enter, wait until the conversation has ``turns`` answers."""
    By = _by()
    box = wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#kg-question textarea"))
    box.send_keys(question)
    from selenium.webdriver.common.keys import Keys

    box.send_keys(Keys.ENTER)
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#kg-chat .kg-turn")) >= turns)


# --- Councillor: Ask ------------------------------------------------------------------


def test_councillor_answers_keep_their_own_sources_and_open_the_document(
    server: str, browser: Any
) -> None:
    By = _by()
    load_app(browser, server + "/")
    ask(browser, "Who set up the GP PSU Steering Group?", 1)
    first = browser.find_elements(By.CSS_SELECTOR, "#kg-chat .kg-turn")[0]
    assert "GP Partnership Board set up" in first.text
    mark = first.find_element(By.CSS_SELECTOR, ".kg-sources mark.kg-hl")
    assert "The GP Partnership Board set up the GP PSU Steering Group" in mark.text
    head = first.find_element(By.CSS_SELECTOR, ".kg-source-head")
    assert "GP Provider Support Unit: developing the role" in head.text
    assert "What the PSU’s role should be" in head.text  # the section heading, not offsets

    ask(browser, "What does RAFT stand for?", 2)
    turns = browser.find_elements(By.CSS_SELECTOR, "#kg-chat .kg-turn")
    assert "Right Access First Time" in turns[1].text
    # The first answer still has its own passage; its [1] points at it, not at the new one.
    cite = turns[0].find_element(By.CSS_SELECTOR, "a.kg-cite")
    target = cite.get_attribute("href").rsplit("#", 1)[1]
    assert turns[0].find_elements(By.ID, target)
    cite.click()
    wait_for(browser, lambda d: d.find_element(By.ID, target).is_displayed())
    assert browser.switch_to.active_element.get_attribute("id") == target

    # The citation opens the whole document at the passage, the sentence marked.
    turns[0].find_element(By.CSS_SELECTOR, "a.kg-open").click()
    dialog = wait_for(browser, lambda d: d.find_element(By.ID, "kg-viewer-dialog"))
    wait_for(browser, lambda d: dialog.find_elements(By.CSS_SELECTOR, ".kg-focus"))
    assert dialog.get_attribute("open") is not None
    assert (
        "GP Provider Support Unit: developing the role"
        in dialog.find_element(By.CSS_SELECTOR, ".kg-doc-title").text
    )
    marked = dialog.find_element(By.CSS_SELECTOR, ".kg-focus mark.kg-hl")
    assert "set up the GP PSU Steering Group" in marked.text
    in_view = browser.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight;",
        marked,
    )
    assert in_view
    shot(browser, "councillor-1-document-viewer")
    dialog.find_element(By.CSS_SELECTOR, ".kg-close").click()

    how = turns[1].find_element(By.CSS_SELECTOR, ".kg-how")
    how.find_element(By.TAG_NAME, "summary").click()
    assert "Retrieval" in how.text or "Passages retrieved" in how.text
    shot(browser, "councillor-2-two-answers")

    browser.find_element(By.ID, "kg-new").click()
    wait_for(browser, lambda d: not d.find_elements(By.CSS_SELECTOR, "#kg-chat .kg-turn"))
    assert not browser.find_elements(By.CSS_SELECTOR, ".kg-source")


def test_councillor_graph_facts_follow_up_and_sparql_button(server: str, browser: Any) -> None:
    """The answer comes from graph facts, the follow-up reads "it" from the turn before, and
    "How this answer was found" opens the facts' SPARQL in the SPARQL tab."""
    By = _by()
    load_app(browser, server + "/")
    ask(browser, "Who set up the GP PSU Steering Group?", 1)
    ask(browser, "Who chairs it?", 2)
    turns = browser.find_elements(By.CSS_SELECTOR, "#kg-chat .kg-turn")
    assert "Subeena Suleman" in turns[1].text
    how = turns[1].find_element(By.CSS_SELECTOR, ".kg-how")
    how.find_element(By.TAG_NAME, "summary").click()
    assert "Facts from the graph" in how.text
    assert "heldBy" in how.find_element(By.CSS_SELECTOR, "pre.kg-code").text
    shot(browser, "councillor-3-graph-facts")
    how.find_element(By.CSS_SELECTOR, "[data-kg-action=sparql]").click()
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#kg-sparql-editor .CodeMirror"))
    wait_for(browser, lambda d: "heldBy" in _editor_value(d))
    browser.find_element(By.ID, "kg-sparql-run").click()
    wait_for(browser, lambda d: "subeena-suleman" in text_of(d, "kg-sparql-results"))


def test_councillor_abstention_looks_different(server: str, browser: Any) -> None:
    By = _by()
    load_app(browser, server + "/")
    ask(browser, "Who is the leader of Solihull Council?", 1)
    turn = browser.find_element(By.CSS_SELECTOR, "#kg-chat .kg-turn")
    assert "not in the documents" in turn.text.lower()
    assert turn.find_elements(By.CSS_SELECTOR, ".kg-abstain")
    assert not turn.find_elements(By.CSS_SELECTOR, "mark.kg-hl")
    assert not turn.find_elements(By.CSS_SELECTOR, "a.kg-cite")


def test_accessibility_label_heading_keyboard_and_narrow_screen(server: str, browser: Any) -> None:
    By = _by()
    from selenium.webdriver.common.keys import Keys

    load_app(browser, server + "/")
    label = browser.execute_script(
        "const t = document.querySelector('#kg-question textarea');"
        "return (t.labels && t.labels.length ? t.labels[0].textContent : '') + (t.getAttribute('aria-label') || '');"
    )
    assert "question" in label.lower()
    assert browser.execute_script("return document.querySelectorAll('h1').length") == 1
    unnamed = browser.execute_script(
        "return [...document.querySelectorAll('button')].filter((b) => b.offsetParent !== null &&"
        " !(b.textContent.trim() || b.getAttribute('aria-label') || b.getAttribute('title'))).map((b) => b.outerHTML.slice(0, 120));"
    )
    assert unnamed == []
    # Tabs and buttons by keyboard: focus a tab, press Enter; type and press Enter on Ask.
    tab = next(
        b for b in browser.find_elements(By.CSS_SELECTOR, "button[role=tab]") if b.text == "Explore"
    )
    browser.execute_script("arguments[0].focus()", tab)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for(browser, lambda d: tab.get_attribute("aria-selected") == "true")
    browser.set_window_size(400, 1400)
    try:
        load_app(browser, server + "/")
        ask(browser, "What does RAFT stand for?", 1)
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 420  # no sideways scrolling at 400 px
        shot(browser, "councillor-3-at-400px")
    finally:
        browser.set_window_size(1400, 1600)


# --- Analyst: SPARQL and Explore ---------------------------------------------------------


def _editor_value(browser: Any) -> str:
    return browser.execute_script(
        "return document.querySelector('#kg-sparql-editor .CodeMirror').CodeMirror.getValue()"
    )


def _set_editor(browser: Any, query: str) -> None:
    browser.execute_script(
        "document.querySelector('#kg-sparql-editor .CodeMirror').CodeMirror.setValue(arguments[0])",
        query,
    )


def test_analyst_sparql_editor_results_downloads_and_errors(server: str, browser: Any) -> None:
    By = _by()
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    load_app(browser, server + "/?tab=sparql")
    editor = wait_for(
        browser, lambda d: d.find_element(By.CSS_SELECTOR, "#kg-sparql-editor .CodeMirror")
    )
    assert browser.find_elements(By.CSS_SELECTOR, "#kg-sparql-editor .cm-keyword")  # highlighted
    saved = [
        b
        for b in browser.find_elements(By.CSS_SELECTOR, ".kg-saved")
        if b.text == "Who chairs what"
    ]
    saved[0].click()  # one click
    wait_for(browser, lambda d: "# title: Who chairs what" in _editor_value(d))
    editor.click()
    ActionChains(browser).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(
        Keys.CONTROL
    ).perform()
    wait_for(browser, lambda d: "rows in" in text_of(d, "kg-sparql-status"))
    assert "Subeena Suleman" in text_of(browser, "kg-sparql-results")
    files = wait_for(browser, lambda d: text_of(d, "kg-sparql-files"))
    assert all(
        name in files.replace("\n", "") for name in ("results.csv", "results.json", "results.tsv")
    )
    shot(browser, "analyst-1-sparql-results")

    # Keyword and prefix completion, from the grammar and the ontology (nothing fetched).
    browser.execute_script(
        "const cm = document.querySelector('#kg-sparql-editor .CodeMirror').CodeMirror; cm.setValue(''); cm.focus();"
    )
    ActionChains(browser).send_keys("SEL").perform()
    wait_for(
        browser,
        lambda d: (
            "SELECT" in [e.text for e in d.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li")]
        ),
    )
    browser.execute_script(
        "const cm = document.querySelector('#kg-sparql-editor .CodeMirror').CodeMirror; cm.setValue(''); cm.focus();"
    )
    ActionChains(browser).send_keys("PREFIX sk").perform()
    wait_for(
        browser,
        lambda d: any(
            "skos: <http://www.w3.org/2004/02/skos/core#>" in e.text
            for e in d.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li")
        ),
    )

    # An error: one clear line, no grid left over, no downloads.
    _set_editor(browser, "SELECT ?s WHERE { ?s ?p ")
    browser.find_element(By.ID, "kg-sparql-run").click()
    wait_for(browser, lambda d: "Query error" in text_of(d, "kg-sparql-status"))
    assert not browser.find_elements(By.CSS_SELECTOR, "#kg-sparql-results table")
    assert (
        not browser.find_element(By.ID, "kg-sparql-files").is_displayed()
        if browser.find_elements(By.ID, "kg-sparql-files")
        else True
    )
    shot(browser, "analyst-2-sparql-error")

    # CONSTRUCT gives Turtle and N-Triples; IRIs open the entity in Explore.
    _set_editor(
        browser,
        "CONSTRUCT { ?o skos:prefLabel ?n } WHERE { ?o a org:Organization ; skos:prefLabel ?n } LIMIT 5",
    )
    browser.find_element(By.ID, "kg-sparql-run").click()
    wait_for(browser, lambda d: "triples in" in text_of(d, "kg-sparql-status"))
    files = wait_for(browser, lambda d: text_of(d, "kg-sparql-files"))
    assert "results.ttl" in files.replace("\n", "") and "results.nt" in files.replace("\n", "")
    link = browser.find_element(By.CSS_SELECTOR, "#kg-sparql-results a.kg-entity")
    assert "/?explore=" in link.get_attribute("href")
    link.click()
    wait_for(browser, lambda d: text_of(d, "kg-explore-summary"))
    selected = browser.find_element(By.CSS_SELECTOR, "button[role=tab][aria-selected=true]")
    assert selected.text == "Explore"


def test_analyst_explore_aliases_plain_relations_passages_picture_and_paths(
    server: str, browser: Any
) -> None:
    By = _by()
    from selenium.webdriver.common.keys import Keys

    load_app(browser, server + "/?tab=explore")
    search = wait_for(
        browser, lambda d: d.find_element(By.CSS_SELECTOR, "#kg-explore-search textarea")
    )
    search.send_keys("PSU", Keys.ENTER)  # an acronym finds the unit itself
    wait_for(
        browser,
        lambda d: "General Practice Provider Support Unit" in text_of(d, "kg-explore-summary"),
    )
    facts = wait_for(browser, lambda d: text_of(d, "kg-explore-facts"))
    assert "post in" in facts and "org:" not in facts  # the ontology's English labels
    assert "characters" not in facts and "GPPSU : steps in our development" in facts  # passage text
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#kg-explore-graph canvas"))
    shot(browser, "analyst-3-explore")

    # Click a node of the picture (through cytoscape's own event) to explore it.
    neighbour = browser.execute_script(
        "const cy = document.querySelector('#kg-explore-graph .kg-graph').__cy;"
        "const node = cy.nodes().filter((n) => !n.data('center'))[0]; node.emit('tap'); return node.data('label');"
    )
    wait_for(browser, lambda d: neighbour[:20] in text_of(d, "kg-explore-summary"))

    # An evidence link opens the viewer at the passage.
    browser.find_element(By.CSS_SELECTOR, "#kg-explore-facts a[data-kg-view]").click()
    dialog = wait_for(browser, lambda d: d.find_element(By.ID, "kg-viewer-dialog"))
    wait_for(browser, lambda d: dialog.find_elements(By.CSS_SELECTOR, ".kg-focus"))
    dialog.find_element(By.CSS_SELECTOR, ".kg-close").click()

    # A path between two entities, each hop named.
    search.clear()
    search.send_keys("Subeena", Keys.ENTER)
    wait_for(browser, lambda d: "Subeena Suleman" in text_of(d, "kg-explore-summary"))
    other = browser.find_element(By.CSS_SELECTOR, "#kg-path-search textarea")
    other.send_keys("Joint Health Overview", Keys.ENTER)
    chain = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#kg-explore-path li"))
    assert all(li.find_elements(By.CSS_SELECTOR, ".kg-rel") for li in chain)
    shot(browser, "analyst-4-explore-path")


def test_analyst_query_page_with_editor_saved_queries_and_explore_links(
    server: str, browser: Any
) -> None:
    By = _by()
    browser.get(server + "/sparql")  # a browser opening the endpoint gets the query page
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#kg-editor .CodeMirror"))
    assert httpx.get(f"{server}/sparql", params={"query": "ASK {}"}, timeout=30).json() == {
        "head": {},
        "boolean": True,
    }  # while protocol clients still get results
    next(
        b
        for b in browser.find_elements(By.CSS_SELECTOR, ".kg-saved")
        if b.text == "Who chairs what"
    ).click()
    browser.find_element(By.ID, "kg-run").click()
    wait_for(browser, lambda d: "rows in" in text_of(d, "kg-status"))
    assert "Subeena Suleman" in text_of(browser, "kg-results")
    shown = [
        b.text
        for b in browser.find_elements(By.CSS_SELECTOR, "#kg-downloads button")
        if b.is_displayed()
    ]
    assert shown == ["CSV", "JSON", "TSV"]
    browser.execute_script(
        "document.querySelector('#kg-editor .CodeMirror').CodeMirror.setValue(arguments[0])",
        "SELECT ?org ?name WHERE { ?org a org:Organization ; skos:prefLabel ?name } LIMIT 5",
    )
    browser.find_element(By.ID, "kg-run").click()
    links = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#kg-results a.iri"))
    assert all("/?explore=" in a.get_attribute("href") for a in links)
    shot(browser, "analyst-5-query-page")
    href = links[0].get_attribute("href")
    browser.execute_script(
        "document.querySelector('#kg-editor .CodeMirror').CodeMirror.setValue('SELECT ?s WHERE { ?s ?p ')"
    )
    browser.find_element(By.ID, "kg-run").click()
    wait_for(browser, lambda d: "Query error (400)" in text_of(d, "kg-status"))
    assert not browser.find_element(By.ID, "kg-results").is_displayed()
    load_app(browser, href)  # an IRI's link opens the app on that entity in Explore
    wait_for(browser, lambda d: text_of(d, "kg-explore-summary"))
    selected = browser.find_element(By.CSS_SELECTOR, "button[role=tab][aria-selected=true]")
    assert selected.text == "Explore"


# --- Maintainer: Documents ----------------------------------------------------------------


def test_maintainer_signs_in_uploads_reingests_and_removes(
    server: str, browser: Any, tmp_path: Path
) -> None:
    By = _by()
    load_app(browser, server + "/?tab=documents")
    listing = wait_for(browser, lambda d: text_of(d, "kg-docs"))
    assert "GP Provider Support Unit: developing the role" in listing
    assert not browser.find_elements(By.CSS_SELECTOR, "#kg-docs [data-kg-action=remove]")
    assert not browser.find_elements(By.CSS_SELECTOR, "#kg-upload input[type=file]")
    assert "Read-only" in text_of(browser, "kg-admin-note")

    token = browser.find_element(By.CSS_SELECTOR, "#kg-admin-token input")
    token.send_keys("not-the-token")
    browser.find_element(By.ID, "kg-sign-in").click()
    wait_for(browser, lambda d: "not accepted" in text_of(d, "kg-admin-note"))
    token.send_keys(TOKEN)
    browser.find_element(By.ID, "kg-sign-in").click()
    wait_for(browser, lambda d: "Signed in as administrator" in text_of(d, "kg-admin-note"))
    assert token.get_attribute("value") == ""  # the token is not left on screen

    good = tmp_path / "quality-board-minutes.md"
    good.write_text(
        "# Quality Board minutes\n\nThe Quality Board set up the Digital Group in May 2024.\n"
    )
    broken = tmp_path / "broken-report.pdf"
    broken.write_bytes(b"this is not a PDF")
    upload = wait_for(
        browser, lambda d: d.find_element(By.CSS_SELECTOR, "#kg-upload input[type=file]")
    )
    upload.send_keys(f"{good}\n{broken}")
    lines = wait_for(
        browser,
        lambda d: (
            "added: quality-board-minutes.md" in text_of(d, "kg-upload-results")
            and "failed: broken-report.pdf" in text_of(d, "kg-upload-results")
            and text_of(d, "kg-upload-results")
        ),
    )
    assert "added: quality-board-minutes.md" in lines
    assert "failed: broken-report.pdf" in lines and "PDF" in lines.split("broken-report.pdf", 1)[1]
    wait_for(browser, lambda d: "Quality Board minutes" in text_of(d, "kg-docs"))
    shot(browser, "maintainer-1-uploaded")

    def button(action: str) -> Any:
        return next(
            b
            for b in browser.find_elements(By.CSS_SELECTOR, f"#kg-docs [data-kg-action={action}]")
            if b.get_attribute("data-kg-arg") == "quality-board-minutes"
        )

    button("reingest").click()
    wait_for(browser, lambda d: "updated: quality-board-minutes" in text_of(d, "kg-upload-results"))
    # The uploaded document opens in the viewer.
    next(
        a
        for a in browser.find_elements(By.CSS_SELECTOR, "#kg-docs a[data-kg-view]")
        if a.text == "Quality Board minutes"
    ).click()
    dialog = wait_for(browser, lambda d: d.find_element(By.ID, "kg-viewer-dialog"))
    wait_for(browser, lambda d: "Digital Group" in dialog.text)
    dialog.find_element(By.CSS_SELECTOR, ".kg-close").click()

    button("remove").click()
    browser.switch_to.alert.accept()
    wait_for(browser, lambda d: "removed: quality-board-minutes" in text_of(d, "kg-upload-results"))
    assert "Quality Board minutes" not in text_of(browser, "kg-docs")

    # Columns readable at both widths: every header at 1400 px, a label on every cell at 400 px.
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#kg-docs th")]
    assert headers[:3] == ["TITLE", "ID", "TYPE"] or headers[:3] == ["title", "id", "type"]
    assert all(th.is_displayed() for th in browser.find_elements(By.CSS_SELECTOR, "#kg-docs th"))
    browser.set_window_size(400, 1400)
    try:
        wait_for(
            browser, lambda d: not d.find_element(By.CSS_SELECTOR, "#kg-docs th").is_displayed()
        )
        labels = browser.execute_script(
            "return [...document.querySelectorAll('#kg-docs td')].filter((td) => td.offsetParent)"
            ".map((td) => getComputedStyle(td, '::before').content)"
        )
        assert labels and all(label not in ("none", '""') for label in labels)
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 420
        shot(browser, "maintainer-2-documents-at-400px")
    finally:
        browser.set_window_size(1400, 1600)
    browser.find_element(By.ID, "kg-sign-out").click()
    wait_for(browser, lambda d: "Signed out" in text_of(d, "kg-admin-note"))
    assert not browser.find_elements(By.CSS_SELECTOR, "#kg-docs [data-kg-action=remove]")


# --- Hostile documents: nothing runs, nothing links, nothing is fetched ----------------


def test_payloads_stay_text_in_ask(server: str, browser: Any, remote: RemoteHost) -> None:
    By = _by()
    load_app(browser, server + "/")
    ask(browser, "Who set up the Payload Steering Group?", 1)
    chat = browser.find_element(By.ID, "kg-chat")
    chat.find_element(By.CSS_SELECTOR, ".kg-how summary").click()
    wait_for(browser, lambda d: "<img" in d.find_element(By.ID, "kg-chat").text)
    assert "onerror=" in chat.text  # shown as the characters the document contains
    chat.find_element(By.CSS_SELECTOR, "a.kg-open").click()
    dialog = wait_for(browser, lambda d: d.find_element(By.ID, "kg-viewer-dialog"))
    wait_for(browser, lambda d: "<script>window.__kgPwned = 1</script>" in dialog.text)
    assert "[Click here](" in dialog.text and "javascript:" in dialog.text
    shot(browser, "security-1-ask-and-viewer")
    assert_inert(browser, remote)
    dialog.find_element(By.CSS_SELECTOR, ".kg-close").click()


def test_payloads_stay_text_in_the_viewer_page(
    server: str, browser: Any, remote: RemoteHost
) -> None:
    response = httpx.get(f"{server}/view/payload-board", timeout=30)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    browser.get(f"{server}/view/payload-board?at=0-40&hl=0-20")
    wait_for(
        browser,
        lambda d: (
            "<script>window.__kgPwned = 1</script>" in d.find_element(_by().TAG_NAME, "h1").text
        ),
    )
    assert_inert(browser, remote)


def test_payloads_stay_text_in_explore(server: str, browser: Any, remote: RemoteHost) -> None:
    By = _by()
    from selenium.webdriver.common.keys import Keys

    load_app(browser, server + "/?tab=explore")
    search = wait_for(
        browser, lambda d: d.find_element(By.CSS_SELECTOR, "#kg-explore-search textarea")
    )
    search.send_keys("Payload Steering Group", Keys.ENTER)
    wait_for(browser, lambda d: "<img" in text_of(d, "kg-explore-facts"))
    other = browser.find_element(By.CSS_SELECTOR, "#kg-path-search textarea")
    other.send_keys("Payload Oversight Board", Keys.ENTER)
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#kg-explore-path li"))
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#kg-explore-graph canvas"))
    shot(browser, "security-2-explore")
    assert_inert(browser, remote)


def test_payloads_stay_text_in_sparql(server: str, browser: Any, remote: RemoteHost) -> None:
    By = _by()
    query = 'SELECT ?s ?text WHERE { ?s ?p ?text FILTER(isLiteral(?text) && CONTAINS(STR(?text), "<img")) }'
    load_app(browser, server + "/?tab=sparql")
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#kg-sparql-editor .CodeMirror"))
    _set_editor(browser, query)
    browser.find_element(By.ID, "kg-sparql-run").click()
    wait_for(browser, lambda d: "onerror=" in text_of(d, "kg-sparql-results"))
    assert_inert(browser, remote)
    # The same results in the query page's YASR table.
    browser.get(server + "/query")
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#kg-editor .CodeMirror"))
    browser.execute_script(
        "document.querySelector('#kg-editor .CodeMirror').CodeMirror.setValue(arguments[0])", query
    )
    browser.find_element(By.ID, "kg-run").click()
    wait_for(browser, lambda d: "onerror=" in text_of(d, "kg-results"))
    shot(browser, "security-3-query-page")
    assert_inert(browser, remote)
    # A federated query cannot make the server call the remote host either.
    federated = (
        f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{remote.port}/sparql> {{ ?s ?p ?o }} }}"
    )
    response = httpx.post(f"{server}/sparql", data={"query": federated}, timeout=30)
    assert response.status_code == 400
    assert remote.requests == []


def test_payloads_stay_text_in_documents(server: str, browser: Any, remote: RemoteHost) -> None:
    load_app(browser, server + "/?tab=documents")
    wait_for(browser, lambda d: "<script>window.__kgPwned = 1</script>" in text_of(d, "kg-docs"))
    shot(browser, "security-4-documents")
    assert_inert(browser, remote)
