"""Grounded answers: graph facts first, passage sentences beside them, every statement cited.

The pipeline, one step per module:

1. :mod:`assistant.question` — the question understood once: the entities it names, what it
   asks for, the relations its words point to (and, in a conversation, what "it" means).
2. :mod:`assistant.retrieve` — the passages (BM25 + dense, fused by rank).
3. :mod:`assistant.sources.graph` — relation → ``ontology/queries/relations/*.rq`` → facts,
   each grounded in the passage it was derived from.
4. :mod:`assistant.sources.passages` — candidate sentences, named checks, one scorer.
5. :mod:`assistant.compose` — facts and sentences into the answer, its citations and trace.

Nothing is generated: a sentence of an answer is a verbatim span of a cited passage, or a
fixed template over graph labels that all stand in the cited passage. When neither source
holds the kind of thing asked for, the assistant abstains and says so.
"""

from __future__ import annotations

import numpy as np

from assistant.compose import NOT_FOUND, abstain, decline, from_graph, from_passages
from assistant.entities import EntityIndex, cached_index
from assistant.model import (
    Answer,
    Chosen,
    Citation,
    Conversation,
    Fact,
    LinkedEntity,
    Retrieved,
    Trace,
    Turn,
)
from assistant.question import Analyser, Question, coverage
from assistant.relations import load_relations
from assistant.retrieve import Hit, retrieve
from assistant.sources.graph import GraphAnswer, GraphSource, linked_from, reply_to
from assistant.sources.passages import (
    Candidate,
    Context,
    PassageSource,
    holds_the_answer,
)
from kg.base import KnowledgeBase
from kg.lexicon import load_lexicon
from kg.model import Passage
from kg.namespaces import passage_iri


