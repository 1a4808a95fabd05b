"""Sentences from the retrieved passages: candidates, named checks, one scorer.

Candidates are the sentences of the best passages (a lead-in line with its short list, a
sentence with its obvious continuation, a member's question with its reply). Each must pass
the named checks of :data:`CHECKS`; the survivors are scored by :func:`score` with weights
from the settings, and the best ones are quoted verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from assistant.coref import Referent, resolve
from assistant.entities import EntityIndex
from assistant.qtypes import count_in, expansion_of, has_type
from assistant.question import Phrases, Question, Term, coverage
from assistant.retrieve import Hit
from kg.lexical import stems
from kg.lexicon import Lexicon
from kg.settings import Settings
from kg.text import BULLET_RE, sentence_spans

HARD_TYPES = frozenset({"money", "date", "number", "expansion"})
LEAD_IN_MAX_WORDS = 90
_LIST_MARKERS = (
    ("bullet", re.compile(r"^•")),
    ("roman", re.compile(r"^\(?[ivxlc]+\)", re.IGNORECASE)),
    ("number", re.compile(r"^\(?\d")),
)
_NUMBERED_RE = re.compile(r"^\s*(?:\(?[ivx]+\)|\(?[a-z]\)|\d{1,2}[.)])\s+\S", re.MULTILINE)


@dataclass
class Candidate:
    hit: Hit
    start: int
    end: int
    text: str
    referent: Referent | None = None
    similarity: float = 0.0
    coverage: float = 0.0
    score: float = 0.0
    checks: list[str] = field(default_factory=list)
    signals: dict[str, float] = field(default_factory=dict)
    soft: dict[str, float] = field(default_factory=dict)

    @property
    def passage_id(self) -> str:
        return self.hit.passage.passage_id


@dataclass(frozen=True)
class Words:
    """The lexicon's words the sentence checks need, matched once per lexicon."""

    asked: Phrases
    replied: Phrases
    continuations: tuple[str, ...]
    resolution: Phrases


@lru_cache(maxsize=8)
def words(lexicon: Lexicon) -> Words:
    return Words(
        asked=Phrases(list(lexicon.entries("question-verbs"))),
        replied=Phrases(list(lexicon.entries("reply-verbs"))),
        continuations=tuple(
            sorted(
                {f for e in lexicon.entries("continuations") for f in e.forms},
                key=len,
                reverse=True,
            )
        ),
        resolution=Phrases(list(lexicon.entries("resolution-words"))),
    )


def _says(phrases: Phrases, text: str) -> bool:
    from assistant.entities import tokens

    return bool(phrases.find([t.norm for t in tokens(text)]))


def reports_a_question(text: str, lexicon: Lexicon) -> bool:
    return _says(words(lexicon).asked, text)


def only_asks(text: str, lexicon: Lexicon) -> bool:
    """'A Member queried ...' reports a question; with its reply it is an answer."""
    return reports_a_question(text, lexicon) and not _says(words(lexicon).replied, text)


def candidates(hits: list[Hit], n_passages: int, lexicon: Lexicon) -> list[Candidate]:
    """Sentences of the top passages; a lead-in carries its list, a sentence its continuation."""
    out: list[Candidate] = []
    for hit in hits[:n_passages]:
        text = hit.passage.text
        spans = sentence_spans(text)
        for i, (s, e) in enumerate(spans):
            sentence = text[s:e]
            if (
                len(sentence.split()) < 3
                and not re.search(r"\d", sentence)
                and not _lead_in(sentence)
            ):
                continue
            end = _group_end(text, spans, i, lexicon)
            out.append(Candidate(hit, hit.passage.start + s, hit.passage.start + end, text[s:end]))
    return out


def _lead_in(sentence: str) -> bool:
    return sentence.rstrip().endswith(":")


def _group_end(text: str, spans: list[tuple[int, int]], i: int, lexicon: Lexicon) -> int:
    """Where a candidate starting at sentence ``i`` ends: a lead-in takes its short list
    (whole lines), a sentence its continuation ("The first is ..."), a question its reply."""
    s, e = spans[i]
    if _lead_in(text[s:e]):
        return _list_end(text, e)
    if i + 1 >= len(spans):
        return e
    nxt = text[spans[i + 1][0] : spans[i + 1][1]]
    if nxt.startswith(words(lexicon).continuations) and not BULLET_RE.match(text[s:e]):
        return spans[i + 1][1]
    if reports_a_question(text[s:e], lexicon) and _says(words(lexicon).replied, nxt):
        return spans[i + 1][1]
    return e


