"""Composition: graph facts and passage sentences into one cited answer.

The graph's facts come first, each sentence cited by the passage its fact was derived from
with the stating sentence highlighted; then the best supporting sentence, verbatim. Without
facts, the answer is the chosen passage sentences, verbatim. Every citation's ``text`` is
exactly ``document_text[start:end]``.
"""

from __future__ import annotations

from assistant.model import Answer, Chosen, Citation, Fact, Trace
from assistant.retrieve import Hit
from assistant.sources.graph import GraphAnswer, Statement, facts_of
from assistant.sources.passages import Candidate, lead_in
from kg.base import KnowledgeBase
from kg.model import Passage

NOT_FOUND = "The documents do not say. I found no passage that answers this question."
NONSENSE = "I could not make out a question about these documents ({why}). Please rephrase it."


class Citations:
    """Numbers passages in the order the answer first cites them."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.by_passage: dict[str, Citation] = {}

    def cite(self, passage: Passage, title: str, highlight: tuple[int, int] | None) -> Citation:
        citation = self.by_passage.get(passage.passage_id)
        if citation is None:
            citation = make_citation(self.kb, passage, title, len(self.by_passage) + 1)
            self.by_passage[passage.passage_id] = citation
        if highlight and highlight not in citation.highlights:
            citation.highlights.append(highlight)
        return citation

    @property
    def all(self) -> list[Citation]:
        return list(self.by_passage.values())


def make_citation(kb: KnowledgeBase, passage: Passage, title: str, n: int) -> Citation:
    meta = kb.texts.meta(passage.doc_id)
    starts = tuple(meta.get("page_starts") or ())
    page = None
    if starts:
        page = 1 + max((i for i, s in enumerate(starts) if s <= passage.start), default=0)
    return Citation(
        n,
        passage.doc_id,
        title,
        passage.text,
        passage.start,
        passage.end,
        section=passage.section,
        page=page,
        issued=meta.get("issued"),
    )


def _sentence(text: str) -> str:
    """Answer text: the cited words, with bullets dropped and lines joined."""
    return " ".join(
        line.strip().removeprefix("•").strip() for line in text.split("\n") if line.strip()
    )


def from_graph(
    kb: KnowledgeBase,
    question: str,
    graph: GraphAnswer,
    lead: str | None,
    support: Candidate | None,
    trace: Trace,
    replies: list[tuple[Passage, int, int]] | None = None,
) -> Answer:
    """Facts first (a question a fact states followed by its reply), then the best
    supporting sentence."""
    cites = Citations(kb)
    parts: list[str] = []
    facts: list[Fact] = []
    for n, st in enumerate(graph.statements):
        citation = cites.cite(st.passage, kb.title(st.passage.doc_id), st.highlight)
        refs = [citation.n] + [cites.cite(p, kb.title(p.doc_id), span).n for p, span in st.also]
        text = f"{lead} {st.text}" if lead and n == 0 else st.text
        parts.append(f"{_end(text)} " + "".join(f"[{r}]" for r in dict.fromkeys(refs)))
        facts += facts_of(st, citation.n)
    for passage, start, end in replies or []:
        citation = cites.cite(passage, kb.title(passage.doc_id), (start, end))
        parts.append(
            f"{_sentence(passage.text[start - passage.start : end - passage.start])} [{citation.n}]"
        )
    supporting = _supporting(kb, graph.statements, support)
    if supporting is not None:
        passage, (s, e), title = supporting
        citation = cites.cite(passage, title, (s, e))
        parts.append(
            f"{_sentence(passage.text[s - passage.start : e - passage.start])} [{citation.n}]"
        )
    trace.facts = facts
    trace.sparql = graph.sparql
    trace.relation = graph.relation
    confidence = min(1.0, max(st.score for st in graph.statements))
    return Answer(
        question,
        " ".join(parts),
        True,
        cites.all,
        confidence=confidence,
        facts=facts,
        sparql=graph.sparql,
        trace=trace,
    )


def _end(text: str) -> str:
    """The sentence without trailing space (its citation marks follow it directly)."""
    return text.rstrip()


def _supporting(
    kb: KnowledgeBase, statements: list[Statement], support: Candidate | None
) -> tuple[Passage, tuple[int, int], str] | None:
    """The sentence that states the first fact in the documents' own words, when the fact
    sentence is a template (verbatim facts are their own support)."""
    first = statements[0]
    if first.verbatim or len(statements) > 3:
        return None
    if support is not None and any(
        support.start < st.highlight[1] and st.highlight[0] < support.end for st in statements
    ):
        return support.hit.passage, (support.start, support.end), support.hit.title
    return first.passage, first.highlight, kb.title(first.passage.doc_id)


def from_passages(
    question: str, chosen: list[Candidate], confidence: float, trace: Trace, kb: KnowledgeBase
) -> Answer:
    cites = Citations(kb)
    parts: list[str] = []
    lead_ins: set[str] = set()
    for cand in chosen:
        citation = cites.cite(cand.hit.passage, cand.hit.title, (cand.start, cand.end))
        lead = lead_in(cand)
        if lead and lead not in lead_ins:
            lead_ins.add(lead)
            parts.append(lead)
        text = _sentence(cand.text)
        if cand.referent is not None and not _names(text, cand.referent.label):
            text = f"{cand.referent.label[:1].upper()}{cand.referent.label[1:]}: {text}"
        parts.append(f"{text} [{citation.n}]")
    trace.chosen = [chosen_of(c) for c in chosen]
    return Answer(question, " ".join(parts), True, cites.all, confidence=confidence, trace=trace)


def _names(text: str, label: str) -> bool:
    return label.lower() in text.lower()


def chosen_of(cand: Candidate) -> Chosen:
    return Chosen(
        cand.passage_id,
        cand.start,
        cand.end,
        cand.text,
        cand.score,
        tuple(cand.checks),
        dict(cand.signals),
    )


def related(kb: KnowledgeBase, hits: list[Hit]) -> list[Citation]:
    return [make_citation(kb, h.passage, h.title, i + 1) for i, h in enumerate(hits[:3])]


def abstain(
    question: str, kb: KnowledgeBase, hits: list[Hit], trace: Trace, confidence: float = 0.0
) -> Answer:
    return Answer(
        question, NOT_FOUND, False, related=related(kb, hits), confidence=confidence, trace=trace
    )


def decline(question: str, why: str, trace: Trace) -> Answer:
    return Answer(question, NONSENSE.format(why=why), False, trace=trace)


__all__ = [
    "NONSENSE",
    "NOT_FOUND",
    "abstain",
    "decline",
    "from_graph",
    "from_passages",
    "make_citation",
]
