"""Extractive, grounded answers: the best sentences of the retrieved passages, each cited.

Nothing is generated: every sentence of an answer is a verbatim span of a cited passage, so
the answer cannot say more than the documents do. When the question's key terms are not
covered by any passage, the assistant abstains and says so.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.qtypes import (
    AnswerType,
    acronym_asked,
    answer_type,
    asked_class,
    counted_noun,
    expansion_of,
    has_type,
)
from assistant.retrieve import Hit, _cached_groups, _mentions, retrieve
from kg.base import KnowledgeBase
from kg.lexical import stems
from kg.text import BULLET_RE, MONTHS, sentence_spans

NOT_FOUND = "The documents do not say. I found no passage that answers this question."
QUESTION_WORDS = frozenset(
    "what who whom whose when where which why how does do did is are was were will would can "
    "could should shall may might has have had the a an of to in on for by with about and or its "
    "it their they them this that these those be been being as at from into any there many much "
    "name tell me give list describe explain please also all some one ones our we us you your "
    "his her he she said say says happen happened happens stand between during after before "
    "since until under over than then within across upon via per each every other".split()
)
RESOLUTION_RE = re.compile(r"^\s*(?:\(?[ivx]+\)|\d{1,2}[.)])\s+[A-Z]|\bRESOLVED\b", re.MULTILINE)
REPORTED_QUESTION_RE = re.compile(r"\b(quer(?:y|ies|ied|ying)|asked|enquired|inquired)\b", re.I)
DECISION_WORDS = re.compile(
    r"\b(resolve[ds]?|resolution|decide[ds]?|decision|agree[ds]?|endorse[ds]?|approve[ds]?)\b", re.I
)
CANDIDATE_PASSAGES = 5
MIN_COVERAGE = 0.3
LEAD_IN_MAX_WORDS = 90
HARD_TYPES = frozenset(
    {AnswerType.MONEY, AnswerType.DATE, AnswerType.NUMBER, AnswerType.EXPANSION, AnswerType.ROLE}
)


@dataclass
class Citation:
    n: int
    document: str
    title: str
    text: str
    start: int
    end: int
    highlights: list[tuple[int, int]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "document": self.document,
            "title": self.title,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "highlights": [list(h) for h in self.highlights],
        }


@dataclass
class Answer:
    question: str
    answer: str
    answered: bool
    citations: list[Citation] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)
    confidence: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "answered": self.answered,
            "citations": [c.to_json() for c in self.citations],
            "related": [c.to_json() for c in self.related],
            "confidence": round(self.confidence, 3),
            "facts": [],
        }


@dataclass
class Candidate:
    hit: Hit
    start: int
    end: int
    text: str
    similarity: float = 0.0
    coverage: float = 0.0
    score: float = 0.0
    eligible: bool = True


@dataclass(frozen=True)
class Term:
    """One unit of the question: a word stem, or an entity named by any of its aliases."""

    label: str
    stems: frozenset[str]
    variants: tuple[str, ...] = ()
    weight: float = 1.0
    pattern: str = ""

    def matches(self, text: str, text_stems: set[str]) -> bool:
        if self.pattern:
            return re.search(self.pattern, text, re.IGNORECASE) is not None
        if self.variants:
            if any(_mentions(text, v) for v in self.variants):
                return True
            return len(self.variants) == 1 and self.stems <= text_stems
        return bool(self.stems & text_stems)


def question_terms(kb: KnowledgeBase, question: str) -> list[Term]:
    """Alias groups the question names, then its remaining content words, idf-weighted."""
    remaining = question
    terms: list[Term] = []
    for group in _cached_groups(kb):
        named = [v for v in group if _mentions(remaining, v)]
        if not named:
            continue
        for variant in sorted(named, key=len, reverse=True):
            remaining = re.sub(
                rf"(?<!\w){re.escape(variant)}(?!\w)",
                " ",
                remaining,
                flags=0 if variant.isupper() else re.I,
            )
        group_stems = frozenset(s for v in group for s in stems(v))
        terms.append(
            Term(named[0], group_stems, tuple(sorted(group)), _idf(kb, group_stems, best=True))
        )
    remaining = _date_terms(kb, remaining, terms)
    remaining = _name_terms(kb, remaining, terms)
    remaining = _paraphrase_terms(kb, remaining, terms)
    acronym = acronym_asked(question)
    for word in re.findall(r"[\w’'-]+", remaining):
        if word.lower() in QUESTION_WORDS or (acronym and word == acronym):
            continue
        for stem in stems(word):
            if all(t.label != stem for t in terms):
                terms.append(Term(stem, frozenset({stem}), (), _idf(kb, frozenset({stem}))))
    if acronym and all(acronym not in t.variants for t in terms):
        terms.append(
            Term(
                acronym, frozenset(stems(acronym)), (acronym,), _idf(kb, frozenset(stems(acronym)))
            )
        )
    return terms


def _date_terms(kb: KnowledgeBase, question: str, terms: list[Term]) -> str:
    """'November 2022' matches 'Nov 22', 'November 2022' and '11/2022' alike."""

    def replace(match: re.Match[str]) -> str:
        month, year = match.group(1), match.group(2)
        number = MONTHS.index(month.lower()) + 1
        pattern = rf"\b{month[:3]}[a-z]*\.?\s*['’]?(?:{year}|{year[2:]})\b|\b0?{number}/(?:{year}|{year[2:]})\b"
        weight = _idf(kb, frozenset(stems(month)))
        terms.append(Term(f"{month} {year}", frozenset(stems(month)), (), weight, pattern))
        return " "

    def replace_month(match: re.Match[str]) -> str:
        month = match.group(1)
        stem = frozenset(stems(month))
        terms.append(Term(month, stem, (), _idf(kb, stem), rf"\b{month[:3]}[a-z]*\b"))
        return " "

    months = "|".join(MONTHS)
    question = re.sub(rf"\b({months})\s+((?:19|20)\d\d)\b", replace, question, flags=re.IGNORECASE)
    return re.sub(rf"\b({months})\b", replace_month, question, flags=re.IGNORECASE)


_NAME_RE = re.compile(
    r"(?<![\w’'])(?:(?:Dr|Mr|Mrs|Ms|Cllr|Councillor) )?[A-Z][\w’'-]+"
    r"(?:\s+(?:of|for|and|the|on)\s+[A-Z][\w’'-]+|\s+[A-Z][\w’'-]+)+"
)


def _name_terms(kb: KnowledgeBase, question: str, terms: list[Term]) -> str:
    """'Director of Public Health', 'Winter Access Plan': a name the answer must be about."""
    body = question[0].lower() + question[1:] if question[:1].isupper() else question

    def replace(match: re.Match[str]) -> str:
        name = match.group(0)
        name_stems = frozenset(stems(name))
        if len(name_stems) < 2:
            return name
        terms.append(Term(name, name_stems, (name,), _idf(kb, name_stems, best=True)))
        return " "

    return _NAME_RE.sub(replace, body)


# Ways of saying "is composed of": a question's "make up" is a document's "consisted of".
COMPOSITION_RE = re.compile(
    r"\b(?:(?:make|makes|made|making)\s+up|consists?\s+of|consisted\s+of|comprises?|"
    r"comprised\s+of|composed\s+of|composition\s+of)\b",
    re.IGNORECASE,
)
COMPOSITION_STEMS = frozenset(stems("consists comprises composed composition made make"))


def _paraphrase_terms(kb: KnowledgeBase, question: str, terms: list[Term]) -> str:
    """One term for a phrase the documents word differently ("make up" ~ "consisted of")."""
    if COMPOSITION_RE.search(question) is None:
        return question
    weight = _idf(kb, COMPOSITION_STEMS)
    terms.append(Term("make up", COMPOSITION_STEMS, (), weight))
    return COMPOSITION_RE.sub(" ", question)


def _idf(kb: KnowledgeBase, term_stems: frozenset[str], best: bool = False) -> float:
    n = max(len(kb.lexical.ids), 1)
    values = [math.log((n + 1) / (kb.lexical.doc_freq.get(s, 0) + 0.5)) for s in term_stems] or [
        1.0
    ]
    return max(values) if best else sum(values) / len(values)


def _coverage(terms: list[Term], text: str, soft: dict[str, float] | None = None) -> float:
    total = sum(t.weight for t in terms)
    if total == 0:
        return 0.0
    text_stems = set(stems(text))
    got = 0.0
    for term in terms:
        if term.matches(text, text_stems):
            got += term.weight
        elif soft and term.label in soft:
            got += term.weight * soft[term.label]
    return got / total


DATE_LINE_RE = re.compile(
    r"^[A-Z][a-z]{2,8}\.?\s*(?:[–-]\s*[A-Z][a-z]{2,8}\s*)?\d{0,4}\s*(?:onwards)?\s*:"
)
LEAD_IN_RE = re.compile(r"(?::|\bRESOLVED:?\s*That|\bresolved\s+that)\s*$", re.IGNORECASE)
REPLY_RE = re.compile(
    r"\b(replied|responded|explained|confirmed|detailed|advised|answered|stated|clarified|assured)\b",
    re.IGNORECASE,
)
CONTINUATION_RE = re.compile(
    r"^(?:The first|First(?:ly)?,|These (?:are|were|include)|They (?:are|were)|Both|Namely)\b"
)


def _about_the_entities(terms: list[Term], context: str) -> bool:
    """Every body the question names must be named in the passage (by any alias)."""
    context_stems = set(stems(context))
    return all(t.matches(context, context_stems) for t in terms if t.variants)


def _counts_the_right_thing(terms: list[Term], text: str, question: str) -> bool:
    """A number answers 'how many X' when the sentence names X, or names the body asked about."""
    noun = counted_noun(question)
    text_stems = set(stems(text))
    if noun and set(stems(noun)) <= text_stems:
        return True
    return any(t.matches(text, text_stems) for t in terms if t.variants)


def _has_focus(
    terms: list[Term],
    text: str,
    soft: dict[str, float] | None,
    kind: AnswerType,
    acronym: str | None,
    question: str = "",
) -> bool:
    """The sentence must speak to what is asked, not only about whom: one of the question's
    other words, or the kind of answer it wants (a number for 'how many', ...)."""
    focus = [t for t in terms if not t.variants]
    if not focus:
        return True
    if kind is AnswerType.NUMBER and has_type(kind, text):
        return _counts_the_right_thing(terms, text, question)
    if kind in HARD_TYPES and has_type(kind, text, acronym):
        return True
    if DECISION_WORDS.search(question) and RESOLUTION_RE.search(text):
        return True  # "what did X resolve": a numbered resolution answers it in other words
    text_stems = set(stems(text))
    return any(t.matches(text, text_stems) or (soft or {}).get(t.label, 0.0) >= 0.5 for t in focus)


def _only_asks(text: str) -> bool:
    """'A Member queried ...' reports a question; with its reply it is an answer."""
    return REPORTED_QUESTION_RE.search(text) is not None and REPLY_RE.search(text) is None


def _is_heading(cand: Candidate) -> bool:
    """A title line ("Winter Access Plan") names a topic; it does not answer anything."""
    text = cand.text.strip()
    if "\n" in text or text.endswith((".", ";", ":", "!")) or DATE_LINE_RE.match(text):
        return False
    return len(text.split()) <= 8 or text == cand.hit.passage.section.strip()


def _names_the_class(asked: str | None, text: str) -> bool:
    """'Which company ...' wants a sentence that names a company."""
    if asked is None:
        return True
    return bool(set(stems(asked)) & set(stems(text)))


def _candidates(hits: list[Hit]) -> list[Candidate]:
    """Sentences of the top passages; a lead-in carries its list, a sentence its continuation."""
    out: list[Candidate] = []
    for hit in hits[:CANDIDATE_PASSAGES]:
        p = hit.passage
        spans = sentence_spans(p.text)
        for i, (s, e) in enumerate(spans):
            text = p.text[s:e]
            if len(text.split()) < 3 and not re.search(r"\d", text) and not LEAD_IN_RE.search(text):
                continue
            end = _group_end(p.text, spans, i)
            out.append(Candidate(hit, p.start + s, p.start + end, p.text[s:end]))
    return out


def _group_end(text: str, spans: list[tuple[int, int]], i: int) -> int:
    """Where a candidate starting at sentence ``i`` ends: a lead-in takes its short list
    items (whole lines), a sentence takes an obvious continuation ("The first is ...")."""
    s, e = spans[i]
    if LEAD_IN_RE.search(text[s:e]):
        return _list_end(text, e)
    following = spans[i + 1 : i + 2]
    if not following:
        return e
    nxt = text[following[0][0] : following[0][1]]
    if CONTINUATION_RE.match(nxt) and not BULLET_RE.match(text[s:e]):
        return following[0][1]
    if REPORTED_QUESTION_RE.search(text[s:e]) and REPLY_RE.search(nxt):
        return following[0][1]
    return e


def _marker_style(line: str) -> str:
    if line.startswith("•"):
        return "bullet"
    if re.match(r"^\(?[ivxlc]+\)", line, re.IGNORECASE):
        return "roman"
    if re.match(r"^\(?\d", line):
        return "number"
    return "letter"


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


class Answerer:
    """Answers questions from one knowledge base; holds caches between questions."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._vector_cache: dict[str, np.ndarray] = {}

    def _vectors(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vector_cache]
        if missing:
            for text, vector in zip(missing, self.kb.embedder.embed(missing), strict=True):
                self._vector_cache[text] = vector
            if len(self._vector_cache) > 50_000:
                self._vector_cache.clear()
        return np.stack([self._vector_cache[t] for t in texts]) if texts else np.zeros((0, 1))

    def ask(self, question: str) -> Answer:
        question = " ".join(question.split())
        if not question:
            return Answer(question, "Please ask a question.", False)
        self.kb.refresh()
        settings = self.kb.settings
        qvec = self.kb.embedder.embed([question])[0]
        hits = retrieve(self.kb, question, settings.top_k, qvec)
        candidates = _candidates(hits)
        if not candidates:
            return Answer(question, NOT_FOUND, False)
        terms = question_terms(self.kb, question)
        self._score(question, qvec, terms, candidates)
        ranked = sorted((c for c in candidates if c.eligible), key=lambda c: (-c.score, c.start))
        if not ranked:
            return Answer(question, NOT_FOUND, False, related=_related(hits))
        best = ranked[0]
        kind = answer_type(question)
        if (
            best.score < settings.abstain_below
            or best.coverage < MIN_COVERAGE
            or (kind in HARD_TYPES and not has_type(kind, best.text, acronym_asked(question)))
        ):
            return Answer(question, NOT_FOUND, False, related=_related(hits), confidence=best.score)
        chosen = self._select(question, ranked)
        return _compose(question, chosen, best.score)

    def _score(
        self, question: str, qvec: np.ndarray, terms: list[Term], candidates: list[Candidate]
    ) -> None:
        """Cheap lexical checks first; only the sentences that pass them are embedded."""
        kind = answer_type(question)
        acronym = acronym_asked(question)
        asked = asked_class(question)
        reported_ok = REPORTED_QUESTION_RE.search(question) is not None
        hits = {id(c.hit): c.hit for c in candidates}  # passage-level checks run once per passage
        about = {
            key: _about_the_entities(terms, f"{hit.title}\n{hit.passage.embedding_text}")
            for key, hit in hits.items()
        }
        shaped = [
            c
            for c in candidates
            if about[id(c.hit)]
            and not c.text.rstrip().endswith("?")
            and (not _is_heading(c) or (acronym is not None and acronym in c.text))
            and _names_the_class(asked, c.text)
        ]
        soft = self._soft_matches(terms, shaped)
        live = [
            c for c in shaped if _has_focus(terms, c.text, soft.get(id(c)), kind, acronym, question)
        ]
        for cand in candidates:
            cand.eligible = False
        if not live:
            return
        sims = self._vectors([c.text for c in live]) @ qvec
        passage_cov = {
            key: _coverage(terms, hit.passage.embedding_text) for key, hit in hits.items()
        }
        for cand, sim in zip(live, sims, strict=True):
            cand.eligible = True
            cov = (
                0.75 * _coverage(terms, cand.text, soft.get(id(cand)))
                + 0.25 * passage_cov[id(cand.hit)]
            )
            cue = 0.0
            if kind is not AnswerType.OTHER:
                cue = 0.08 if has_type(kind, cand.text, acronym) else -0.08
            if acronym and acronym in cand.text and expansion_of(acronym, cand.text):
                cue += 0.1
            if DECISION_WORDS.search(question) and RESOLUTION_RE.search(cand.text):
                cue += 0.1
            if not reported_ok and _only_asks(cand.text):
                cue -= 0.15
            cand.similarity, cand.coverage = float(sim), cov
            cand.score = 0.45 * float(sim) + 0.45 * cov + 0.1 * cand.hit.dense + cue

    def _soft_matches(
        self, terms: list[Term], candidates: list[Candidate]
    ) -> dict[int, dict[str, float]]:
        """Credit for question words the corpus never uses but a sentence says otherwise
        (chosen ~ elected): cosine of word embeddings, for unknown words only."""
        unknown = [
            t
            for t in terms
            if not t.variants and all(s not in self.kb.lexical.doc_freq for s in t.stems)
        ]
        if not unknown:
            return {}
        out: dict[int, dict[str, float]] = {}
        term_vecs = self._vectors([t.label for t in unknown])
        word_lists = {
            id(cand): sorted(
                {w.lower() for w in re.findall(r"[A-Za-z]{3,}", cand.text)} - QUESTION_WORDS
            )
            for cand in candidates
        }
        self._vectors(sorted({w for words in word_lists.values() for w in words}))  # one batch
        for cand in candidates:
            words = word_lists[id(cand)]
            if not words:
                continue
            sims = term_vecs @ self._vectors(words).T
            out[id(cand)] = {
                t.label: float(np.clip((sims[i].max() - 0.55) / 0.25, 0.0, 1.0))
                for i, t in enumerate(unknown)
            }
        return out

    def _select(self, question: str, ranked: list[Candidate]) -> list[Candidate]:
        """The best sentence, close runners-up, and the sibling items of a resolution list."""
        best = ranked[0]
        chosen = [best]
        about_questions = REPORTED_QUESTION_RE.search(question) is not None
        for cand in ranked[1:6]:
            if len(chosen) >= self.kb.settings.max_citations:
                break
            if not about_questions and _only_asks(cand.text):
                continue
            if (
                cand.score >= best.score * 0.9
                and cand.coverage >= MIN_COVERAGE
                and not _overlaps(cand, chosen)
            ):
                chosen.append(cand)
        if DECISION_WORDS.search(question) and BULLET_RE.match(best.text):
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