def _marker_style(line: str) -> str:
    return next((name for name, pattern in _LIST_MARKERS if pattern.match(line)), "letter")


def _list_end(text: str, e: int) -> int:
    """The end of the short list after a lead-in: items of one marker style, whole lines."""
    end, total, items, style = e, 0, 0, ""
    for match in re.finditer(r"[^\n]+", text[e:]):
        line = match.group().strip()
        size = len(line.split())
        if not BULLET_RE.match(line) or size > 45 or total + size > LEAD_IN_MAX_WORDS or items == 4:
            break
        if style and _marker_style(line) != style:
            break
        style = _marker_style(line)
        end, total, items = e + match.end(), total + size, items + 1
    return end


# ---- named checks: each says why a sentence may (not) answer -----------------------------


@dataclass
class Context:
    """What the checks of one question share."""

    question: Question
    lexicon: Lexicon
    index: EntityIndex
    stop: frozenset[str]
    soft: dict[int, dict[str, float]] = field(default_factory=dict)
    texts: Callable[[str], str] | None = None
    subject_chars: int = 0
    _documents: dict[str, tuple[str, set[str]]] = field(default_factory=dict)

    def document(self, doc_id: str) -> tuple[str, set[str]]:
        """A document's whole text and its stems (for places and names it must say)."""
        if doc_id not in self._documents:
            text = self.texts(doc_id) if self.texts else ""
            self._documents[doc_id] = (text, set(stems(text)))
        return self._documents[doc_id]

    def subject(self, doc_id: str) -> tuple[str, set[str]]:
        """The opening of a document (its masthead and title): what every passage is about."""
        text = self.document(doc_id)[0][: self.subject_chars]
        return text, set(stems(text))


def about_the_entities(cand: Candidate, ctx: Context) -> bool:
    """Every body or person the question names is named in the passage (by any alias) or is
    who the sentence's "He" / "This Board" refers to; and a sentence that names another body
    of the same kind instead is about that one. The names the question insists on (a place,
    a role) stand in the passage too."""
    hit = cand.hit
    context = f"{hit.title}\n{hit.passage.embedding_text}"
    context_stems = set(stems(context))
    document = ctx.document(hit.passage.doc_id)
    for term in ctx.question.required + [t for t in ctx.question.terms if t.document]:
        where, where_stems = document if term.document else (context, context_stems)
        if not term.matches(where, where_stems):
            return False
    head, head_stems = ctx.subject(hit.passage.doc_id)
    shortened = [t for t in ctx.question.terms if t.entity and not t.document and t.loose]
    if cand.referent is None and not all(
        t.matches(context, context_stems) or t.matches(head, head_stems) for t in shortened
    ):
        return False  # "Councillor Hadley": a guess at whom, but his name must be there
    named = [t for t in ctx.question.terms if t.entity and not t.document and not t.loose]
    if not named:
        return True
    if cand.referent is not None and _refers_to(cand.referent.iri, ctx):
        return True
    if not all(t.matches(context, context_stems) or t.matches(head, head_stems) for t in named):
        return False
    return not _about_someone_else(cand, ctx)


def _refers_to(iri: str, ctx: Context) -> bool:
    return any(e.iri == iri for e in ctx.question.entities)


def _about_someone_else(cand: Candidate, ctx: Context) -> bool:
    """The sentence names a body (or person) of the kind the question names, but not the
    question's own, nor points back to it."""
    from assistant.entities import find_mentions

    asked = {e.iri for e in ctx.question.entities}
    asked_kinds = {e.kind for e in ctx.question.entities}
    named = {i for m in find_mentions(ctx.index, cand.text, ctx.stop) for i in m.iris}
    if named & asked:
        return False
    text_stems = set(stems(cand.text))
    if any(t.matches(cand.text, text_stems) for t in ctx.question.terms if t.entity):
        return False
    others = {ctx.index.kinds.get(i) for i in named} & asked_kinds & {"organisation", "person"}
    return bool(others)


def not_a_question(cand: Candidate, ctx: Context) -> bool:
    return not cand.text.rstrip().endswith("?")


def not_a_heading(cand: Candidate, ctx: Context) -> bool:
    """A title line ("Winter Access Plan") names a topic; it does not answer anything."""
    text = cand.text.strip()
    acronym = ctx.question.acronym
    if acronym and acronym in text and expansion_of(acronym, text):
        return True
    if "\n" in text or text.endswith((".", ";", ":", "!")) or re.match(r"^\S+ \d{2}\s*:", text):
        return True
    return not (len(text.split()) <= 8 or text == cand.hit.passage.section.strip())