class Answerer:
    """Answers questions from one knowledge base; holds caches between questions."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.lexicon = load_lexicon(kb.settings.ontology)
        self.relations = load_relations(kb.settings.ontology)
        self._vector_cache: dict[str, np.ndarray] = {}
        self._rejected: dict[str, int] = {}

    def _vectors(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vector_cache]
        if missing:
            for text, vector in zip(missing, self.kb.embedder.embed(missing), strict=True):
                self._vector_cache[text] = vector
            if len(self._vector_cache) > 50_000:
                self._vector_cache.clear()
                return self._vectors(texts)
        return np.stack([self._vector_cache[t] for t in texts]) if texts else np.zeros((0, 1))

    @property
    def index(self) -> EntityIndex:
        return cached_index(self.kb, self.lexicon)

    def analyser(self) -> Analyser:
        s = self.kb.settings
        return Analyser(
            self.lexicon, self.index, self.kb.lexical, self.relations, s.answer_entity_candidates
        )

    def understand(self, question: str, conversation: Conversation | None = None) -> Question:
        """The question as the assistant reads it (for ``--explain`` and tests)."""
        self.kb.refresh()
        return self.analyser().analyse(question, conversation)

    def ask(self, question: str, conversation: Conversation | None = None) -> Answer:
        text = " ".join(question.split())
        if not text:
            return Answer(text, "Please ask a question.", False)
        q = self.understand(text, conversation)
        trace = Trace(asks=q.asks, entities=list(q.entities))
        trace.notes += [
            f"relation candidate: {c.relation.name} ({c.why or ', '.join(c.cue_words) or 'follow-up'})"
            for c in q.relations
        ]
        if q.nonsense:
            answer = decline(text, q.nonsense, trace)
            self._remember(conversation, q, answer, None)
            return answer
        s = self.kb.settings
        qvec = self._vectors([q.retrieval_text])[0]
        hits = retrieve(self.kb, q.retrieval_text, s.top_k, qvec)
        trace.retrieval = [
            Retrieved(h.passage.passage_id, h.fused, h.dense, h.lexical_rank) for h in hits
        ]
        graph = self._graph(q, hits)
        if graph is not None:
            trace.notes += graph.tried
        ranked = self._passages(q, hits, qvec)
        if self._rejected:
            trace.notes.append(
                "sentences turned down: "
                + ", ".join(f"{n} by '{name}'" for name, n in self._rejected.items())
            )
        answer = self._compose(q, hits, graph, ranked, trace)
        self._remember(conversation, q, answer, graph)
        return answer

    def _graph(self, q: Question, hits: list[Hit]) -> GraphAnswer | None:
        if not q.relations:
            return None
        source = GraphSource(
            self.kb, self.lexicon, self.index, self.kb.settings.answer_max_relations
        )
        iris = [passage_iri(h.passage.doc_id, h.passage.start, h.passage.end) for h in hits]
        return source.find(q, iris, self.kb.settings)

    def _passages(self, q: Question, hits: list[Hit], qvec: np.ndarray) -> list[Candidate]:
        analyser = self.analyser()
        source = PassageSource(
            self.lexicon,
            self.index,
            self.kb.settings,
            self._vectors,
            lambda stem: stem in self.kb.lexical.doc_freq,
            analyser.stop,
            self.kb.texts.text,
        )
        ranked = source.rank(q, hits, qvec)
        self._rejected = dict(source.rejected)
        return ranked

    def _compose(
        self,
        q: Question,
        hits: list[Hit],
        graph: GraphAnswer | None,
        ranked: list[Candidate],
        trace: Trace,
    ) -> Answer:
        s = self.kb.settings
        ctx = Context(
            q,
            self.lexicon,
            self.index,
            self.analyser().stop,
            texts=self.kb.texts.text,
            subject_chars=s.answer_document_subject_chars,
        )
        best = ranked[0] if ranked else None
        if graph is not None and graph.statements:
            support = best if best is not None and holds_the_answer(best, ctx) else None
            if support is not None:
                trace.chosen = [
                    Chosen(
                        support.passage_id,
                        support.start,
                        support.end,
                        support.text,
                        support.score,
                        tuple(support.checks),
                        dict(support.signals),
                    )
                ]
            replies = self._replies(graph)
            return from_graph(self.kb, q.text, graph, graph.lead, support, trace, replies)
        if best is None:
            return abstain(q.text, self.kb, hits, trace)
        if (
            best.score < s.abstain_below
            or best.coverage < s.answer_min_coverage
            or not holds_the_answer(best, ctx)
        ):
            trace.notes.append(
                f"abstained: best sentence scored {best.score:.2f} and covered "
                f"{best.coverage:.2f} of the question"
            )
            return abstain(q.text, self.kb, hits, trace, best.score)
        source = PassageSource(self.lexicon, self.index, s, self._vectors, lambda _: True, ctx.stop)
        chosen = self._with_replies(source.select(q, ranked))
        return from_passages(q.text, chosen, best.score, trace, self.kb)

    def _replies(self, graph: GraphAnswer) -> list[tuple[Passage, int, int]]:
        """The replies to the questions that verbatim facts state, when no fact says them."""
        out = []
        for st in graph.statements:
            if not st.verbatim or st.relation == "questions":
                continue  # the questions relation says its replies itself
            reply = reply_to(self.kb, st.passage, st.text)
            if reply is not None and not any(
                o.passage.passage_id == reply[0].passage_id
                and o.highlight[0] < reply[2]
                and reply[1] < o.highlight[1]
                for o in graph.statements
            ):
                out.append(reply)
        return list(dict.fromkeys(out))

    def _with_replies(self, chosen: list[Candidate]) -> list[Candidate]:
        """A chosen sentence that asks a question the graph records is followed by its
        reply ("what would happen to reablement …" → "… built into the base budget")."""
        out: list[Candidate] = []
        for cand in chosen:
            out.append(cand)
            reply = reply_to(self.kb, cand.hit.passage, cand.text)
            if reply is None:
                continue
            passage, start, end = reply
            if any(
                c.hit.passage.passage_id == passage.passage_id and c.start < end and start < c.end
                for c in chosen + out
            ):
                continue  # already said
            hit = Hit(passage, self.kb.title(passage.doc_id), cand.hit.fused, cand.hit.dense, None)
            text = passage.text[start - passage.start : end - passage.start]
            out.append(
                Candidate(
                    hit,
                    start,
                    end,
                    text,
                    score=cand.score,
                    checks=["the reply to the question it follows"],
                )
            )
        return out

    def _remember(
        self,
        conversation: Conversation | None,
        q: Question,
        answer: Answer,
        graph: GraphAnswer | None,
    ) -> None:
        if conversation is None:
            return
        named = linked_from(graph.statements, self.index) if graph and graph.statements else []
        relation = graph.relation if graph and graph.statements else None
        if relation is None and q.relations:
            relation = q.relations[0].relation.name
        conversation.add(Turn(q.text, tuple(q.entities), tuple(named), relation, q.asks))


__all__ = [
    "NOT_FOUND",
    "Answer",
    "Answerer",
    "Chosen",
    "Citation",
    "Conversation",
    "Fact",
    "LinkedEntity",
    "Retrieved",
    "Trace",
    "Turn",
    "coverage",
]
