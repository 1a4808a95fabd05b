"""Build the development corpus's Word and PDF documents from their sources in ``.src/``.

Each source is plain text in a small markup, so the documents can be read and edited as
text and rebuilt byte-for-byte (``python tests/devcorpus/build.py``). The built files are
committed, so nothing needs building to run the tests.

Markup, one block per line:
``@out PATH`` where the file goes (relative to this folder; .docx or .pdf) ·
``@title``/``@author``/``@subject``/``@date`` document properties · ``@header`` / ``@footer`` a PDF
running header / footer (``{page}`` and ``{pages}`` are replaced) · ``@page`` page break ·
``# `` / ``## `` / ``### `` headings · ``- `` bullet (indent two spaces per level) ·
``| a | b |`` table rows (consecutive rows are one table, the first is its header) ·
``> `` a line kept as its own line (hard-wrapped text in a PDF) · a blank line ends a
paragraph; other lines join into the paragraph they belong to.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / ".src"


@dataclass
class Block:
    kind: str  # h1 h2 h3 p bullet table page raw
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Source:
    out: Path
    meta: dict[str, str]
    blocks: list[Block]


def parse(path: Path) -> Source:
    meta: dict[str, str] = {}
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("p", " ".join(paragraph)))
            paragraph.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        stripped = line.lstrip()
        if line.startswith("@"):
            flush()
            key, _, value = line[1:].partition(" ")
            if key == "page":
                blocks.append(Block("page"))
            else:
                meta[key] = value.strip()
        elif not stripped:
            flush()
        elif line.startswith("#"):
            flush()
            hashes = len(line) - len(line.lstrip("#"))
            blocks.append(Block(f"h{hashes}", line[hashes:].strip()))
        elif stripped.startswith("- "):
            flush()
            blocks.append(Block("bullet", stripped[2:], (len(line) - len(stripped)) // 2))
        elif stripped.startswith("|"):
            flush()
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if blocks and blocks[-1].kind == "table":
                blocks[-1].rows.append(cells)
            else:
                blocks.append(Block("table", rows=[cells]))
        elif stripped.startswith("> "):
            flush()
            blocks.append(Block("raw", stripped[2:]))
        else:
            paragraph.append(stripped)
    flush()
    return Source(HERE / meta.pop("out"), meta, blocks)


def build_docx(source: Source) -> None:
    import docx

    document = docx.Document()
    props = document.core_properties
    props.title = source.meta.get("title", "")
    props.author = source.meta.get("author", "")
    props.subject = source.meta.get("subject", "")
    for block in source.blocks:
        if block.kind.startswith("h"):
            document.add_heading(block.text, level=int(block.kind[1]))
        elif block.kind == "bullet":
            style = "List Bullet" if block.level == 0 else f"List Bullet {block.level + 1}"
            document.add_paragraph(block.text, style=style)
        elif block.kind == "table":
            table = document.add_table(rows=len(block.rows), cols=len(block.rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(block.rows):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
        elif block.kind == "page":
            document.add_page_break()
        else:
            document.add_paragraph(block.text)
    # Fixed dates keep rebuilds identical: the source's @date, else a neutral one.
    import datetime as dt

    when = dt.datetime.fromisoformat(source.meta.get("date", "2000-01-01"))
    props.created = props.modified = when
    document.save(str(source.out))


def build_pdf(source: Source) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        ListFlowable,
        ListItem,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    styles = getSampleStyleSheet()
    header = source.meta.get("header", "")
    footer = source.meta.get("footer", "")
    story: list[object] = []
    for block in source.blocks:
        text = block.text.replace("&", "&amp;").replace("<", "&lt;")
        if block.kind.startswith("h"):
            story.append(Paragraph(text, styles[f"Heading{block.kind[1]}"]))
        elif block.kind == "bullet":
            story.append(
                ListFlowable(
                    [ListItem(Paragraph(text, styles["BodyText"]))],
                    bulletType="bullet",
                    leftIndent=12 + 14 * block.level,
                )
            )
        elif block.kind == "table":
            cells = [
                [Paragraph(c.replace("&", "&amp;"), styles["BodyText"]) for c in row]
                for row in block.rows
            ]
            table = Table(cells, repeatRows=1)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]))
            story.append(table)
            story.append(Spacer(1, 6))
        elif block.kind == "page":
            story.append(PageBreak())
        elif block.kind == "raw":
            story.append(Paragraph(text, styles["Code"]))
        else:
            story.append(Paragraph(text, styles["BodyText"]))

    class Doc(SimpleDocTemplate):
        pages = 0

    def decorate(canvas: object, doc: object) -> None:
        page = canvas.getPageNumber()  # type: ignore[attr-defined]
        canvas.setFont("Helvetica", 8)  # type: ignore[attr-defined]
        if header:
            canvas.drawString(2 * cm, A4[1] - 1.2 * cm, header)  # type: ignore[attr-defined]
        if footer:
            label = footer.replace("{page}", str(page)).replace("{pages}", str(Doc.pages or "?"))
            canvas.drawString(2 * cm, 1.0 * cm, label)  # type: ignore[attr-defined]

    def make(target: Path) -> None:
        doc = Doc(
            str(target),
            pagesize=A4,
            title=source.meta.get("title", ""),
            author=source.meta.get("author", ""),
            subject=source.meta.get("subject", ""),
            invariant=1,
        )
        doc.build(list(story), onFirstPage=decorate, onLaterPages=decorate)

    import copy
    import datetime as dt
    import os

    # reportlab stamps SOURCE_DATE_EPOCH as the creation date: the source's @date, fixed
    when = dt.datetime.fromisoformat(source.meta.get("date", "2000-01-01"))
    os.environ["SOURCE_DATE_EPOCH"] = str(int(when.replace(tzinfo=dt.UTC).timestamp()))
    first = copy.deepcopy(story)
    make(source.out)  # first pass counts the pages for "Page N of M"
    from pypdf import PdfReader

    Doc.pages = len(PdfReader(str(source.out)).pages)
    story = first
    make(source.out)


def main(argv: list[str]) -> int:
    names = argv or sorted(p.name for p in SOURCES.glob("*.txt"))
    for name in names:
        source = parse(SOURCES / name)
        (build_docx if source.out.suffix == ".docx" else build_pdf)(source)
        print(f"built {source.out.relative_to(HERE)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
