"""HTML (.html, .htm) loader: the page's content as text, without the site around it."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ingest.loaders.base import LoadResult, decode_text
from ingest.loaders.clean import group_blocks, join_blocks

# Elements that are never content.
_DROP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "nav", "aside", "form", "iframe", "svg"}
    | {"canvas", "object", "embed", "button", "select", "input", "textarea", "dialog"}
    | {"map", "audio", "video", "picture", "source", "head"}
)
_DROP_MARKS = ("cookie", "consent", "banner", "gdpr", "breadcrumb", "skip-link", "skiplink")
_DROP_ROLES = ("navigation", "banner", "contentinfo", "search", "dialog", "alertdialog")
# Elements that may hold the main content, most specific first.
_CONTENT_SELECTORS = (
    "main",
    "[role=main]",
    "#modgov",
    "#content",
    "#main-content",
    "#maincontent",
    "#main",
    ".main-content",
    "article",
)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "main", "header", "address", "blockquote", "pre"}
    | {"figure", "figcaption", "details", "summary", "center", "hr", "fieldset", "caption"}
    | {"body", "html"}
)
_ROW_TAGS = frozenset(("tr", "dt", "dd"))
_LIST_TAGS = frozenset(("ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "menu"))
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SAVED_FROM_RE = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE)
_WS_RE = re.compile(r"\s+")
_ITEM_NUMBER_RE = re.compile(r"^\(?(?:\d{1,3}|[ivx]{1,5}|[a-z])[.)]?\)?$", re.IGNORECASE)
_PUBLISHER_META = ("dc.publisher", "dcterms.publisher", "og:site_name")
_DATE_META = (
    "dcterms.issued",
    "dc.date.issued",
    "dcterms.date",
    "dc.date",
    "date",
    "citation_publication_date",
    "article:published_time",
)


def load_html(data: bytes, name: str) -> LoadResult:
    """Keep headings, paragraphs, list items, table rows; drop navigation and chrome."""
    declared = _CHARSET_RE.search(data[:4096])
    source_html = decode_text(data, name, declared.group(1).decode("ascii") if declared else None)
    tree = LexborHTMLParser(source_html)
    meta = _metadata(tree, source_html)
    title = _without_site_name(_title(tree), meta.get("publisher"))
    root = _content_root(tree)
    if root is None:
        return LoadResult("", title, meta)
    walker = _Walker()
    walker.visit(root, root.tag in ("article", "main"))
    walker.flush()
    text = join_blocks(group_blocks(walker.items))
    first_heading = next((line for kind, line in walker.items if kind in ("h1", "h2")), None)
    return LoadResult(text, title or first_heading, meta)


def _text_of(node: LexborNode) -> str:
    """Inline text with HTML whitespace rules (runs of whitespace become one space)."""
    return _WS_RE.sub(" ", node.text(deep=True, separator="")).strip()


def _title(tree: LexborHTMLParser) -> str | None:
    for selector in ("meta[name='dc.title' i]", "meta[name='dcterms.title' i]"):
        node = tree.css_first(selector)
        if node is not None and (node.attributes.get("content") or "").strip():
            return _WS_RE.sub(" ", node.attributes.get("content") or "").strip()
    node = tree.css_first("title")
    if node is not None and _text_of(node):
        return _text_of(node)
    return None


def _without_site_name(title: str | None, site: str | None) -> str | None:
    """ "RAFT launched | GP PSU" → "RAFT launched" when the page names its site "GP PSU"."""
    if title and site:
        for separator in (" | ", " - ", " – ", " — "):
            if title.endswith(separator + site) and len(title) > len(separator + site):
                return title[: -len(separator + site)].strip()
    return title


def _metadata(tree: LexborHTMLParser, html: str) -> dict[str, str]:
    """Dates, publisher and source address from meta tags, canonical link or 'saved from'."""
    meta: dict[str, str] = {}
    for node in tree.css("meta"):
        key = (node.attributes.get("name") or node.attributes.get("property") or "").lower()
        value = _WS_RE.sub(" ", node.attributes.get("content") or "").strip()
        if not value:
            continue
        if key in _DATE_META and "issued" not in meta:
            issued = _iso_date(value)
            if issued:
                meta["issued"] = issued
        elif key in _PUBLISHER_META and "publisher" not in meta:
            meta["publisher"] = value
    canonical = tree.css_first("link[rel=canonical]")
    saved = _SAVED_FROM_RE.search(html[:2000])
    if canonical is not None and (canonical.attributes.get("href") or "").startswith("http"):
        meta["source"] = canonical.attributes.get("href") or ""
    elif saved:
        meta["source"] = unescape(saved.group(1))
    return meta


def _iso_date(value: str) -> str | None:
    """The date part of an ISO-like value ("2023-03-20T10:00" → "2023-03-20")."""
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value.strip())
    if not match:
        return None
    try:
        return date(*map(int, match.groups())).isoformat()
    except ValueError:
        return None


def _is_chrome(node: LexborNode, in_article: bool) -> bool:
    """Navigation, scripts, cookie banners, breadcrumbs, skip links, hidden elements.

    A <header> inside an article or <main> holds the title and date, so it stays.
    """
    tag = node.tag or ""
    if tag in ("html", "body", "main", "article"):
        return False
    if tag in _DROP_TAGS or tag == "footer" or (tag == "header" and not in_article):
        return True
    attrs = node.attributes
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").lower() == "true":
        return True
    if (attrs.get("role") or "").lower() in _DROP_ROLES:
        return True
    style = (attrs.get("style") or "").replace(" ", "").lower()
    if "display:none" in style or "visibility:hidden" in style:
        return True
    marks = f"{attrs.get('id') or ''} {attrs.get('class') or ''}".lower()
    if any(mark in marks for mark in _DROP_MARKS):
        return True
    href = attrs.get("href") or ""
    return tag == "a" and href.startswith("#") and _text_of(node).lower().startswith("skip")


def _content_root(tree: LexborHTMLParser) -> LexborNode | None:
    """The main content element when the page marks one, else the body."""
    for selector in _CONTENT_SELECTORS:
        node = tree.css_first(selector)
        if node is not None and len(_text_of(node)) >= 40:
            return node
    return tree.body


_BR = "\ue000"  # a line break inside a paragraph, kept through whitespace collapsing


class _Walker:
    """Turns an element tree into (kind, line) items; inline text gathers into lines."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []
        self.buffer: list[str] = []
        self.open_items: list[bool] = []  # per open <li>: has its "• " line been written

    def flush(self) -> None:
        text = _WS_RE.sub(" ", "".join(self.buffer)).strip().replace(_BR, "\n")
        self.buffer.clear()
        text = "\n".join(line.strip() for line in text.split("\n") if line.strip())
        if not text:
            return
        if not self.open_items:
            self.items.append(("p", text))
        elif not self.open_items[-1]:
            self.items.append(("li", "• " + text.replace("\n", " ")))
            self.open_items[-1] = True
        elif self.items and self.items[-1][0] == "li":
            kind, line = self.items[-1]
            self.items[-1] = (kind, f"{line} {text}".replace("\n", " "))
        else:
            self.items.append(("li", "• " + text.replace("\n", " ")))

    def visit(self, node: LexborNode, in_article: bool = False) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag or ""
            if tag == "-text":
                self.buffer.append(child.text(deep=False) or "")
            elif tag.startswith("-") or _is_chrome(child, in_article):
                continue
            elif tag == "br":
                self.buffer.append(_BR)
            elif tag in _HEADINGS:
                self.flush()
                self.items.append((tag, _flat(child)))
            elif tag == "li":
                self.flush()
                self.open_items.append(False)
                self.visit(child, in_article)
                self.flush()
                self.open_items.pop()
            elif tag == "tr" and _is_layout_row(child):
                self.flush()
                self.layout_row(child, in_article)
            elif tag in _ROW_TAGS:
                self.flush()
                self.items.append(("row", _row_text(child)))
            elif tag == "pre":
                self.flush()
                self.items.append(("p", child.text(deep=True)))
            elif tag in _BLOCK_TAGS or tag in _LIST_TAGS:
                self.flush()
                self.visit(child, in_article or tag in ("article", "main"))
                self.flush()
            else:
                self.visit(child, in_article)

    def layout_row(self, row: LexborNode, in_article: bool) -> None:
        """A table used for layout (minutes with one agenda item per row): cells as content.

        A first cell holding only an item number ("5.") is put before the cell's heading.
        """
        cells = [cell for cell in row.iter() if cell.tag in ("td", "th")]
        label = ""
        if len(cells) > 1 and _ITEM_NUMBER_RE.match(_text_of(cells[0])):
            label, cells = _text_of(cells[0]), cells[1:]
        for cell in cells:
            first = len(self.items)
            self.visit(cell, in_article)
            self.flush()
            if label and len(self.items) > first:
                kind, line = self.items[first]
                self.items[first] = (kind, f"{label} {line}")
                label = ""


def _is_layout_row(row: LexborNode) -> bool:
    """Cells holding headings, lists or several paragraphs are page layout, not data."""
    for cell in row.iter():
        if cell.tag not in ("td", "th"):
            continue
        if cell.css_first("h1, h2, h3, h4, h5, h6, ul, ol, table, blockquote") is not None:
            return True
        if len(cell.css("p")) >= 2 or len(_text_of(cell)) > 400:
            return True
    return False


def _flat(node: LexborNode) -> str:
    """All the text of an element on one line (headings, table cells)."""
    walker = _Walker()
    walker.visit(node)
    walker.flush()
    return " ".join(line.replace("\n", " ") for _, line in walker.items)


def _row_text(node: LexborNode) -> str:
    """A table row as cells joined with " | "; dt/dd rows are their text."""
    if node.tag != "tr":
        return _flat(node)
    cells = [_flat(cell) for cell in node.iter() if cell.tag in ("td", "th")]
    return " | ".join(cell for cell in cells if cell)
