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
from docx.oxml.xmlchemy import BaseOxmlElement
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
        items = _items(document, numbering)
    except _CORRUPT as exc:
        raise DocumentError(name, "not a valid DOCX file") from exc
    text = join_blocks(group_blocks(items))
    title, meta = _metadata(document)
    first_heading = next((line for kind, line in items if kind == "h"), None)
    return LoadResult(text, title or first_heading, meta)


_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_P, _TBL, _TC, _SDT = qn("w:p"), qn("w:tbl"), qn("w:tc"), qn("w:sdt")
_SDT_CONTENT, _TXBX = qn("w:sdtContent"), qn("w:txbxContent")
# Containers whose children are body content: content controls, custom XML, tracked
# insertions and moves. Everything else at body level (section properties, bookmarks,
# deleted or moved-away text) holds no text to read.
_TRANSPARENT = frozenset(qn(f"w:{tag}") for tag in ("customXml", "ins", "moveTo", "smartTag"))


_Node = BaseOxmlElement | str  # an element to read, or a layout table's item number


def _items(document: DocxDocument, numbering: _Numbering) -> list[tuple[str, str]]:
    """(kind, line) items of the body: "h" heading, "p" paragraph, "li" list item, "row".

    The walk reads the XML itself, keeping its own stack, so text that python-docx's
    block iterator skips is read too (content controls, custom XML, tracked insertions,
    text boxes) and tables inside tables never recurse. Tables used for layout (minutes
    with a long discussion per cell) are read cell by cell as body text, an item number
    alone in a row's first cell leading the text beside it; data tables give one line
    per row. A table of contents (a TOC content control or TOC-styled paragraphs)
    repeats the headings and is dropped.
    """
    body = document._body
    items: list[tuple[str, str]] = []
    label = ""  # a layout table's item number, waiting for the text it numbers
    stack: list[Iterator[_Node]] = [iter(document.element.body)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
        elif isinstance(node, str):  # a row's item number, or "" at the end of a row
            if label:
                items.append(("p", label))
            label = node
        elif node.tag == _P:
            paragraph = Paragraph(node, body)
            item = _paragraph_item(paragraph, numbering)
            if item is not None and label:
                item, label = (item[0], f"{label} {item[1]}"), ""
            if item is not None:
                items.append(item)
            boxes = _text_boxes(node)
            if boxes:
                stack.append(iter(boxes))
        elif node.tag == _TBL:
            table = Table(node, body)
            if _is_layout_table(table):
                stack.append(_layout_cells(table))
            else:
                items.extend(("row", row) for row in _table_rows(table))
                items.append(("p", ""))  # two tables in a row stay two blocks
        elif node.tag == _SDT:
            if not _is_contents_control(node):
                content = node.find(_SDT_CONTENT)
                stack.append(iter(content if content is not None else ()))
        elif node.tag in _TRANSPARENT:
            stack.append(iter(node))
    if label:
        items.append(("p", label))
    return items


def _is_contents_control(sdt: BaseOxmlElement) -> bool:
    """A content control Word made for a table of contents (its "docPartGallery")."""
    gallery = sdt.find(f"{qn('w:sdtPr')}/{qn('w:docPartObj')}/{qn('w:docPartGallery')}")
    return gallery is not None and "contents" in (gallery.get(qn("w:val")) or "").lower()


def _text_boxes(paragraph: BaseOxmlElement) -> list[BaseOxmlElement]:
    """Paragraphs and tables of the text boxes anchored in ``paragraph``, read after it.

    A text box is stored twice (a drawing and a VML fallback for old readers); only the
    first is read, and boxes inside boxes are left to their own paragraph.
    """
    content: list[BaseOxmlElement] = []
    for box in paragraph.iter(_TXBX):
        ancestors = list(box.iterancestors())
        if next(a for a in ancestors if a.tag == _P) is not paragraph:
            continue
        if any(a.tag == f"{_MC}Fallback" for a in ancestors):
            continue
        content.extend(child for child in box if child.tag in (_P, _TBL, _SDT))
    return content


_T, _TAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_NO_BREAK_HYPHEN = qn("w:noBreakHyphen")
# Subtrees of a paragraph that hold no text of it: properties, deleted or moved-away
# runs, field codes, and drawings (a text box's text is read as its own paragraphs).
_NOT_TEXT = frozenset(
    (
        *(qn(f"w:{tag}") for tag in ("pPr", "rPr", "del", "moveFrom", "instrText")),
        *(qn(f"w:{tag}") for tag in ("drawing", "pict", "object", "delInstrText")),
        f"{_MC}AlternateContent",
    )
)


def paragraph_text(paragraph: BaseOxmlElement) -> str:
    """The text a reader sees in a paragraph, on one line: runs, hyperlinks, fields'
    results, content controls and tracked insertions; no deleted text or field codes."""
    parts: list[str] = []
    stack = [iter(paragraph)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
        elif node.tag == _T:
            parts.append(node.text or "")
        elif node.tag in (_TAB, _BR, _CR):
            parts.append(" ")
        elif node.tag == _NO_BREAK_HYPHEN:
            parts.append("-")
        elif node.tag not in _NOT_TEXT:
            stack.append(iter(node))
    return " ".join("".join(parts).split())


def _paragraph_item(block: Paragraph, numbering: _Numbering) -> tuple[str, str] | None:
    text = paragraph_text(block._p)
    if not text:
        return None
    style = block.style
    if _TOC_STYLE_RE.match(style.name or "" if style is not None else ""):
        return None  # a table of contents repeats the headings; it is not content
    if _is_heading(block):
        return ("h", text)
    label = numbering.label(block)
    if label is None:
        return ("p", text)
    return ("li", nested(f"{label} {text}", numbering.depth(block)))


_OUTLINE = f"{qn('w:pPr')}/{qn('w:outlineLvl')}"
_BODY_TEXT_LEVEL = 9  # Word's outline level for body text


def _is_heading(paragraph: Paragraph) -> bool:
    """A heading style, a style based on one (a house "Minute Heading" based on
    "Heading 2"), or an outline level set on the paragraph or its style."""
    elements = [paragraph._p]
    style = paragraph.style
    for _ in range(8):  # style chains are short; a cycle in a damaged file must end
        if style is None:
            break
        if _HEADING_RE.match(style.name or ""):
            return True
        elements.append(style.element)
        style = style.base_style
    for element in elements:
        level = element.find(_OUTLINE)
        if level is not None:
            value = level.get(qn("w:val")) or ""
            return value.isdigit() and int(value) < _BODY_TEXT_LEVEL
    return False


_LAYOUT_CELL_CHARS = 400
_ITEM_LABEL_RE = re.compile(r"^(?:item\s+)?\(?[0-9]{1,3}(?:\.[0-9]{1,3})*[a-z]?[.)]?$", re.I)


def _cells(table: Table) -> Iterator[tuple[int, _Cell]]:
    """(row index, cell) for each cell written once: the first row of a vertical merge,
    one cell for a horizontal one. Reads the XML directly (one pass), so a long merged
    column costs nothing extra."""
    for index, tr in enumerate(table._tbl.tr_lst):
        for tc in tr.tc_lst:
            if tc.vMerge != "continue":
                yield index, _Cell(tc, table)


def _cell_text(cell: _Cell) -> str:
    """All the text of a cell, tables inside it included, on one line."""
    return " ".join(filter(None, (paragraph_text(p) for p in cell._tc.iter(_P))))


def _is_layout_table(table: Table) -> bool:
    """A table whose cells hold long text or several paragraphs is page layout."""
    for _, cell in _cells(table):
        paragraphs = [p for p in cell._tc.p_lst if paragraph_text(p)]
        if len(paragraphs) >= 3 or len(_cell_text(cell)) > _LAYOUT_CELL_CHARS:
            return True
    return False


def _layout_cells(table: Table) -> Iterator[_Node]:
    """The content of each cell in reading order, as if it were body text; a row whose
    first cell is only an item number ("4.", "12b") hands it to the text beside it."""
    row = -1
    for index, cell in _cells(table):
        first = index != row
        if first and row >= 0:
            yield ""  # an item number never crosses into the next row
        row = index
        if first and _ITEM_LABEL_RE.match(text := _cell_text(cell)) and len(cell._tc.p_lst) <= 2:
            yield text
            continue
        yield from (child for child in cell._tc if child.tag in (_P, _TBL, _SDT))


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
