"""The document viewer: a whole document, scrolled to a cited passage, its sentences marked.

Served at ``/view/{doc_id}?at=START-END&hl=S-E,S-E`` as a page of its own (so a citation
opens in a new tab without script) and as a fragment (``&embed=1``) that the app shows in
a dialog. The text is cut at passage bounds, highlight bounds and page starts and every
piece is escaped, so no document can put markup into the page.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from assistant.app.store import DocumentInfo
from assistant.render import attr, esc

MAX_SPANS = 50


def parse_spans(raw: str | None, length: int) -> list[tuple[int, int]]:
    """``"12-40,50-60"`` → [(12, 40), (50, 60)], dropping malformed or out-of-range spans."""
    spans: list[tuple[int, int]] = []
    for part in (raw or "").split(",")[:MAX_SPANS]:
        start, sep, end = part.strip().partition("-")
        if sep and start.isdigit() and end.isdigit() and int(start) < int(end) <= length:
            spans.append((int(start), int(end)))
    return sorted(spans)


def _cuts(length: int, info: DocumentInfo, highlights: Sequence[tuple[int, int]]) -> list[int]:
    points = {0, length}
    for s, e, _ in info.passages:
        points.update((s, e))
    for s, e in highlights:
        points.update((s, e))
    points.update(p for p in info.page_starts if 0 < p < length)
    return sorted(p for p in points if 0 <= p <= length)


def document_body(
    text: str,
    info: DocumentInfo,
    focus: tuple[int, int] | None,
    highlights: Sequence[tuple[int, int]],
) -> str:
    """The text as HTML: passages as spans with ids, marks for highlights, page markers."""
    passage_at = {s: (s, e) for s, e, _ in info.passages}
    pages = {p: n for n, p in enumerate(info.page_starts, start=1) if p > 0}
    out: list[str] = []
    open_passage: tuple[int, int] | None = None
    cuts = _cuts(len(text), info, highlights)
    for a, b in itertools.pairwise(cuts):
        if open_passage and a >= open_passage[1]:
            out.append("</span>")
            open_passage = None
        if a in pages:
            out.append(
                f'<span class="kg-page" id="page-{pages[a]}" role="note">page {pages[a]}</span>'
            )
        if open_passage is None and a in passage_at:
            open_passage = passage_at[a]
            s, e = open_passage
            cls = "kg-passage kg-focus" if focus == open_passage else "kg-passage"
            out.append(f'<span class="{cls}" id="p-{s}-{e}">')
        piece = esc(text[a:b])
        if any(s <= a and b <= e for s, e in highlights):
            piece = f'<mark class="kg-hl">{piece}</mark>'
        out.append(piece)
    if open_passage:
        out.append("</span>")
    return "".join(out)


def _header(info: DocumentInfo, focus: tuple[int, int] | None, level: str) -> str:
    facts = [info.doc_type]
    if info.issued:
        facts.append(info.issued)
    if info.publisher:
        facts.append(info.publisher)
    if info.page_starts:
        facts.append(f"{len(info.page_starts)} pages")
    facts.append(info.doc_id)
    lines = [
        f'<{level} class="kg-doc-title">{esc(info.title)}</{level}>',
        f'<p class="kg-doc-meta">{" · ".join(esc(f) for f in facts)}</p>',
    ]
    if info.source:
        lines.append(
            f'<p class="kg-doc-meta">Source: <span class="kg-source-ref">{esc(info.source)}</span></p>'
        )
    if focus:
        where = [info.section_at(*focus)]
        page = info.page_at(focus[0])
        if page is not None:
            where.append(f"page {page}")
        label = " · ".join(esc(w) for w in where if w) or "the cited passage"
        lines.append(
            f'<p class="kg-doc-focus">Cited passage: <a href="#p-{focus[0]}-{focus[1]}">{label}</a></p>'
        )
    return "".join(lines)


def viewer_fragment(
    text: str,
    info: DocumentInfo,
    focus: tuple[int, int] | None,
    highlights: Sequence[tuple[int, int]],
) -> str:
    """The viewer's content, for the app's dialog."""
    return (
        f'<div class="kg-viewer" data-doc={attr(info.doc_id)}>'
        f'<header class="kg-viewer-head">{_header(info, focus, "h2")}</header>'
        f'<div class="kg-doc-text">{document_body(text, info, focus, highlights)}</div></div>'
    )


def viewer_page(
    text: str,
    info: DocumentInfo,
    focus: tuple[int, int] | None,
    highlights: Sequence[tuple[int, int]],
) -> str:
    """The viewer as a page of its own (no script: the fragment in the URL scrolls to it)."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(info.title)} · govkg</title>"
        '<link rel="stylesheet" href="/kg/static/app.css"></head>'
        '<body class="kg-viewer-page"><main>'
        f'<header class="kg-viewer-head">{_header(info, focus, "h1")}</header>'
        f'<div class="kg-doc-text">{document_body(text, info, focus, highlights)}</div>'
        "</main></body></html>"
    )


def not_found_page(message: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found · govkg</title>'
        '<link rel="stylesheet" href="/kg/static/app.css"></head><body class="kg-viewer-page"><main>'
        f'<h1>Not found</h1><p>{esc(message)}</p><p><a href="/">Back to govkg</a></p></main></body></html>'
    )
