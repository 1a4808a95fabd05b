"""The app's pieces without a browser: escaping, the viewer's HTML, the admin gate, the
query page, and document management through the real ingest pipeline."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.app.auth import AdminAuth
from assistant.app.manage import add_files, reingest, remove_documents, safe_name, uploads_dir
from assistant.app.store import DocumentInfo
from assistant.app.turns import conversation_html
from assistant.app.viewer import document_body, parse_spans, viewer_page
from assistant.render import CitationView, citation_card, entity_link, marked, with_citation_links
from assistant.sparql_page import json_block, render
from kg.errors import DocumentError
from kg.settings import Settings

HOSTILE = '<img src=x onerror="alert(1)"> [x](javascript:alert(2)) <script>alert(3)</script>'


def _no_markup(html: str) -> None:
    """The hostile string appears only escaped: no tag, no live attribute, no script."""
    assert "<img" not in html and "<script" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_marked_escapes_and_marks_only_inside_the_text() -> None:
    html = marked(HOSTILE + " tail", 100, [(90, 104), (200, 300)])
    assert html.startswith('<mark class="kg-hl">&lt;img</mark>')  # clipped to the text
    assert html.count("<mark") == 1
    assert "<img" not in marked(HOSTILE, 0, []) and "&lt;script&gt;" in marked(HOSTILE, 0, [])


def test_citation_links_only_for_known_numbers_and_the_answer_is_escaped() -> None:
    html = with_citation_links(f"{HOSTILE} says so [1] and [7].", 2, {1})
    _no_markup(html)
    assert '<a class="kg-cite" href="#kg-t2-c1"' in html and "[7]" in html
    assert html.count('class="kg-cite"') == 1


def test_a_citation_card_shows_title_date_section_and_page() -> None:
    c = CitationView(1, "doc-a", HOSTILE, HOSTILE, 10, 20, [(10, 12)], "Funding", 3, "2024-03-05")
    html = citation_card(c, "kg-t0-c1")
    _no_markup(html)
    assert "2024-03-05 · Funding · page 3 · doc-a" in html
    assert 'href="/view/doc-a?at=10-20&amp;hl=10-12#p-10-20"' in html
    link = entity_link("https://w3id.org/govkg/id/x", HOSTILE)
    _no_markup(link)
    assert 'href="/?explore=https%3A%2F%2Fw3id.org%2Fgovkg%2Fid%2Fx"' in link


def test_the_conversation_keeps_every_turn_with_its_own_sources() -> None:
    turn = {
        "question": HOSTILE,
        "answer": "It says so [1].",
        "answered": True,
        "citations": [
            {"n": 1, "document": "d", "title": "T", "text": HOSTILE, "start": 0, "end": 5}
        ],
        "facts": [
            {
                "subject": "https://w3id.org/govkg/id/a",
                "subject_label": HOSTILE,
                "predicate": "http://www.w3.org/ns/org#reportsTo",
                "object": "https://w3id.org/govkg/id/b",
                "object_label": "B",
                "n": 1,
            }
        ],
        "sparql": "SELECT * WHERE { ?s ?p ?o }",
    }
    html = conversation_html(
        [turn, dict(turn)], {"http://www.w3.org/ns/org#reportsTo": "reports to"}
    )
    _no_markup(html)
    assert 'id="kg-t0-c1"' in html and 'id="kg-t1-c1"' in html
    assert html.count('<details class="kg-sources kg-cited" open>') == 1  # the latest is open
    assert "reports to" in html and 'data-kg-action="sparql" data-kg-arg="1"' in html


def _info(page_starts: tuple[int, ...] = ()) -> DocumentInfo:
    return DocumentInfo(
        "doc",
        HOSTILE,
        "minutes",
        "2024-01-02",
        None,
        None,
        "doc.txt",
        page_starts,
        ((0, 10, "Intro"), (12, 40, "Money")),
    )


def test_the_viewer_cuts_passages_marks_and_pages_without_breaking_nesting() -> None:
    text = "0123456789\n\n" + "abcdefghij" * 3 + "<b>x</b>"
    info = _info(page_starts=(0, 20))
    body = document_body(text, info, (12, 40), [(14, 18)])
    assert '<span class="kg-passage kg-focus" id="p-12-40">' in body
    assert '<mark class="kg-hl">cdef</mark>' in body
    assert '<span class="kg-page" id="page-2" role="note">page 2</span>' in body
    assert body.count("<span") == body.count("</span>")
    assert "&lt;b&gt;x&lt;/b&gt;" in body
    page = viewer_page(text, info, (12, 40), [])
    _no_markup(page)
    assert "Cited passage" in page and "Money" in page and "page 2" in page
    assert info.page_at(25) == 2 and info.section_at(12, 40) == "Money"


def test_parse_spans_drops_what_is_malformed_or_out_of_range() -> None:
    assert parse_spans("5-9,x-2,30-20,0-1000,1-2", 100) == [(1, 2), (5, 9)]
    assert parse_spans(None, 10) == []


def test_admin_tokens_compare_in_constant_time_sessions_expire_and_guessing_is_braked() -> None:
    auth = AdminAuth(Settings.from_env({}, admin_token="right-token-0123456789"))
    assert auth.enabled and auth.token_matches("right-token-0123456789")
    assert not auth.token_matches("right-token") and not auth.token_matches("")
    session = auth.sign_in("right-token-0123456789", "1.2.3.4")
    assert session and auth.is_admin({}, {"kg_admin": session})
    assert auth.is_admin({"authorization": "Bearer right-token-0123456789"}, {})
    assert not auth.is_admin({"authorization": "Basic right-token-0123456789"}, {})
    auth.sign_out(session)
    assert not auth.is_admin({}, {"kg_admin": session})
    for _ in range(10):
        assert auth.sign_in("wrong", "5.6.7.8") is None
    assert auth.throttled("5.6.7.8") and auth.sign_in("right-token-0123456789", "5.6.7.8") is None
    assert not AdminAuth(Settings.from_env({})).enabled
    expired = AdminAuth(Settings.from_env({}, admin_token="t" * 20, admin_session_hours=0.0))
    assert not expired.session_valid(expired.sign_in("t" * 20, "x"))


def test_the_query_page_carries_its_data_as_json_and_no_inline_script() -> None:
    saved = {"evil": ("</script><script>alert(1)</script>", "# description: <b>x</b>\nSELECT * {}")}
    page = render("/sparql", saved)
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert scripts == [' type="application/json" id="kg-sparql-config"']
    assert "</script><script>alert(1)" not in page
    block = re.search(r'id="kg-sparql-config">(.*?)</script>', page, re.S)
    assert block and json.loads(block.group(1))["saved"]["evil"]["title"].startswith("</script>")
    assert "<" not in json_block({"a": "<"})


def test_safe_names_never_leave_the_uploads_folder() -> None:
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Users\\x\\minutes.pdf") == "minutes.pdf"
    for bad in ("", ".hidden.txt", "..", "a/.."):
        with pytest.raises(DocumentError):
            safe_name(bad)


def test_add_reingest_and_remove_go_through_the_pipeline(tmp_path: Path, kg_home: Path) -> None:
    settings = Settings.from_env(home=kg_home, upload_max_mb=1)
    good = tmp_path / "board-minutes.md"
    good.write_text("# Board minutes\n\nThe Board set up the Digital Group in May 2024.\n")
    bad = tmp_path / "report.pdf"
    bad.write_bytes(b"not a pdf")
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (2 * 1024 * 1024))
    odd = tmp_path / "table.xlsx"
    odd.write_bytes(b"x")
    seen: list[tuple[int, int, str]] = []
    results = add_files(
        settings,
        [(p.name, p) for p in (good, bad, big, odd)],
        lambda done, total, text: seen.append((done, total, text)),
    )
    lines = {r.name: r for r in results}
    assert lines["board-minutes.md"].status == "added"
    assert lines["report.pdf"].status == "failed" and "PDF" in lines["report.pdf"].reason
    assert "the upload limit is 1 MB" in lines["big.txt"].reason
    assert "unsupported file type '.xlsx'" in lines["table.xlsx"].reason
    assert seen and seen[-1][0] == seen[-1][1] == 2
    assert sorted(p.name for p in uploads_dir(settings).iterdir() if p.is_file()) == [
        "board-minutes.md"
    ]  # a failed file is not kept
    again = add_files(settings, [(good.name, good)])
    assert again[0].status == "unchanged"
    assert reingest(settings, "board-minutes").status == "updated"
    assert remove_documents(settings, ["board-minutes"])[0].status == "removed"
    assert not (uploads_dir(settings) / "board-minutes.md").exists()


def test_without_the_npm_assets_the_pages_say_so_once_and_still_work(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import assistant.assets as assets

    monkeypatch.setattr(assets, "VENDOR_DIR", tmp_path / "vendor")
    assert not assets.editor_ready() and not assets.graph_ready()
    assert set(assets.missing()) == {"yasgui.min.js", "yasgui.min.css", "cytoscape.min.js"}
    page = render("/sparql", {})
    assert page.count(assets.MISSING_MESSAGE) == 1
    assert "vendor/yasgui" not in page and "/kg/static/sparql-page.js" in page  # plain editor
    assert 'id="kg-query-fallback"' in page
