"""A conversation as HTML: each answer with its own sources and how it was found.

A turn is stored as plain JSON (the Answer's ``to_json()`` plus each citation's place in
its document and the answer's trace), so the page can be redrawn from it and an API
client gets the same data. Everything from documents is escaped by ``assistant.render``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any

from assistant.app.store import DocumentInfo, document_info
from assistant.render import (
    CitationView,
    attr,
    citation_card,
    entity_link,
    esc,
    table,
    with_citation_links,
)
from kg.base import KnowledgeBase
from kg.errors import NotFoundError
from kg.graphview import humanize

Turn = dict[str, Any]


def plain(obj: Any) -> Any:
    """Any answer object (dataclass, ``to_json()``, containers) as JSON-ready data."""
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    if hasattr(obj, "to_json"):
        return plain(obj.to_json())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return plain(dataclasses.asdict(obj))
    if isinstance(obj, Mapping):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [plain(v) for v in obj]
    return str(obj)


def _citation(kb: KnowledgeBase, citation: Any, infos: dict[str, DocumentInfo | None]) -> dict:
    """A citation with its section, page and date: from the Answer when it has them, else
    from the document's metadata (so the place shows even before the answer model does)."""
    data = plain(citation)
    doc = data["document"]
    if doc not in infos:
        try:
            infos[doc] = document_info(kb, doc)
        except NotFoundError:
            infos[doc] = None
    info = infos[doc]
    if info is not None:
        data["section"] = data.get("section") or info.section_at(data["start"], data["end"])
        if data.get("page") is None:
            data["page"] = info.page_at(data["start"])
        data["issued"] = data.get("issued") or info.issued
    return data


def turn_record(kb: KnowledgeBase, question: str, answer: Any) -> Turn:
    """One turn as plain data: the question, the answer and everything shown under it."""
    infos: dict[str, DocumentInfo | None] = {}
    record = plain(answer)
    record["question"] = question
    record["citations"] = [_citation(kb, c, infos) for c in getattr(answer, "citations", [])]
    record["related"] = [_citation(kb, c, infos) for c in getattr(answer, "related", [])]
    record["sparql"] = getattr(answer, "sparql", None) or record.get("sparql")
    record["trace"] = plain(getattr(answer, "trace", None))
    record.setdefault("facts", [])
    return record


def error_record(question: str, message: str) -> Turn:
    return {"question": question, "error": message, "answered": False, "citations": []}


def _view(data: Mapping[str, Any]) -> CitationView:
    return CitationView(
        n=int(data["n"]),
        document=str(data["document"]),
        title=str(data.get("title") or data["document"]),
        text=str(data["text"]),
        start=int(data["start"]),
        end=int(data["end"]),
        highlights=[(int(s), int(e)) for s, e in data.get("highlights") or []],
        section=str(data.get("section") or ""),
        page=data.get("page"),
        issued=data.get("issued"),
    )


def _sources(turn: Turn, index: int, latest: bool) -> str:
    answered = bool(turn.get("answered"))
    items = turn.get("citations") if answered else turn.get("related")
    if not items:
        return ""
    summary = (
        f"Sources ({len(items)})"
        if answered
        else f"Related passages ({len(items)}); they do not answer the question"
    )
    cards = "".join(
        citation_card(_view(c), f"kg-t{index}-{'c' if answered else 'r'}{c['n']}") for c in items
    )
    kind = "kg-cited" if answered else "kg-related"
    return (
        f'<details class="kg-sources {kind}"{" open" if latest else ""}>'
        f"<summary>{esc(summary)}</summary>{cards}</details>"
    )


def _term(iri: object, label: object) -> str:
    text = str(label or iri or "")
    if isinstance(iri, str) and iri.startswith(("http://", "https://")):
        return entity_link(iri, text)
    return esc(text)


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, dict | list):
        return esc(json.dumps(value, ensure_ascii=False))
    return esc("" if value is None else value)


def _records_table(rows: Sequence[Mapping[str, Any]]) -> str:
    headers: list[str] = []
    for row in rows:
        headers.extend(k for k in row if k not in headers)
    return table(
        [humanize(h) if "_" in h or h.islower() else h for h in headers],
        ([_value(row.get(h)) for h in headers] for row in rows),
    )


def _facts(facts: Sequence[Mapping[str, Any]], labels: Mapping[str, str]) -> str:
    rows = []
    for f in facts:
        predicate = str(f.get("predicate") or "")
        relation = f.get("predicate_label") or labels.get(predicate) or humanize(predicate)
        rows.append(
            [
                _term(f.get("subject"), f.get("subject_label")),
                esc(relation),
                _term(f.get("object"), f.get("object_label")),
                esc(f"[{f['n']}]") if f.get("n") else "",
            ]
        )
    return table(["subject", "relation", "object", "source"], rows)