def speaks_to_the_question(cand: Candidate, ctx: Context) -> bool:
    """The sentence speaks to what is asked, not only about whom: one of the question's other
    words, or the kind of answer it wants (a number that counts the right thing ...)."""
    q = ctx.question
    # words of the document's title ("urgent care" of an urgent care review) tell which
    # document, not what the sentence must say
    title, title_stems = cand.hit.title, set(stems(cand.hit.title))
    focus = [t for t in q.terms if not t.entity and not t.matches(title, title_stems)]
    if not focus:
        return True
    if q.asks == "number" and count_in(cand.text, ctx.lexicon):
        return _counts_the_right_thing(cand, q)
    text_stems = set(stems(cand.text))
    soft = ctx.soft.get(id(cand), {})
    head = q.head
    if head is not None and not (
        head.matches(cand.text, text_stems) or soft.get(head.label, 0.0) >= 0.5
    ):
        return False  # "the PSU's new headquarters": the sentence must be about headquarters
    said = any(t.matches(cand.text, text_stems) or soft.get(t.label, 0.0) >= 0.5 for t in focus)
    if q.asks == "expansion" and has_type(q.asks, cand.text, ctx.lexicon, q.acronym):
        return True
    if q.asks in HARD_TYPES and has_type(q.asks, cand.text, ctx.lexicon, q.acronym):
        return said  # a date (or sum) of what was asked, not any date the passage gives
    if _asks_for_decisions(q, ctx.lexicon) and _NUMBERED_RE.search(cand.text):
        return True
    return said


def _counts_the_right_thing(cand: Candidate, q: Question) -> bool:
    """A number answers 'how many X' when the sentence names X, or a body the question names."""
    text_stems = set(stems(cand.text))
    nouns = [t for t in q.terms if not t.entity and not t.pattern]
    if any(t.matches(cand.text, text_stems) for t in nouns):
        return True
    return cand.referent is not None or any(
        t.matches(cand.text, text_stems) for t in q.terms if t.entity
    )


def _asks_for_decisions(q: Question, lexicon: Lexicon) -> bool:
    return _says(words(lexicon).resolution, q.text)


def names_the_class(cand: Candidate, ctx: Context) -> bool:
    """'Which company ...' wants a sentence that names a company."""
    asked = ctx.question.asked_class
    if asked is None:
        return True
    text = f"{lead_in(cand) or ''}\n{cand.text}"
    return asked.matches(text, set(stems(text)))


CHECKS: tuple[tuple[str, Callable[[Candidate, Context], bool]], ...] = (
    ("about the entities", about_the_entities),
    ("not a question", not_a_question),
    ("not a heading", not_a_heading),
    ("names the class asked for", names_the_class),
    ("speaks to the question", speaks_to_the_question),
)


def holds_the_answer(cand: Candidate, ctx: Context) -> bool:
    """Strict abstention: a "when" answer holds a date, "how many" a count, "who" a name."""
    q = ctx.question
    if q.asks in HARD_TYPES:
        return has_type(q.asks, cand.text, ctx.lexicon, q.acronym)
    if q.asks in ("agent", "person", "body"):
        asked = {e.iri for e in q.entities}
        if cand.referent is not None and cand.referent.iri not in asked:
            return True
        return names_someone(cand.text, ctx)
    if q.asks == "place" and _asks_where(q.text, ctx.lexicon):
        return names_a_place(cand.text, ctx)
    return True


def _asks_where(question: str, lexicon: Lexicon) -> bool:
    """The question itself asks where ("Where did …", "which venue …"), not a clause inside
    it ("what example was given of where services could be co-located?")."""
    text = " ".join(question.lower().split())
    return any(
        text.startswith(form.lower() + " ")
        for entry in lexicon.entries("ask-forms")
        if entry.notation == "place"
        for form in entry.forms
    )


def names_a_place(text: str, ctx: Context) -> bool:
    """A "where" answer names a venue (lexicon: venue-words) or a place the graph knows."""
    from assistant.entities import find_mentions

    venues = "venue-words" in ctx.lexicon.scheme_names
    if venues and ctx.lexicon.pattern("venue-words").search(text):
        return True
    return any(
        ctx.index.kinds.get(i) == "place"
        for m in find_mentions(ctx.index, text, ctx.stop)
        for i in m.iris
    )