def _lead_in(cand: Candidate) -> str | None:
    """The 'The Committee:' line a list item hangs from, when it is in the same passage."""
    if not BULLET_RE.match(cand.text):
        return None
    p = cand.hit.passage
    before = p.text[: cand.start - p.start].rstrip()
    lines = [line for line in before.split("\n") if line.strip()]
    if lines and lines[-1].rstrip().endswith(":"):
        return lines[-1].strip()
    return None


def _compose(question: str, chosen: list[Candidate], confidence: float) -> Answer:
    citations: dict[str, Citation] = {}
    parts: list[str] = []
    lead_ins: set[str] = set()
    for cand in chosen:
        p = cand.hit.passage
        if p.passage_id not in citations:
            citations[p.passage_id] = Citation(
                len(citations) + 1, p.doc_id, cand.hit.title, p.text, p.start, p.end
            )
        citation = citations[p.passage_id]
        citation.highlights.append((cand.start, cand.end))
        lead = _lead_in(cand)
        if lead and lead not in lead_ins:
            lead_ins.add(lead)
            parts.append(lead)
        parts.append(f"{_plain(cand.text)} [{citation.n}]")
    return Answer(question, " ".join(parts), True, list(citations.values()), confidence=confidence)


def _plain(text: str) -> str:
    """Answer text: the cited words, with bullets dropped and lines joined."""
    return " ".join(
        line.strip().removeprefix("•").strip() for line in text.split("\n") if line.strip()
    )


def _related(hits: list[Hit]) -> list[Citation]:
    return [
        Citation(i + 1, h.passage.doc_id, h.title, h.passage.text, h.passage.start, h.passage.end)
        for i, h in enumerate(hits[:3])
    ]
