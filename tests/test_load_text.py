"""Plain text and Markdown loading, encodings, and the clean-text contract."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.load import load_document
from ingest.loaders.clean import normalize_text
from tests.loader_helpers import assert_clean

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_corpus_psu_page_keeps_every_sentence() -> None:
    doc = load_document(CORPUS / "gp-psu-developing-the-role.txt", CORPUS)
    assert_clean(doc.text)
    sentence = (
        "The GP Partnership Board set up the GP PSU Steering Group, nominated its members, "
        "and agreed its terms of reference."
    )
    start = doc.text.index(sentence)
    assert doc.text[start : start + len(sentence)] == sentence
    assert doc.doc_id == "gp-psu-developing-the-role"
    assert doc.path == "gp-psu-developing-the-role.txt"
    assert doc.title == "GP Provider Support Unit: developing the role"  # from metadata.toml
    assert doc.doc_type == "PSU page"
    assert len(doc.sha256) == 64
    # Bullets are "• " lines of one block; the timeline stays one line per entry.
    assert "\n• Change leadership: To support primary care" in doc.text
    assert "\n\n• Corporate stability" in doc.text
    assert "Mar – July 23: Options appraisal of future hosting arrangements\n" in doc.text


def test_corpus_every_source_sentence_survives() -> None:
    """Cleaning only changes spacing: each source line is in the text, respaced."""
    for path in sorted(CORPUS.glob("*.txt")):
        doc = load_document(path, CORPUS)
        assert_clean(doc.text)
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = " ".join(raw.replace("\u00a0", " ").split()).removeprefix("• ")
            assert line in doc.text, line


def test_minutes_type_and_numbered_resolutions() -> None:
    path = CORPUS / "jhosc-enabling-primary-care-strategy-progress-report.txt"
    doc = load_document(path, CORPUS, catalog={})
    assert doc.doc_type == "minutes"  # guessed from the text
    assert doc.title == "Agenda item"  # first line when nothing better is known
    assert "\n(i) Endorsed the themes identified" in doc.text


def test_hard_wrapped_paragraph_is_joined(tmp_path: Path) -> None:
    body = (
        "Annual report\n\n"
        "The Primary Care Commissioning Committee met six times during the year\n"
        "and approved the new arrangements for general practice across Birmingham\n"
        "and Solihull, including the Provider Support Unit hosting options.\n\n"
        "Key points:\n"
        "- first point\n"
        "* second point that wraps\n"
        "  onto another line\n"
    )
    doc = load_document(write(tmp_path, "report.txt", body.encode()), tmp_path, {})
    assert_clean(doc.text)
    assert "met six times during the year and approved the new arrangements" in doc.text
    assert "Key points:\n\n• first point\n• second point that wraps onto another line" in doc.text


def test_wrapped_list_of_people_keeps_one_entry_per_line(tmp_path: Path) -> None:
    """A "Name - Post" entry that nearly fills the line is not joined to the next entry;
    a line ending in "to" or "and" goes on; in a capitals title block "IN …" goes on."""
    body = (
        "NORTHBROOK HEALTH AND WELLBEING BOARD\n\n"
        "MINUTES OF THE MEETING HELD ON TUESDAY 4 JUNE 2024 AT 10.00AM\n"
        "IN THE COMMITTEE ROOM, NORTHBROOK TOWN HALL\n\n"
        "PRESENT:\n"
        "Councillor Jane Ashworth (Chair) - Cabinet Member for Adult Care and\n"
        "Health, Northbrook Council\n"
        "Peter Lamb - Place Director, NHS Northbrook Integrated Care Board\n"
        "Ruth Okafor - Chief Executive, Healthwatch Northbrook and Wider Area\n\n"
        "The Board considered the annual report on the pharmaceutical needs of\n"
        "the borough and the response to the consultation that closed in May.\n\n"
        "Action: Peter Lamb to send the final pharmaceutical needs report to\n"
        "Board members by 30 June 2024.\n"
    )
    doc = load_document(write(tmp_path, "minutes.txt", body.encode()), tmp_path, {})
    assert "AT 10.00AM IN THE COMMITTEE ROOM" in doc.text
    assert "Cabinet Member for Adult Care and Health, Northbrook Council\n" in doc.text
    assert "Integrated Care Board\nRuth Okafor - Chief Executive" in doc.text
    assert "report to Board members by 30 June 2024." in doc.text


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("cp1252", b""),
    ],
)
def test_encodings(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = "Budget: £1.2m for 2023–24 — the ‘RAFT’ programme “launched” … café\n\nSecond para.\n"
    data = prefix + text.replace("\n", "\r\n").encode(encoding)
    doc = load_document(write(tmp_path, "enc.txt", data), tmp_path, {})
    assert (
        doc.text
        == "Budget: £1.2m for 2023–24 — the ‘RAFT’ programme “launched” … café\n\nSecond para."
    )
    assert "\ufeff" not in doc.text


def test_nfc_and_odd_spaces(tmp_path: Path) -> None:
    data = "Cafe\u0301\u00a0\u00a0menu\tand\u200b soft\u00adhyphen  \r\n\r\n\r\n\r\nnext".encode()
    doc = load_document(write(tmp_path, "odd.txt", data), tmp_path, {})
    assert doc.text == "Café menu and softhyphen\n\nnext"


def test_markdown(tmp_path: Path) -> None:
    body = """---
