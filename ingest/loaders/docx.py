"""Word (.docx) loader: headings, paragraphs, lists and tables in document order."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import datetime

import docx
from docx.document import Document as DocxDocument
from docx.opc.exceptions import OpcError
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml.etree import XMLSyntaxError

from ingest.loaders.base import LoadResult
from ingest.loaders.clean import group_blocks, join_blocks, nested
from kg.errors import DocumentError

_HEADING_RE = re.compile(r"^(?:heading\s*(\d)|title|subtitle)$", re.IGNORECASE)
_TOC_STYLE_RE = re.compile(r"^(?:toc\s*\d|toc heading|table of figures)$", re.IGNORECASE)
_LIST_STYLE_LEVEL_RE = re.compile(r"^list (?:bullet|number|paragraph|continue)\s*(\d)?$", re.I)
# python-docx's own template carries this timestamp; it says nothing about the document.
_TEMPLATE_DATE = "2013-12-23T23:15:00"
_ROMAN: tuple[tuple[int, str], ...] = (
    *((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc")),
    *((50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")),
)
# What reading a damaged package raises: zip, deflate, XML and python-docx errors.
_CORRUPT: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,  # an unsupported zip compression method
    OpcError,
    KeyError,
    XMLSyntaxError,
    ValueError,
)


def load_docx(data: bytes, name: str) -> LoadResult:
    """Body text in order; list paragraphs as "• " (or their number), tables row by row."""
    try:
        document = docx.Document(io.BytesIO(data))
        numbering = _Numbering(document)
        items = list(_items(document, numbering))
    except _CORRUPT as exc:
        raise DocumentError(name, "not a valid DOCX file") from exc
    text = join_blocks(group_blocks(items))
    title, meta = _metadata(document)
    first_heading = next((line for kind, line in items if kind == "h"), None)
    return LoadResult(text, title or first_heading, meta)


def _items(document: DocxDocument, numbering: _Numbering) -> list[tuple[str, str]]:
    """(kind, line) items of the body: "h" heading, "p" paragraph, "li" list item, "row".

    Tables used for layout (minutes with a long discussion per cell) are read cell by
    cell as body text; data tables give one line per row. The walk keeps its own stack,
    so tables inside tables never recurse.
    """
    items: list[tuple[str, str]] = []
    stack: list[Iterator[Paragraph | Table]] = [document.iter_inner_content()]
    while stack:
        block = next(stack[-1], None)
        if block is None:
            stack.pop()
        elif isinstance(block, Paragraph):
            item = _paragraph_item(block, numbering)
            if item is not None:
                items.append(item)
        elif _is_layout_table(block):
            stack.append(_layout_cells(block))
        else:
            items.extend(("row", row) for row in _table_rows(block))
            items.append(("p", ""))  # two tables in a row stay two blocks
    return items


def _paragraph_item(block: Paragraph, numbering: _Numbering) -> tuple[str, str] | None:
    text = " ".join(block.text.split("\n")).strip() if block.text else ""
    if not text:
        return None
    style = (block.style.name if block.style is not None else "") or ""
    if _TOC_STYLE_RE.match(style):
        return None  # a table of contents repeats the headings; it is not content
    if _HEADING_RE.match(style):
        return ("h", " ".join(text.split()))
    label = numbering.label(block)
    if label is None:
        return ("p", text)
    return ("li", nested(f"{label} {text}", numbering.depth(block)))


_LAYOUT_CELL_CHARS = 400


def _cells(table: Table) -> Iterator[tuple[int, _Cell]]:
    """(row index, cell) for each cell written once: the first row of a vertical merge,
    one cell for a horizontal one. Reads the XML directly (one pass), so a long merged
    column costs nothing extra."""
    for index, tr in enumerate(table._tbl.tr_lst):
        for tc in tr.tc_lst:
            if tc.vMerge != "continue":
                yield index, _Cell(tc, table)


_TEXT_TAGS = (qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr"))


def _cell_text(cell: _Cell) -> str:
    """All the text of a cell, tables inside it included, on one line."""
    paragraphs = (
        "".join(node.text or " " for node in p.iter(*_TEXT_TAGS)) for p in cell._tc.iter(qn("w:p"))
    )
    return " ".join(" ".join(paragraphs).split())


def _is_layout_table(table: Table) -> bool:
    """A table whose cells hold long text or several paragraphs is page layout."""
    for _, cell in _cells(table):
        paragraphs = [p for p in cell._tc.p_lst if "".join(p.itertext()).strip()]
        if len(paragraphs) >= 3 or len(_cell_text(cell)) > _LAYOUT_CELL_CHARS:
            return True
    return False


def _layout_cells(table: Table) -> Iterator[Paragraph | Table]:
    """The content of each cell in reading order, as if it were body text."""
    for _, cell in _cells(table):
        yield from cell.iter_inner_content()


def _table_rows(table: Table) -> list[str]:
    """One line per row, cells joined with " | "; a merged cell is written once."""
    rows: dict[int, list[str]] = {}
    for index, cell in _cells(table):
        value = _cell_text(cell)
        if value:
            rows.setdefault(index, []).append(value)
    return [" | ".join(cells) for _, cells in sorted(rows.items())]


class _Numbering:
    """Renders list labels the way Word shows them: "•", "1.", "(ii)", "a)"."""

    def __init__(self, document: DocxDocument) -> None:
        self.levels: dict[tuple[str, str], tuple[str, str, int]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return
        abstract = {a.get(qn("w:abstractNumId")): a for a in root.findall(qn("w:abstractNum"))}
        for num in root.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            definition = abstract.get(ref.get(qn("w:val")) if ref is not None else None)
            if definition is None:
                continue
            for level in definition.findall(qn("w:lvl")):
                fmt = level.find(qn("w:numFmt"))
                text = level.find(qn("w:lvlText"))
                start = level.find(qn("w:start"))
                self.levels[(num.get(qn("w:numId")) or "", level.get(qn("w:ilvl")) or "0")] = (
                    fmt.get(qn("w:val")) if fmt is not None else "bullet",
                    text.get(qn("w:val")) if text is not None else "",
                    int(start.get(qn("w:val")) or 1) if start is not None else 1,
                )

    def label(self, paragraph: Paragraph) -> str | None:
        """The item's label, or None when the paragraph is not a list item."""
        num_id, ilvl = _num_pr(paragraph)
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if num_id is None:
            return "•" if style.lower().startswith("list bullet") else None
        if num_id == "0":
            return None
        fmt, pattern, _ = self.levels.get((num_id, ilvl), ("bullet", "", 1))
        if fmt in ("bullet", "none", "") or not pattern:
            return "•"
        return self._count(num_id, int(ilvl), pattern)

    def depth(self, paragraph: Paragraph) -> int:
        """Nesting depth of a list item: its numbering level, else its style's number
        ("List Bullet 2" is one level down)."""
        num_id, ilvl = _num_pr(paragraph)
        if num_id is not None and ilvl.isdigit() and int(ilvl) > 0:
            return int(ilvl)
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        match = _LIST_STYLE_LEVEL_RE.match(style)
        return int(match.group(1)) - 1 if match and match.group(1) else 0

    def _count(self, num_id: str, level: int, pattern: str) -> str:
        counters = self.counters.setdefault(num_id, {})
        start = self.levels.get((num_id, str(level)), ("", "", 1))[2]
        counters[level] = counters.get(level, start - 1) + 1
        for deeper in [key for key in counters if key > level]:
            del counters[deeper]

        def render(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            fmt, _, first = self.levels.get((num_id, str(index)), ("decimal", "", 1))
            return _format_number(counters.get(index, first), fmt)

        return re.sub(r"%(\d)", render, pattern).strip() or "•"


def _num_pr(paragraph: Paragraph) -> tuple[str | None, str]:
    """numId and level from the paragraph, else from its style (e.g. "List Number")."""
    for element in (paragraph._p, paragraph.style.element if paragraph.style else None):
        if element is None:
            continue
        p_pr = element.find(qn("w:pPr"))
        num_pr = p_pr.find(qn("w:numPr")) if p_pr is not None else None
        if num_pr is None:
            continue
        num_id = num_pr.find(qn("w:numId"))
        ilvl = num_pr.find(qn("w:ilvl"))
        if num_id is not None:
            return num_id.get(qn("w:val")), ilvl.get(qn("w:val")) if ilvl is not None else "0"
    return None, "0"


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt in ("lowerLetter", "upperLetter") and value > 0:
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    return str(value)


def _roman(value: int) -> str:
    out = ""
    for number, letters in _ROMAN:
        while value >= number:
            out += letters
            value -= number
    return out


def _metadata(document: DocxDocument) -> tuple[str | None, dict[str, str]]:
    """Title, author and dates from the core properties (template dates ignored)."""
    props = document.core_properties
    meta: dict[str, str] = {}
    for key, value in (("created", props.created), ("modified", props.modified)):
        if isinstance(value, datetime) and not value.isoformat().startswith(_TEMPLATE_DATE):
            meta[key] = value.date().isoformat()
    if props.author and props.author.strip() != "python-docx":
        meta["author"] = props.author.strip()
    issued = meta.get("created") or meta.get("modified")
    if issued:
        meta["issued"] = issued
    title = " ".join((props.title or "").split())
    return title or None, meta