def _entities(trace: Mapping[str, Any], facts: Sequence[Mapping[str, Any]]) -> str:
    found = trace.get("entities") or []
    links = []
    for e in found:
        if isinstance(e, Mapping):
            link = _term(e.get("iri"), e.get("label") or e.get("iri"))
            matched = e.get("matched") or e.get("text")
            links.append(
                link + (f' <span class="kg-meta">from “{esc(matched)}”</span>' if matched else "")
            )
        else:
            links.append(esc(e))
    if not links:  # before the answer model reports them: the entities its facts are about
        seen: dict[str, str] = {}
        for f in facts:
            if isinstance(f.get("subject"), str):
                seen.setdefault(f["subject"], str(f.get("subject_label") or f["subject"]))
        links = [entity_link(iri, label) for iri, label in seen.items()]
    return ", ".join(links)


def _how(turn: Turn, index: int, labels: Mapping[str, str]) -> str:
    """'How this answer was found': entities, graph facts, SPARQL, retrieval trace."""
    raw = turn.get("trace")
    trace: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    facts = turn.get("facts") or trace.get("facts") or []
    parts: list[str] = []
    entities = _entities(trace, facts)
    if entities:
        parts.append(f"<h4>Linked entities</h4><p>{entities}</p>")
    asked = [
        f"{humanize(k)}: {esc(trace[k])}"
        for k in ("relation", "asked_type", "answer_type")
        if trace.get(k)
    ]
    if asked:
        parts.append(f"<p>{' · '.join(asked)}</p>")
    if facts:
        parts.append(f"<h4>Facts from the graph</h4>{_facts(facts, labels)}")
    sparql = turn.get("sparql") or trace.get("sparql")
    if sparql:
        parts.append(
            "<h4>SPARQL</h4>"
            f'<pre class="kg-code">{esc(sparql)}</pre>'
            f'<button type="button" class="kg-button" data-kg-action="sparql" data-kg-arg="{index}">'
            "Open in the SPARQL tab</button>"
        )
    retrieval = trace.get("retrieval") or []
    if retrieval and isinstance(retrieval[0], Mapping):
        parts.append(f"<h4>Passages retrieved</h4>{_records_table(retrieval)}")
    sentences = trace.get("sentences") or trace.get("chosen") or []
    if sentences and isinstance(sentences[0], Mapping):
        parts.append(f"<h4>Sentences chosen</h4>{_records_table(sentences)}")
    shown = {"entities", "relation", "asked_type", "answer_type", "facts", "sparql", "retrieval"}
    shown |= {"sentences", "chosen"}
    rest = {k: v for k, v in trace.items() if k not in shown and v not in (None, "", [], {})}
    if rest:
        parts.append(
            "<dl>"
            + "".join(f"<dt>{esc(humanize(k))}</dt><dd>{_value(v)}</dd>" for k, v in rest.items())
            + "</dl>"
        )
    if not retrieval:
        cited = turn.get("citations") or turn.get("related") or []
        passages = ", ".join(esc(f"{c['document']}:{c['start']}-{c['end']}") for c in cited)
        line = f"Evidence score {float(turn.get('confidence') or 0):.3f}"
        parts.append(
            f"<h4>Retrieval</h4><p>{line}{'; passages: ' + passages if passages else ''}.</p>"
        )
    return f'<details class="kg-how"><summary>How this answer was found</summary>{"".join(parts)}</details>'


def turn_html(turn: Turn, index: int, latest: bool, labels: Mapping[str, str]) -> str:
    question = f'<div class="kg-q"><span class="kg-who">You asked</span><p>{esc(turn["question"])}</p></div>'
    if turn.get("error"):
        body = f'<div class="kg-a kg-error" role="alert"><p>{esc(turn["error"])}</p></div>'
        return f'<article class="kg-turn" id="kg-t{index}">{question}{body}</article>'
    known = {int(c["n"]) for c in turn.get("citations") or []}
    text = with_citation_links(str(turn.get("answer") or ""), index, known)
    if turn.get("answered"):
        answer = f'<div class="kg-a"><span class="kg-who">Answer</span><p>{text}</p></div>'
    else:
        answer = (
            '<div class="kg-a kg-abstain"><span class="kg-who">Not in the documents</span>'
            f"<p>{text}</p></div>"
        )
    return (
        f'<article class="kg-turn" id="kg-t{index}" aria-label={attr(f"Question {index + 1}")}>'
        f"{question}{answer}{_sources(turn, index, latest)}{_how(turn, index, labels)}</article>"
    )


def conversation_html(turns: Sequence[Turn], labels: Mapping[str, str]) -> str:
    if not turns:
        return (
            '<div class="kg-chat-empty"><p>Ask about the documents: every answer cites the passages it'
            " comes from, and says so when the documents do not answer.</p></div>"
        )
    last = len(turns) - 1
    body = "".join(turn_html(t, i, i == last, labels) for i, t in enumerate(turns))
    return f'<div class="kg-conversation" role="log" aria-live="polite" aria-label="Conversation">{body}</div>'