def names_someone(text: str, ctx: Context) -> bool:
    """Does ``text`` name a person, body or post other than those the question names (the
    committee a "who chairs the committee?" question is about does not answer it)?"""
    from assistant.entities import find_mentions

    if has_type("agent", text, ctx.lexicon):
        return True
    asked = {e.iri for e in ctx.question.entities}
    return any(
        ctx.index.kinds.get(i) in {"person", "organisation", "post"} and i not in asked
        for m in find_mentions(ctx.index, text, ctx.stop)
        for i in m.iris
    )


# ---- the scorer ------------------------------------------------------------------------


def score(cand: Candidate, ctx: Context, passage_coverage: float, s: Settings) -> float:
    """One score for a sentence that passed the checks; every weight is a setting."""
    q = ctx.question
    soft = dict(ctx.soft.get(id(cand)) or {})
    if cand.referent is not None:
        # "It consisted of 9 members": the body "It" stands for is named by the sentence
        for t in q.terms:
            if t.entity and cand.referent.label in t.variants:
                soft[t.label] = 1.0
    cand.coverage = 0.75 * coverage(q.terms, cand.text, soft) + 0.25 * passage_coverage
    signals = {
        "similarity": s.answer_weight_similarity * cand.similarity,
        "coverage": s.answer_weight_coverage * cand.coverage,
        "passage": s.answer_weight_passage * cand.hit.dense,
    }
    if q.asks not in ("other", "list"):
        held = holds_the_answer(cand, ctx)
        signals["type"] = s.answer_weight_type * (1 if held else -1)
    if q.acronym and q.acronym in cand.text and expansion_of(q.acronym, cand.text):
        signals["expansion"] = s.answer_weight_expansion
    if _asks_for_decisions(q, ctx.lexicon) and _NUMBERED_RE.search(cand.text):
        signals["resolution"] = s.answer_weight_resolution
    if not reports_a_question(q.text, ctx.lexicon) and only_asks(cand.text, ctx.lexicon):
        signals["only asks"] = -s.answer_weight_only_asks
    cand.signals = signals
    return sum(signals.values())


def _passage_coverage(terms: list[Term], text: str, subject: str) -> float:
    """The share of the question a passage covers; the bodies it names may also stand in
    the document's opening (``subject``), which names what every passage of it is about."""
    names = [t for t in terms if t.entity]
    words = [t for t in terms if not t.entity]
    total = sum(t.weight for t in terms) or 1.0
    return (
        sum(t.weight for t in names) * coverage(names, f"{subject}\n{text}")
        + sum(t.weight for t in words) * coverage(words, text)
    ) / total


