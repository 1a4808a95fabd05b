"""HTML loading: content kept, site chrome dropped, committee-system pages, encodings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.load import load_document
from kg.model import Document
from tests.loader_helpers import assert_clean

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "docs"


def load(name: str) -> Document:
    return load_document(FIXTURES / name, FIXTURES, catalog={})


def test_news_page_keeps_content_and_drops_chrome() -> None:
    doc = load("psu-news.html")
    text = doc.text
    assert_clean(text)
    for unwanted in (
        "cookies",
        "Accept",
        "Skip to",
        "Home",
        "About",
        "tracking code",
        "font-family",
        "sidebar",
        "Related news",
        "enable JavaScript",
        "Privacy policy",
        "Hidden text",
        "logo",
        "<",
    ):
        assert unwanted not in text, unwanted
    assert text.startswith("RAFT programme launched\n\nThe Right Access First Time (RAFT)")
    # Entities decoded, &nbsp; is a plain space, inline tags do not add spaces.
    assert (
        "launched on 21 June, with Dr Subeena Suleman as clinical advisor for access & GPPSU"
        in text
    )
    assert "\n\nWhat the programme will do\n\nThe programme will:\n\n• Support practices" in text
    assert "• Share quality improvement methods\n  • with coaching" in text
    assert "When | What\nApr 23 | RAFT scoping meeting with all PCN directors & managers\n" in text
    assert "“Primary care must lead this change,” said the chair." in text
    assert "PSU\nProvider Support Unit" in text
    assert doc.title == "RAFT programme launched"  # <title> without the site name
    assert doc.issued == "2023-06-21"
    assert doc.publisher == "GP Provider Support Unit"
    assert doc.source == "https://example.org/news/raft-programme-launched"
    assert doc.doc_type == "document"


def test_committee_system_page() -> None:
    """A modern.gov agenda item saved from the browser, in Windows-1252."""
    doc = load("modgov-agenda-item.htm")
    text = doc.text
    assert_clean(text)
    assert doc.doc_id == "modgov-agenda-item"
    assert doc.title == "Agenda item - Progress report: Enabling Primary Care Strategy"
    assert doc.doc_type == "minutes"
    assert doc.issued == "2023-03-20"
    assert doc.source == "https://birmingham.moderngov.co.uk/mgAi.aspx?ID=99999&ID2=1"
    for unwanted in ("Calendar", "Committees\n", "Powered by", "Copyright", "Home"):
        assert unwanted not in text, unwanted
    assert text.startswith("Agenda item\n\nProgress report: Enabling Primary Care Strategy\n\n")
    assert "November 2022 – January 2023." in text  # cp1252 en dash
    assert "with a budget of £1.2m." in text
    assert "\n\n(i) Endorsed the themes identified in the Enabling Primary Care Strategy" in text
    assert "\n\n(ii) Requested that the key points raised by Councillors" in text
    sentence = "A Member queried the governance arrangements across Primary Care"
    start = text.index(sentence)
    assert text[start : start + len(sentence)] == sentence
    assert text[start - 2 : start] == "• "


def test_page_without_main_uses_body_and_h1_title(tmp_path: Path) -> None:
    page = (
        "<html><body><nav>Menu</nav><div><h1>Board &amp; committee</h1>"
        "<p>First<br>second line</p><p>Para <em>two</em>.</p></div></body></html>"
    )
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    doc = load_document(tmp_path / "p.html", tmp_path, {})
    assert doc.text == "Board & committee\n\nFirst\nsecond line\n\nPara two."
    assert doc.title == "Board & committee"


@pytest.mark.parametrize("name", ["psu-news.html", "modgov-agenda-item.htm"])
def test_same_bytes_same_document(tmp_path: Path, name: str) -> None:
    shutil.copy(FIXTURES / name, tmp_path / name)
    first = load_document(tmp_path / name, tmp_path, {})
    second = load_document(tmp_path / name, tmp_path, {})
    assert first == second


def test_committee_minutes_laid_out_in_a_table() -> None:
    """Printed minutes put each agenda item in a table row; items stay headed blocks."""
    doc = load("modgov-printed-minutes.html")
    assert_clean(doc.text)
    assert doc.doc_type == "minutes"
    assert doc.title == "Printed minutes - Primary Care Commissioning Committee, 20/03/2023"
    assert doc.source == "https://example.moderngov.co.uk/ieListDocuments.aspx?MId=12345"
    assert doc.text == (
        "Minutes\n\n"
        "Primary Care Commissioning Committee, Monday 20th March, 2023 2.00 pm\n\n"
        "Present: Dr A Smith (Chair), Cllr B Jones, Ms C Patel\n\n"
        "1. Apologies for absence\n\n"
        "Apologies were received from Mr D Brown.\n\n"
        "2. GP Provider Support Unit hosting arrangements\n\n"
        "The Director presented the options appraisal.\n\n"
        "RESOLVED:\n\n"
        "(i) That the Committee approved option 2, hosting by the ICB.\n\n"
        "(ii) That a further report be brought in July 2023.\n\n"
        "Option | Cost\n"
        "Hosted by the ICB | £250,000"
    )


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("cp1252", b""), ("utf-16-le", b"\xff\xfe"), ("utf-8", b"\xef\xbb\xbf")],
)
def test_html_encodings_without_declaration(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    page = "<html><body><p>Budget £1.2m – the ‘RAFT’ “programme”.</p></body></html>"
    (tmp_path / "p.htm").write_bytes(prefix + page.encode(encoding))
    doc = load_document(tmp_path / "p.htm", tmp_path, {})
    assert doc.text == "Budget £1.2m – the ‘RAFT’ “programme”."