title: GP Partnership Board update
date: 2023-05-04
---
# Partnership board

Intro with **bold**, *emphasis*, `code`, a [link](https://example.org) and snake_case_name.
It continues on a second line.

## Members

- Dr *Subeena* Suleman
* GP PSU managers
  with a continuation

1. First decision
2. Second decision

| Date | Item |
|------|------|
| Mar 23 | Reset of purpose |

> A quoted remark.

Setext heading
--------------

```
code block line
```
"""
    doc = load_document(write(tmp_path, "board.md", body.encode()), tmp_path, {})
    assert_clean(doc.text)
    assert doc.title == "GP Partnership Board update"
    assert doc.issued == "2023-05-04"
    assert doc.text.startswith("Partnership board\n\nIntro with bold, emphasis, code, a link and ")
    assert "snake_case_name. It continues on a second line." in doc.text
    assert (
        "\n\nMembers\n\n• Dr Subeena Suleman\n• GP PSU managers with a continuation\n" in doc.text
    )
    assert "1. First decision\n2. Second decision" in doc.text
    assert "Date | Item\nMar 23 | Reset of purpose" in doc.text
    assert "\n\nA quoted remark.\n\nSetext heading\n\ncode block line" in doc.text
    assert "#" not in doc.text and "**" not in doc.text and "](" not in doc.text


def test_markdown_title_from_first_heading(tmp_path: Path) -> None:
    doc = load_document(
        write(tmp_path, "x.md", b"Some intro\n\n# The Title\n\nBody."), tmp_path, {}
    )
    assert doc.title == "The Title"


def test_long_first_line_title_is_trimmed(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "x.txt", ("word " * 80).encode()), tmp_path, {})
    assert len(doc.title) <= 121 and doc.title.endswith("…")


# --- the contract as a property ----------------------------------------------------

_ALPHABET = st.sampled_from(
    [*"ab •·▪-*\t\n\r \u00a0\u200b\u00ad\u0301é£–—“”()1.", "\r\n", "  ", "\n\n\n", "e\u0301"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=80).map("".join))
def test_normalize_text_contract(raw: str) -> None:
    once = normalize_text(raw)
    assert normalize_text(once) == once
    assert_clean(once)
    assert not re.search(r"\n{3,}", once)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_normalize_text_any_unicode(raw: str) -> None:
    once = normalize_text(raw)
    assert normalize_text(once) == once
    assert_clean(once)
