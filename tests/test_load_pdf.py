"""PDF loading: re-flowed paragraphs, page offsets, metadata, encrypted and scanned files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

from ingest.load import load_document
from kg.errors import DocumentError

STYLES = getSampleStyleSheet()
LONG = (
    "The Committee received the report on the Enabling Primary Care Strategy and discussed "
    "the organisational implications of the proposed GP Provider Support Unit hosting "
    "arrangements in considerable detail, noting the views of the GP Partnership Board."
)
DECISION = "The Committee endorsed the themes identified in the progress report."


def _page_number(c: canvas.Canvas, doc: SimpleDocTemplate) -> None:
    c.setFont("Helvetica", 9)
    c.drawString(280, 20, f"Page {doc.page}")
    c.drawString(40, 810, "Primary Care Committee – 20 March 2023")


def make_minutes_pdf(path: Path) -> Path:
    """Three pages: title, numbered heading, prose, bullets; a running header and footer."""
    story = [
        Paragraph("Primary Care Committee minutes", STYLES["Title"]),
        Paragraph("1. Introduction", STYLES["Heading1"]),
        Paragraph(LONG, STYLES["BodyText"]),
        Paragraph("Members noted the following points:", STYLES["BodyText"]),
        Paragraph("• Corporate stability for practices across the system", STYLES["BodyText"]),
        Paragraph(
            "• Change leadership through complex and transformational change, over a long "
            "period of time with many partners across the integrated care system",
            STYLES["BodyText"],
        ),
        PageBreak(),
        Paragraph("2. Decisions", STYLES["Heading1"]),
        Paragraph(DECISION, STYLES["BodyText"]),
        PageBreak(),
        Paragraph("3. Any other business", STYLES["Heading1"]),
        Paragraph("There was no other business.", STYLES["BodyText"]),
    ]
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        title="Primary Care Committee: minutes of 20 March 2023",
        author="NHS Birmingham and Solihull ICB",
    )
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return path


def test_multi_page_pdf(tmp_path: Path) -> None:
    doc = load_document(make_minutes_pdf(tmp_path / "minutes.pdf"), tmp_path, {})
    text = doc.text
    assert doc.title == "Primary Care Committee: minutes of 20 March 2023"
    assert doc.issued is not None and len(doc.issued) == 10
    assert len(doc.page_starts) == 3 and doc.page_starts[0] == 0
    # Wrapped lines are joined back into one paragraph line; the sentence is intact.
    start = text.index(LONG)
    assert text[start : start + len(LONG)] == LONG
    assert "Members noted the following points:\n\n• Corporate stability" in text
    assert "\n• Change leadership through complex and transformational change, over" in text
    # Running header and page numbers are gone.
    assert "Page 1" not in text and "20 March 2023\n" not in text.split("\n\n", 1)[1]
    # Pages: each page starts at its offset, separated by a blank line.
    assert text[doc.page_starts[1] :].startswith("2. Decisions\n\n" + DECISION)
    assert text[doc.page_starts[1] - 2 : doc.page_starts[1]] == "\n\n"
    assert text[doc.page_starts[2] :].startswith("3. Any other business")
    assert doc.page_at(text.index(DECISION)) == 2
    assert doc.page_at(start) == 1
    assert doc.page_at(text.index("no other business")) == 3
    assert doc.doc_type == "minutes"


def test_hyphenated_line_ends_are_mended(tmp_path: Path) -> None:
    path = tmp_path / "hyphen.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    lines = [
        "The Board agreed a programme of work on the reorgan-",
        "isation of primary care support across Birmingham and",
        "Solihull, including locality- and neighbourhood-level work.",
    ]
    for i, line in enumerate(lines):
        c.drawString(72, 760 - 14 * i, line)
    c.save()
    doc = load_document(path, tmp_path, {})
    assert doc.text == (
        "The Board agreed a programme of work on the reorganisation of primary care support "
        "across Birmingham and Solihull, including locality- and neighbourhood-level work."
    )
    assert doc.page_starts == (0,)
    assert doc.title.startswith("The Board agreed")  # no title in the file: first line


def test_encrypted_pdf(tmp_path: Path) -> None:
    source = make_minutes_pdf(tmp_path / "plain.pdf")
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(DocumentError) as info:
        load_document(path, tmp_path, {})
    assert info.value.reason == "PDF is encrypted (password-protected)"
    assert str(info.value) == f"{path}: PDF is encrypted (password-protected)"


def test_owner_password_only_pdf_is_read(tmp_path: Path) -> None:
    """Restrictions without a user password do not stop reading, as in any viewer."""
    source = make_minutes_pdf(tmp_path / "plain.pdf")
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "restricted.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    assert DECISION in load_document(path, tmp_path, {}).text


def test_scanned_pdf_without_text_layer(tmp_path: Path) -> None:
    image = Image.new("RGB", (200, 100), "white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 72, 500, width=400, height=200)
    c.showPage()
    c.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 72, 500, width=400, height=200)
    c.save()
    with pytest.raises(DocumentError) as info:
        load_document(path, tmp_path, {})
    assert info.value.reason == "no text layer; OCR is not supported"


@pytest.mark.parametrize("data", [b"\x00\x01garbage" * 100, b"%PDF-1.7\n" + b"\x8f" * 500])
def test_random_bytes_named_pdf(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    with pytest.raises(DocumentError) as info:
        load_document(path, tmp_path, {})
    assert info.value.reason.startswith("not a valid PDF file")


def test_truncated_pdf(tmp_path: Path) -> None:
    data = make_minutes_pdf(tmp_path / "whole.pdf").read_bytes()
    for cut in (100, len(data) // 3, len(data) // 2):
        path = tmp_path / f"cut{cut}.pdf"
        path.write_bytes(data[:cut])
        try:
            doc = load_document(path, tmp_path, {})
        except DocumentError as error:  # the only acceptable failure
            assert error.reason.startswith(("not a valid PDF file", "no text layer"))
        else:
            assert doc.text
