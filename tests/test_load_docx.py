"""Word loading: headings, paragraphs, bullet and numbered lists, tables, properties."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import docx
import pytest

from ingest.load import load_document
from kg.errors import DocumentError


def make_docx(path: Path, title: str | None = "GP Partnership Board: terms of reference") -> Path:
    document = docx.Document()
    if title is not None:
        document.core_properties.title = title
    document.core_properties.created = dt.datetime(2023, 3, 1, 9, 0)
    document.add_heading("GP Partnership Board", 0)
    document.add_heading("1 Purpose", level=1)
    document.add_paragraph(
        "The Board provides a single voice for general practice.\tIt meets   monthly."
    )
    document.add_paragraph("The Board will:")
    document.add_paragraph("Promote corporate stability", style="List Bullet")
    document.add_paragraph("Lead change across the system", style="List Bullet")
    document.add_heading("2 Decisions", level=2)
    document.add_paragraph("Approve the work programme", style="List Number")
    document.add_paragraph("Agree the hosting arrangements", style="List Number")
    table = document.add_table(rows=3, cols=3)
    rows = [
        ["When", "What", "Who"],
        ["Mar 23", "Reset of purpose & functions", "Dr Subeena Suleman"],
        ["21 Jun", "Programme group launched", "GPPSU managers"],
    ]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    document.add_paragraph("(i) Endorsed the themes identified in the report.")
    document.add_paragraph("Budget: £1.2m for 2023–24, the ‘RAFT’ programme.")
    document.save(str(path))
    return path


def test_docx_structure(tmp_path: Path) -> None:
    doc = load_document(make_docx(tmp_path / "tor.docx"), tmp_path, {})
    assert doc.text == (
        "GP Partnership Board\n\n"
        "1 Purpose\n\n"
        "The Board provides a single voice for general practice. It meets monthly.\n\n"
        "The Board will:\n\n"
        "• Promote corporate stability\n"
        "• Lead change across the system\n\n"
        "2 Decisions\n\n"
        "1. Approve the work programme\n"
        "2. Agree the hosting arrangements\n\n"
        "When | What | Who\n"
        "Mar 23 | Reset of purpose & functions | Dr Subeena Suleman\n"
        "21 Jun | Programme group launched | GPPSU managers\n\n"
        "(i) Endorsed the themes identified in the report.\n\n"
        "Budget: £1.2m for 2023–24, the ‘RAFT’ programme."
    )
    assert doc.title == "GP Partnership Board: terms of reference"
    assert doc.issued == "2023-03-01"
    assert doc.page_starts == ()
    sentence = "Mar 23 | Reset of purpose & functions | Dr Subeena Suleman"
    start = doc.text.index(sentence)
    assert doc.text[start : start + len(sentence)] == sentence


def test_docx_title_from_first_heading(tmp_path: Path) -> None:
    doc = load_document(make_docx(tmp_path / "tor.docx", title=None), tmp_path, {})
    assert doc.title == "GP Partnership Board"


def test_catalog_overrides_docx_properties(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "tor.docx")
    catalog = {"tor.docx": {"title": "ToR", "type": "terms of reference", "issued": "2023-04"}}
    doc = load_document(path, tmp_path, catalog)
    assert (doc.title, doc.doc_type, doc.issued) == ("ToR", "terms of reference", "2023-04")


@pytest.mark.parametrize(
    "content",
    [b"PK\x03\x04 not really a zip" * 20, bytes(range(256)) * 8, "zip-without-word"],
)
def test_not_a_docx(tmp_path: Path, content: bytes | str) -> None:
    path = tmp_path / "broken.docx"
    if isinstance(content, str):
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "a zip file, but not a Word document")
    else:
        path.write_bytes(content)
    with pytest.raises(DocumentError) as info:
        load_document(path, tmp_path, {})
    assert info.value.reason == "not a valid DOCX file"


def test_docx_without_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    with pytest.raises(DocumentError) as info:
        load_document(path, tmp_path, {})
    assert info.value.reason == "no text"
