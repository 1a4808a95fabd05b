"""What an answer is made of: citations, graph facts, the trace of how it was found, and the
conversation a follow-up question is read in.

These are the records the CLI (``kg ask --json``), the app and the tests code against;
``assistant.answer`` re-exports them. Every field is plain data, so ``to_json`` is the whole
contract (README, "kg ask --json").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Citation:
    """One cited passage: ``text`` is exactly ``document_text[start:end]``."""

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

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "document": self.document,
            "title": self.title,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "highlights": [list(h) for h in self.highlights],
            "section": self.section,
            "page": self.page,
            "issued": self.issued,
        }


@dataclass(frozen=True)
class Fact:
    """One triple of the graph an answer states, and the citation whose passage it came from."""

    subject: str
    subject_label: str
    predicate: str
    predicate_label: str
    object: str
    object_label: str
    n: int

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "subject_label": self.subject_label,
            "predicate": self.predicate,
            "predicate_label": self.predicate_label,
            "object": self.object,
            "object_label": self.object_label,
            "n": self.n,
        }


@dataclass(frozen=True)
class LinkedEntity:
    """A name in the question resolved to a node of the graph."""

    iri: str
    label: str
    matched: str  # the words of the question (or "(from the conversation)")
    kind: str  # organisation, person, post, programme, strategy, item, place, term, period

    def to_json(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": self.label, "matched": self.matched, "kind": self.kind}


@dataclass(frozen=True)
class Retrieved:
    """One retrieved passage and the signals that ranked it."""

    passage_id: str
    fused: float
    dense: float
    lexical_rank: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "passage": self.passage_id,
            "fused": round(self.fused, 4),
            "dense": round(self.dense, 4),
            "lexical_rank": self.lexical_rank,
        }


@dataclass(frozen=True)
class Chosen:
    """A sentence the answer quotes: the checks it passed and the score that ranked it."""

    passage_id: str
    start: int
    end: int
    text: str
    score: float
    checks: tuple[str, ...]
    signals: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "passage": self.passage_id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "score": round(self.score, 3),
            "checks": list(self.checks),
            "signals": {k: round(v, 3) for k, v in self.signals.items()},
        }


@dataclass
class Trace:
    """How an answer was found, for ``kg ask --explain`` and the app's "How this answer was
    found": the question as understood, the graph query and its facts, the passages and why
    the chosen sentences won."""

    asks: str = "other"
    relation: str | None = None
    entities: list[LinkedEntity] = field(default_factory=list)
    sparql: str | None = None
    facts: list[Fact] = field(default_factory=list)
    retrieval: list[Retrieved] = field(default_factory=list)
    chosen: list[Chosen] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "asks": self.asks,
            "relation": self.relation,
            "entities": [e.to_json() for e in self.entities],
            "sparql": self.sparql,
            "facts": [f.to_json() for f in self.facts],
            "retrieval": [r.to_json() for r in self.retrieval],
            "chosen": [c.to_json() for c in self.chosen],
            "notes": list(self.notes),
        }


@dataclass
class Answer:
    """The answer to one question; ``to_json`` is the ``kg ask --json`` line."""

    question: str
    answer: str
    answered: bool
    citations: list[Citation] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)
    confidence: float = 0.0
    facts: list[Fact] = field(default_factory=list)
    sparql: str | None = None
    trace: Trace = field(default_factory=Trace)

    def to_json(self, explain: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "question": self.question,
            "answer": self.answer,
            "answered": self.answered,
            "citations": [c.to_json() for c in self.citations],
            "related": [c.to_json() for c in self.related],
            "confidence": round(self.confidence, 3),
            "facts": [f.to_json() for f in self.facts],
            "sparql": self.sparql,
        }
        if explain:
            data["trace"] = self.trace.to_json()
        return data


@dataclass(frozen=True)
class Turn:
    """What one earlier question was about: the entities it named and the ones its answer
    gave (a follow-up's "she" is usually the person the last answer named)."""

    question: str
    entities: tuple[LinkedEntity, ...]
    answer_entities: tuple[LinkedEntity, ...]
    relation: str | None
    asks: str


@dataclass
class Conversation:
    """The earlier turns of one chat, so that "who set it up?" or "and when?" is read in the
    context of what came before. The app keeps one per chat session; ``kg ask`` uses none."""

    turns: list[Turn] = field(default_factory=list)
    max_turns: int = 10

    def add(self, turn: Turn) -> None:
        self.turns.append(turn)
        del self.turns[: -self.max_turns]

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    def recent_entities(self, kinds: frozenset[str] | None = None) -> list[LinkedEntity]:
        """Entities of the recent turns, newest first (answers before questions), no repeats."""
        seen: set[str] = set()
        out: list[LinkedEntity] = []
        for turn in reversed(self.turns):
            for entity in (*turn.answer_entities, *turn.entities):
                if entity.iri in seen or (kinds is not None and entity.kind not in kinds):
                    continue
                seen.add(entity.iri)
                out.append(entity)
        return out


__all__ = [
    "Answer",
    "Chosen",
    "Citation",
    "Conversation",
    "Fact",
    "LinkedEntity",
    "Retrieved",
    "Trace",
    "Turn",
]
