"""HTML and Markdown for the app. Document text is always escaped: shown as text, never live HTML."""

from __future__ import annotations

import html
import re

from assistant.answer import Answer, Citation

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|>~<])")


def escape_markdown(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def answer_markdown(answer: Answer) -> str:
    """The chat message: the answer with its [n] markers, or a plainly marked abstention."""
    body = escape_markdown(answer.answer)
    body = re.sub(r"\\\[(\d+)\\\]", r"**[\1]**", body)
    if not answer.answered:
        return f"**Not in the documents.** {body}"
    return body


def _highlighted(citation: Citation) -> str:
    text = citation.text
    pieces: list[str] = []
    cursor = 0
    for start, end in sorted(citation.highlights):
        s, e = start - citation.start, end - citation.start
        if s < cursor or e > len(text):
            continue
        pieces.append(html.escape(text[cursor:s]))
        pieces.append(f'<mark class="kg-hl">{html.escape(text[s:e])}</mark>')
        cursor = e
    pieces.append(html.escape(text[cursor:]))
    return "".join(pieces)


def sources_html(answer: Answer | None) -> str:
    """Cited passages under the answer, the cited sentences highlighted."""
    if answer is None:
        return '<div class="kg-sources kg-empty">Cited passages appear here.</div>'
    items = answer.citations if answer.answered else answer.related
    kind = "kg-cited" if answer.answered else "kg-related"
    heading = "Sources" if answer.answered else "Related passages (they do not answer the question)"
    parts = [f'<div class="kg-sources {kind}"><h3>{html.escape(heading)}</h3>']
    for c in items:
        parts.append(
            f'<div class="kg-source" id="source-{c.n}">'
            f'<div class="kg-source-head"><b>[{c.n}]</b> {html.escape(c.title)} '
            f'<span class="kg-meta">{html.escape(c.document)} · characters {c.start}–{c.end}</span></div>'
            f'<div class="kg-passage">{_highlighted(c)}</div></div>'
        )
    if not items:
        parts.append("<p>No passage came close.</p>")
    parts.append("</div>")
    return "".join(parts)


CSS = """
.kg-sources h3 { margin: 0.2em 0 0.5em; font-size: 1rem; }
.kg-source { border-left: 4px solid #2b6cb0; padding: 0.4em 0.8em; margin: 0.6em 0; background: #f7fafc; }
.kg-related .kg-source { border-left-color: #a0aec0; background: #fafafa; color: #4a5568; }
.kg-source-head { font-size: 0.9rem; margin-bottom: 0.3em; }
.kg-meta { color: #718096; font-size: 0.8rem; margin-left: 0.5em; }
.kg-passage { white-space: pre-wrap; font-size: 0.9rem; line-height: 1.45; }
mark.kg-hl { background: #fefcbf; padding: 0 1px; }
.kg-empty { color: #718096; }
"""
