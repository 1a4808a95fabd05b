"""HTML (.html, .htm) loader: the page's content as text, without the site around it."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from html import unescape

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ingest.loaders.base import LoadResult, decode_text
from ingest.loaders.clean import group_blocks, join_blocks, nested

# Elements that are never content.
_DROP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "nav", "aside", "form", "iframe", "svg"}
    | {"canvas", "object", "embed", "button", "select", "input", "textarea", "dialog"}
    | {"map", "audio", "video", "picture", "source", "head"}
)
_DROP_MARKS = ("cookie", "consent", "banner", "gdpr", "breadcrumb", "skip-link", "skiplink")
# Words of a class or id name ("main-nav", "sidebar_left") that name site furniture, and
# words that make such a name describe the content's layout instead ("has-sidebar").
_DROP_WORDS = frozenset(
    {"nav", "navbar", "navigation", "menu", "menubar", "megamenu", "sidebar", "masthead"}
    | {"social", "share", "sharing", "sharebar", "toolbar", "pagination", "pager"}
)
_LAYOUT_WORDS = frozenset({"has", "with", "no", "without", "is", "content", "layout", "body"})
_NAME_PART_RE = re.compile(r"[_-]+")
_DROP_ROLES = (
    *("navigation", "banner", "contentinfo", "search", "dialog", "alertdialog"),
    *("complementary", "menu", "menubar", "toolbar"),
)
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
    tree = LexborHTMLParser(bound_depth(source_html))
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


MAX_DEPTH = 512  # as browsers do: deeper elements are flattened into the one at this depth
_VOID = frozenset(
    "area base br col embed hr img input link meta source track wbr param keygen".split()
)
_RAW_TEXT = frozenset(("script", "style", "textarea", "title", "xmp", "plaintext"))
# Start tags that close an open element of the same group: <li> closes an <li>.
_CLOSES_SAME = {"p": "p", "li": "li", "dt": "d", "dd": "d", "tr": "tr", "td": "t", "th": "t"}
_TAG_NAME_RE = re.compile(r"/?([A-Za-z][A-Za-z0-9:-]*)")


def bound_depth(html: str, limit: int = MAX_DEPTH) -> str:
    """The page with elements nested deeper than ``limit`` unwrapped (text kept).

    The HTML parser checks the stack of open elements for each tag, so a page nested
    100,000 deep costs it minutes; browsers cap the depth for the same reason. One pass
    over the tags: an approximate stack (void elements, raw text, and the implied end
    of <p>, <li>, <td>...) tells the depth; the page is copied only if it goes too deep.
    """
    stack: list[str] = []
    dropped: list[tuple[int, int]] = []
    pos = 0
    while True:
        lt = html.find("<", pos)
        if lt == -1:
            break
        if html.startswith("<!--", lt):
            end = html.find("-->", lt + 4)
            pos = len(html) if end == -1 else end + 3
            continue
        gt = html.find(">", lt + 1)
        if gt == -1:
            break
        pos = gt + 1
        match = _TAG_NAME_RE.match(html, lt + 1, gt)
        if match is None:
            continue
        name = match.group(1).lower()
        if html[lt + 1] == "/":
            if name in stack[-8:]:  # an end tag closes its element and any left open in it
                while stack.pop() != name:
                    pass
                if len(stack) >= limit:
                    dropped.append((lt, pos))
            continue
        if name in _RAW_TEXT:
            end = _find_ci(html, f"</{name}", pos)
            pos = len(html) if end == -1 else end
            continue
        group = _CLOSES_SAME.get(name)
        if group is not None and stack and _CLOSES_SAME.get(stack[-1]) == group:
            stack.pop()
        if name in _VOID or html[gt - 1] == "/":
            continue
        if len(stack) >= limit:
            dropped.append((lt, pos))
        stack.append(name)
    if not dropped:
        return html
    parts, last = [], 0
    for start, end in dropped:
        parts.append(html[last:start])
        parts.append(" ")
        last = end
    parts.append(html[last:])
    return "".join(parts)


def _find_ci(html: str, needle: str, start: int) -> int:
    """Case-insensitive find, without lower-casing the whole page for each <script>."""
    match = re.compile(re.escape(needle), re.IGNORECASE).search(html, start)
    return -1 if match is None else match.start()


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
    if any(_is_furniture_name(name) for name in marks.split()):
        return True
    href = attrs.get("href") or ""
    return tag == "a" and href.startswith("#") and _text_of(node).lower().startswith("skip")


def _is_furniture_name(name: str) -> bool:
    parts = set(_NAME_PART_RE.split(name))
    return not parts.isdisjoint(_DROP_WORDS) and parts.isdisjoint(_LAYOUT_WORDS)


def _content_root(tree: LexborHTMLParser) -> LexborNode | None:
    """The main content element when the page marks one, else the body."""
    for selector in _CONTENT_SELECTORS:
        node = tree.css_first(selector)
        if node is not None and len(_text_of(node)) >= 40:
            return node
    return tree.body


_BR = "\ue000"  # a line break inside a paragraph, kept through whitespace collapsing

# What a walk step is: an element or text node to handle, or an action to run when the
# walk gets to it (closing a list item, finishing a table cell).
_Step = LexborNode | Callable[[], None]


class _Walker:
    """Turns an element tree into (kind, line) items; inline text gathers into lines.

    The walk keeps its own stack instead of recursing, so no nesting depth can exhaust
    Python's stack; each node is handled once.
    """

    def __init__(self, flat: bool = False) -> None:
        self.items: list[tuple[str, str]] = []
        self.buffer: list[str] = []
        self.open_items: list[bool] = []  # per open <li>: has its "• " line been written
        self.flat = flat  # gather everything into one line (a heading, a table cell)
        self._stack: list[tuple[Iterator[_Step], bool]] = []

    def flush(self) -> None:
        text = _WS_RE.sub(" ", "".join(self.buffer)).strip().replace(_BR, "\n")
        self.buffer.clear()
        text = "\n".join(line.strip() for line in text.split("\n") if line.strip())
        if not text:
            return
        if not self.open_items:
            self.items.append(("p", text))
            return
        depth = len(self.open_items) - 1
        if not self.open_items[-1]:
            self.items.append(("li", nested("• " + text.replace("\n", " "), depth)))
            self.open_items[-1] = True
        elif self.items and self.items[-1][0] == "li":
            kind, line = self.items[-1]
            self.items[-1] = (kind, f"{line} {text}".replace("\n", " "))
        else:
            self.items.append(("li", nested("• " + text.replace("\n", " "), depth)))

    def _close_item(self) -> None:
        self.flush()
        self.open_items.pop()

    def visit(self, node: LexborNode, in_article: bool = False) -> None:
        """Walk the children of ``node`` in document order."""
        self._enter(iter(node.iter(include_text=True)), in_article)
        while self._stack:
            steps, context = self._stack[-1]
            step = next(steps, None)
            if step is None:
                self._stack.pop()
            elif callable(step):
                step()
            else:
                self._handle(step, context)

    def _enter(self, steps: Iterable[_Step], in_article: bool) -> None:
        self._stack.append((iter(steps), in_article))

    def _children(self, node: LexborNode, in_article: bool, *after: Callable[[], None]) -> None:
        """Walk ``node``'s children next, then run ``after``."""
        self._enter(itertools.chain(node.iter(include_text=True), after), in_article)

    def _handle(self, child: LexborNode, in_article: bool) -> None:
        tag = child.tag or ""
        if tag == "-text":
            self.buffer.append(child.text(deep=False) or "")
        elif tag.startswith("-") or _is_chrome(child, in_article):
            return
        elif tag == "br":
            self.buffer.append(_BR)
        elif self.flat:
            spaced = tag in _HEADINGS or tag in _BLOCK_TAGS or tag in _LIST_TAGS
            if spaced or tag in _ROW_TAGS or tag in ("li", "td", "th"):
                self.buffer.append(" ")
                self._children(child, in_article, lambda: self.buffer.append(" "))
            else:
                self._children(child, in_article)
        elif tag in _HEADINGS:
            self.flush()
            self.items.append((tag, _flat(child)))
        elif tag == "li":
            self.flush()
            self.open_items.append(False)
            self._children(child, in_article, self._close_item)
        elif tag == "tr" and _is_layout_row(child):
            self.flush()
            self._enter(self._layout_row(child), in_article)
        elif tag in _ROW_TAGS:
            self.flush()
            self.items.append(("row", _row_text(child)))
        elif tag == "pre":
            self.flush()
            self.items.append(("p", child.text(deep=True)))
        elif tag in _BLOCK_TAGS or tag in _LIST_TAGS:
            self.flush()
            self._children(child, in_article or tag in ("article", "main"), self.flush)
        else:
            self._children(child, in_article)

    def _layout_row(self, row: LexborNode) -> Iterator[_Step]:
        """A table used for layout (minutes with one agenda item per row): cells as content.

        A first cell holding only an item number ("5.") is put before the cell's heading.
        """
        cells = [cell for cell in row.iter() if cell.tag in ("td", "th")]
        label = ""
        if len(cells) > 1 and _ITEM_NUMBER_RE.match(_text_of(cells[0])):
            label, cells = _text_of(cells[0]), cells[1:]
        for cell in cells:
            first = len(self.items)
            yield cell
            yield self.flush
            if label and len(self.items) > first:
                kind, line = self.items[first]
                self.items[first] = (kind, f"{label} {line}")
                label = ""