class PassageSource:
    """Ranks the sentences of the retrieved passages for one question."""

    def __init__(
        self,
        lexicon: Lexicon,
        index: EntityIndex,
        settings: Settings,
        embed: Callable[[list[str]], np.ndarray],
        known_stems: Callable[[str], bool],
        stop: frozenset[str],
        texts: Callable[[str], str] | None = None,
    ) -> None:
        self.texts = texts
        self.lexicon = lexicon
        self.index = index
        self.settings = settings
        self.embed = embed
        self.known = known_stems
        self.stop = stop
        self.rejected: dict[str, int] = {}  # check name -> sentences it turned down (--explain)

    def rank(self, question: Question, hits: list[Hit], qvec: np.ndarray) -> list[Candidate]:
        s = self.settings
        cands = candidates(hits, s.answer_candidate_passages, self.lexicon)
        ctx = Context(
            question,
            self.lexicon,
            self.index,
            self.stop,
            texts=self.texts,
            subject_chars=s.answer_document_subject_chars,
        )
        for cand in cands:
            p = cand.hit.passage
            cand.referent = resolve(
                p.text, cand.start - p.start, cand.text, self.index, self.lexicon, self.stop
            )
        pre = [c for c in cands if self._passes(c, ctx, CHECKS[:4])]
        ctx.soft = self._soft_matches(question.terms, pre)
        for cand in pre:
            cand.soft = ctx.soft.get(id(cand), {})
        live = [c for c in pre if self._passes(c, ctx, CHECKS[4:])]
        if not live:
            return []
        passage_cov: dict[str, float] = {}
        for cand in live:
            pid = cand.passage_id
            if pid not in passage_cov:
                passage_cov[pid] = _passage_coverage(
                    question.terms,
                    cand.hit.passage.embedding_text,
                    ctx.subject(cand.hit.passage.doc_id)[0],
                )
            cand.score = score(cand, ctx, passage_cov[pid], s)
        self._embed_similarity(live, qvec)
        for cand in live:
            cand.score = score(cand, ctx, passage_cov[cand.passage_id], s)
        return sorted(live, key=lambda c: (-c.score, c.start))

    def _embed_similarity(self, live: list[Candidate], qvec: np.ndarray) -> None:
        """Embedding similarity for the sentences that lead on every other signal; the rest
        take the lowest of those. Embedding sentences is most of an answer's time, and a
        sentence behind on coverage, type and passage rarely wins on similarity alone."""
        cap = self.settings.answer_embedded_sentences
        leaders = sorted(live, key=lambda c: (-c.score, c.start))[:cap]
        sims = self.embed([c.text for c in leaders]) @ qvec
        for cand, sim in zip(leaders, sims, strict=True):
            cand.similarity = float(sim)
        led = {id(c) for c in leaders}
        floor = float(sims.min())
        for cand in live:
            if id(cand) not in led:
                cand.similarity = floor

    def _passes(
        self,
        cand: Candidate,
        ctx: Context,
        checks: tuple[tuple[str, Callable[[Candidate, Context], bool]], ...],
    ) -> bool:
        for name, check in checks:
            if not check(cand, ctx):
                self.rejected[name] = self.rejected.get(name, 0) + 1
                return False
            cand.checks.append(name)
        return True

    def _soft_matches(
        self, terms: list[Term], cands: list[Candidate]
    ) -> dict[int, dict[str, float]]:
        """Credit for question words the documents never use but a sentence says otherwise
        (chosen ~ elected): cosine of word embeddings, for unknown words only."""
        unknown = [t for t in terms if not t.entity and not any(self.known(s) for s in t.stems)]
        if not unknown or not cands:
            return {}
        s = self.settings
        term_vecs = self.embed([t.label for t in unknown])
        word_lists = {
            id(c): sorted({w.lower() for w in re.findall(r"[A-Za-z]{3,}", c.text)} - self.stop)
            for c in cands
        }
        self.embed(sorted({w for ws in word_lists.values() for w in ws}))  # one batch
        out: dict[int, dict[str, float]] = {}
        for cand in cands:
            ws = word_lists[id(cand)]
            if not ws:
                continue
            sims = term_vecs @ self.embed(ws).T
            out[id(cand)] = {
                t.label: float(
                    np.clip((sims[i].max() - s.answer_soft_floor) / s.answer_soft_span, 0.0, 1.0)
                )
                for i, t in enumerate(unknown)
            }
        return out

    def select(self, question: Question, ranked: list[Candidate]) -> list[Candidate]:
        """The best sentence, close runners-up, and the sibling items of a resolution list."""
        s = self.settings
        best = ranked[0]
        chosen = [best]
        about_questions = reports_a_question(question.text, self.lexicon)
        for cand in ranked[1:6]:
            if len(chosen) >= s.max_citations:
                break
            if not about_questions and only_asks(cand.text, self.lexicon):
                continue
            if (
                cand.score >= best.score * s.answer_runner_up
                and cand.coverage >= s.answer_min_coverage
                and not _overlaps(cand, chosen)
            ):
                chosen.append(cand)
        if _asks_for_decisions(question, self.lexicon) and BULLET_RE.match(best.text):
            siblings = [
                c
                for c in ranked
                if c.hit is best.hit and BULLET_RE.match(c.text) and not _overlaps(c, chosen)
            ]
            chosen.extend(sorted(siblings, key=lambda c: c.start)[:3])
        return sorted(chosen, key=lambda c: (c.hit.passage.doc_id, c.start))


def _overlaps(cand: Candidate, chosen: list[Candidate]) -> bool:
    mine = set(stems(cand.text))
    for other in chosen:
        if cand.start < other.end and other.start < cand.end:
            return True
        theirs = set(stems(other.text))
        if mine and len(mine & theirs) / len(mine | theirs) > 0.6:
            return True
    return False


def lead_in(cand: Candidate) -> str | None:
    """The 'The Committee:' line a list item hangs from, when it is in the same passage."""
    if not BULLET_RE.match(cand.text):
        return None
    p = cand.hit.passage
    before = p.text[: cand.start - p.start].rstrip()
    lines = [line for line in before.split("\n") if line.strip()]
    if lines and lines[-1].rstrip().endswith(":"):
        return lines[-1].strip()
    return None


__all__ = [
    "CHECKS",
    "Candidate",
    "Context",
    "PassageSource",
    "holds_the_answer",
    "lead_in",
    "only_asks",
    "score",
]
