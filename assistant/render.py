"""HTML for the app. Document text and labels are always escaped: shown as text, never markup.

Every function here takes plain strings (document text, labels, IRIs) and returns HTML
in which those strings appear only through :func:`esc` or :func:`attr`, so a document
full of ``<script>``, ``onerror=`` or ``[x](javascript:…)`` renders as the characters it
contains. The app puts this HTML into ``gr.HTML`` components, never into Markdown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

CITE_RE = re.compile(r"\[(\d{1,3})\]")


def esc(text: object) -> str:
    """Text for an element body or a quoted attribute value."""
    return html.escape("" if text is None else str(text), quote=True)


def attr(text: object) -> str:
    """A double-quoted attribute value (newlines kept as character references)."""
    return '"' + esc(text).replace("\n", "&#10;").replace("\r", "&#13;") + '"'


def explore_href(iri: str) -> str:
    """The app's own link for an entity: /?explore=IRI (never the IRI itself)."""
    return "/?" + urlencode({"explore": iri})


def entity_link(iri: str, label: str) -> str:
    """A link that opens the entity in Explore (in place, through the app's script)."""
    return (
        f'<a class="kg-entity" href={attr(explore_href(iri))} data-kg-explore={attr(iri)}'
        f" title={attr(iri)}>{esc(label)}</a>"
    )


def spans_param(spans: Iterable[tuple[int, int]]) -> str:
    return ",".join(f"{s}-{e}" for s, e in spans)


def viewer_href(
    doc_id: str, start: int | None = None, end: int | None = None, highlights: Sequence = ()
) -> str:
    """The document viewer at the cited passage, the answer's sentences highlighted."""
    params: dict[str, str] = {}
    if start is not None and end is not None:
        params["at"] = f"{start}-{end}"
    if highlights:
        params["hl"] = spans_param((int(s), int(e)) for s, e in highlights)
    query = ("?" + urlencode(params)) if params else ""
    fragment = f"#p-{start}-{end}" if start is not None and end is not None else ""
    return f"/view/{quote(doc_id, safe='')}{query}{fragment}"


def viewer_link(href: str, label_html: str, cls: str = "kg-open", name: str = "") -> str:
    """A link to the viewer: a dialog in the app (app.js), a new page without script."""
    aria = f" aria-label={attr(name)}" if name else ""
    return (
        f'<a class="{cls}" href={attr(href)} data-kg-view target="_blank" rel="noopener"{aria}>'
        f"{label_html}</a>"
    )


def marked(text: str, offset: int, highlights: Iterable[tuple[int, int]]) -> str:
    """``text`` (starting at document offset ``offset``) with the highlighted spans marked."""
    pieces: list[str] = []
    cursor = 0
    for start, end in sorted(highlights):
        s, e = max(start - offset, cursor), min(end - offset, len(text))
        if e <= s:
            continue
        pieces.append(esc(text[cursor:s]))
        pieces.append(f'<mark class="kg-hl">{esc(text[s:e])}</mark>')
        cursor = e
    pieces.append(esc(text[cursor:]))
    return "".join(pieces)


@dataclass
class CitationView:
    """What the app shows of one citation; built from ``Citation`` plus the document's metadata."""

    n: int
    document: str
    title: str
    text: str
    start: int
    end: int
    highlights: list[tuple[int, int]] = field(default_factory=list)
    section: str = ""
    page: int | None = None
    issued: str | None = None

    def place(self) -> list[str]:
        """Date, section heading and page, where known (the document id last)."""
        parts = [p for p in (self.issued or "", self.section) if p]
        if self.page is not None:
            parts.append(f"page {self.page}")
        parts.append(self.document)
        return parts

    def href(self) -> str:
        return viewer_href(self.document, self.start, self.end, self.highlights)


def citation_card(c: CitationView, anchor: str) -> str:
    """One cited passage: its number, title (opening the viewer), place and text."""
    head = viewer_link(
        c.href(),
        f'<span class="kg-n">[{c.n}]</span> <span class="kg-title">{esc(c.title)}</span>',
        name=f"Source {c.n}: open {c.title} at this passage",
    )
    place = " · ".join(esc(p) for p in c.place())
    return (
        f'<div class="kg-source" id={attr(anchor)} tabindex="-1">'
        f'<div class="kg-source-head">{head}<span class="kg-meta">{place}</span></div>'
        f'<div class="kg-passage">{marked(c.text, c.start, c.highlights)}</div></div>'
    )


def with_citation_links(answer: str, turn: int, known: set[int]) -> str:
    """The answer escaped, each ``[n]`` of a known citation a link to its passage."""

    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in known:
            return match.group(0)
        return (
            f'<a class="kg-cite" href="#kg-t{turn}-c{n}" data-kg-cite="{turn}-{n}"'
            f' aria-label="source {n}">[{n}]</a>'
        )

    return CITE_RE.sub(link, esc(answer))


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "kg-table") -> str:
    """A table whose cells are already HTML; each cell carries its header for narrow screens."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td data-label={attr(h)}>{cell}</td>" for h, cell in zip(headers, row, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def notice(text: str, kind: str = "info") -> str:
    role = "alert" if kind == "error" else "status"
    return f'<p class="kg-notice kg-{kind}" role="{role}">{esc(text)}</p>'