_LAYOUT_SCAN = 2000  # nodes of a row looked at before calling it layout


def _is_layout_row(row: LexborNode) -> bool:
    """Cells holding headings, lists or several paragraphs are page layout, not data.

    The look is bounded: a row too big to judge in a couple of thousand nodes is layout.
    """
    paragraphs = 0
    chars = 0
    for seen, node in enumerate(row.traverse(include_text=True)):
        tag = node.tag or ""
        if seen > _LAYOUT_SCAN or tag in _LAYOUT_MARKS:
            return True
        if tag == "p":
            paragraphs += 1
        elif tag == "-text":
            chars += len(node.text(deep=False) or "")
        if paragraphs >= 2 or chars > 400:
            return True
    return False


_LAYOUT_MARKS = frozenset((*_HEADINGS, "ul", "ol", "blockquote")) | {"table"}


def _flat(node: LexborNode) -> str:
    """All the text of an element on one line (headings, table cells)."""
    walker = _Walker(flat=True)
    walker.visit(node)
    walker.flush()
    return " ".join(line.replace("\n", " ") for _, line in walker.items)


def _row_text(node: LexborNode) -> str:
    """A table row as cells joined with " | "; dt/dd rows are their text."""
    if node.tag != "tr":
        return _flat(node)
    cells = [_flat(cell) for cell in node.iter() if cell.tag in ("td", "th")]
    return " | ".join(cell for cell in cells if cell)
