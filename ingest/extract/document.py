"""What every rule reads: the document as lines and sentences, its dates, the names in it
resolved in its own context, and the body it is about (the committee that met).

:func:`read_document` builds one read-only :class:`DocView` in explicit steps — lines and
sentences, the document's own definitions, dates, names (alias table, head words, NER),
the document's body, then generic names and anaphora ("the ICB", "the Board") resolved
against the bodies the document itself names. Rules take the view and return records.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from rdflib import URIRef

from ingest.extract import ner
from ingest.extract.dates import DateContext, DateMatch, find_dates
from ingest.extract.entities import Candidate, Resolver, head_word, kind_for
from ingest.extract.names import name_key
from ingest.extract.records import Acronym, Mention, Span
from ingest.extract.reference import Entity, Reference
from ingest.extract.text import Line, Sentence, cased, read_lines, read_sentences
from kg.lexicon import Lexicon
from kg.model import Document
from kg.namespaces import entity_iri

_MINUTES_OF_RE = re.compile(
    r"\b(?:Minutes|Decisions|Record of decisions|Notes)\s+(?:of|from)\s+(?:a\s+|the\s+)?"
    r"(?:(?:public\s+)?meeting\s+of\s+(?:the\s+)?)?(?P<rest>.+)",
    re.IGNORECASE,
)
_LEAD_HEAD_RE = re.compile(
    r"^(?P<head>Cabinet|Executive|Council|Board|Committee)\s*(?:[-–—,:]|\s+(?:meeting|minutes)\b)"
)
_VENUE_RE = re.compile(r"^(?:Venue|Location|Address|Place|Contact|Held at)\b", re.IGNORECASE)
_DECISION_MAKER_RE = re.compile(r"^Decision[- ]makers?:\s*(?P<rest>.+)$", re.IGNORECASE)
_RECORD_MARKERS = re.compile(
    r"^(?:RESOLVED\b|Resolved:|Present:?$|Present:|PRESENT:?|Apologies\b|Decision:|Agreed:"
    r"|Minutes of\b|Members present)",
    re.MULTILINE,
)
_CAP_RUN_RE = re.compile(r"(?<![\w-])[A-Z][\w’'&-]+(?:\s+(?:of\s+|and\s+|&\s+)?[A-Z][\w’'&-]+)+")


@dataclass
class DocView:
    """One document as the rules read it (never changed by a rule)."""

    doc: Document
    text: str
    cased: str  # the text with capitalised lines in title case (names are read here)
    lexicon: Lexicon
    reference: Reference
    resolver: Resolver
    lines: list[Line]
    sentences: list[Sentence]
    dates: dict[int, list[DateMatch]]  # by sentence start
    mentions: dict[int, list[Mention]]  # by sentence start
    acronyms: list[Acronym]
    body: Entity | None = None  # the body that met, or the document's own body
    body_line: Line | None = None
    is_record: bool = False  # minutes or a record of decisions
    people_spans: list[ner.NamedSpan] = field(default_factory=list)
    _by_line: dict[int, list[Sentence]] = field(default_factory=dict)
    _starts: list[int] = field(default_factory=list)

    def sentence_at(self, at: int) -> Sentence | None:
        """The sentence holding offset ``at`` (bisection)."""
        if not self._starts:
            self._starts.extend(s.start for s in self.sentences)
        i = bisect.bisect_right(self._starts, at) - 1
        return self.sentences[i] if i >= 0 and self.sentences[i].end >= at else None

    def sentences_of(self, line: Line) -> list[Sentence]:
        if not self._by_line:
            for s in self.sentences:
                self._by_line.setdefault(s.line.index, []).append(s)
        return self._by_line.get(line.index, [])

    def mentions_in(self, sentence: Sentence, kinds: tuple[str, ...] = ("org",)) -> list[Mention]:
        return [m for m in self.mentions.get(sentence.start, []) if m.entity.kind in kinds]

    def line_mentions(self, line: Line, kinds: tuple[str, ...] = ("org",)) -> list[Mention]:
        return [m for s in self.sentences_of(line) for m in self.mentions_in(s, kinds)]

    def dates_in(self, line: Line) -> list[DateMatch]:
        return [d for s in self.sentences_of(line) for d in self.dates.get(s.start, [])]

    def orgs_in(self, text: str, offset: int = 0) -> list[Entity]:
        """Organisations named in a piece of text (a heading, a cell), resolved here."""
        found = []
        for cand in self.resolver.find(cased(text), offset):
            entity = cand.entity or (self.home.resolve(cand.head) if cand.head else None)
            if entity is not None and entity.kind == "org":
                found.append(entity)
        return found

    @property
    def home(self) -> Home:
        return self._home

    _home: Home = None  # type: ignore[assignment]


class Home:
    """The bodies a document names, for resolving its generic names in context."""

    def __init__(
        self, view_text: str, resolver: Resolver, named: list[Candidate], doc: Document
    ) -> None:
        self.resolver = resolver
        self.counts: Counter[URIRef] = Counter(c.entity.iri for c in named if c.entity is not None)
        self.first: dict[URIRef, int] = {}
        for c in named:
            if c.entity is not None:
                self.first.setdefault(c.entity.iri, c.start)
        self.about = resolver.about
        self._memo: dict[str, Entity | None] = {}

    def resolve(self, head: str) -> Entity | None:
        """Memoised per head: the bodies a document names are known before any is resolved."""
        if head not in self._memo:
            generic = self.resolver.generic_entity(head)
            self._memo[head] = self._resolve(head, generic.kind if generic else "org")
        return self._memo[head]

    def _resolve(self, head: str, kind: str) -> Entity | None:
        """The body a generic name ("ICB", "the Trust", "Provider Support Unit") means here."""
        resolver = self.resolver
        if head in resolver.aliases:
            return resolver.entities[resolver.aliases[head]]
        expansion = resolver.v.head_acronyms.get(head.rstrip("s"), head)
        target = name_key(expansion, resolver.v.rules)
        word = head_word(expansion).lower()
        best: tuple[int, int, Entity] | None = None
        for iri, count in self.counts.items():
            entity = resolver.entities[iri]
            if entity.kind != kind or entity.generic:
                continue
            key = name_key(entity.label, resolver.v.rules)
            hit = (
                key.endswith(target)
                or any(a.endswith(head.rstrip("s")) and a != head for a in entity.acronyms)
                or (len(expansion.split()) == 1 and head_word(entity.label).lower() == word)
            )
            if hit and key != target:
                rank = (-count, self.first[iri])
                if best is None or rank < best[:2]:
                    best = (*rank, entity)
        if best is not None:
            return best[2]
        generic = resolver.generic_entity(head)
        if generic is not None and generic.scope in self.about:
            return generic
        if generic is not None and len(head.split()) >= 2:
            return resolver.learn(generic.kind, head, local=True)
        return None


def about_places(doc: Document, reference: Reference) -> frozenset[URIRef]:
    """The alias-table places the document is about: named twice, or in its title,
    publisher or source."""
    lower = doc.text.lower()
    head = " ".join(filter(None, (doc.title, doc.publisher or "", doc.source or ""))).lower()
    found = set()
    for place, words in reference.place_words.items():
        hits = sum(len(re.findall(rf"(?<![\w-]){re.escape(w)}(?![\w-])", lower)) for w in words)
        if hits >= 2 or any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", head) for w in words):
            found.add(place)
    return frozenset(found)


def _is_record(doc: Document) -> bool:
    return "minute" in doc.doc_type.lower() or len(_RECORD_MARKERS.findall(doc.text[:20000])) >= 2


def _dates(
    doc: Document, sentences: list[Sentence], lexicon: Lexicon
) -> dict[int, list[DateMatch]]:
    """Dates in reading order: a yearless date takes its year from what came before."""
    context = DateContext()
    if doc.issued and doc.issued[:4].isdigit():
        context.year = int(doc.issued[:4])
    return {s.start: find_dates(s.text, context, s.start, lexicon) for s in sentences}


def _candidates(
    view_cased: str, sentences: list[Sentence], resolver: Resolver
) -> dict[int, list[Candidate]]:
    found: dict[int, list[Candidate]] = {}
    for sentence in sentences:
        text = view_cased[sentence.start : sentence.end]
        cands = resolver.find(text, sentence.start)
        taken = [(c.start, c.end) for c in cands]
        for start, end, head in resolver.anaphors(text, sentence.start):
            if not any(s < end and e > start for s, e in taken):
                cands.append(Candidate(start, end, view_cased[start:end], head=head, anaphor=True))
        found[sentence.start] = sorted(cands, key=lambda c: c.start)
    return found


def _ner_pass(
    view_cased: str,
    sentences: list[Sentence],
    cands: dict[int, list[Candidate]],
    resolver: Resolver,
    dates: dict[int, list[DateMatch]],
) -> list[ner.NamedSpan]:
    """Run NER on the sentences holding a capitalised run the rules left unexplained;
    add the organisations and places it finds; return the people for the people rule."""
    todo: list[tuple[int, str]] = []
    lexicon = resolver.lexicon
    titles = lexicon.words("titles")
    plain = lexicon.words("not-name-words") | lexicon.words("title-modifiers")
    roles = {w for form in lexicon.words("roles") for w in form.split()}
    for sentence in sentences:
        text = view_cased[sentence.start : sentence.end]
        covered = [(c.start, c.end) for c in cands[sentence.start]]
        covered += [(d.start, d.end) for d in dates.get(sentence.start, [])]
        windows: list[tuple[int, int]] = []
        for m in _CAP_RUN_RE.finditer(text):
            start, end = sentence.start + m.start(), sentence.start + m.end()
            if any(s <= start and end <= e for s, e in covered):
                continue
            words = [w.lower() for w in m.group(0).split()]
            if (
                words[0] in titles
                or any(w in roles for w in words)
                or all(w in plain or w in ("of", "and", "&") for w in words)
            ):
                continue  # a titled person or a job title: the rules read those
            raw = m.group(0).split()
            marked = any(w.isupper() and len(w) > 1 for w in raw) or any(
                w in resolver.v.org_heads for w in raw
            )
            determiner = re.search(
                r"\b(?:the|a|an|this|our|their|its)\s+$", text[: m.start()], re.I
            )
            if len(words) < 3 and not marked and determiner:
                continue  # "the Duninmoor Holworth team": no person, and too short for a body
            # a window of a few words either side is all the model's context reaches
            lo = max(0, text.rfind(" ", 0, max(0, m.start() - _NER_CONTEXT)) + 1)
            hi = text.find(" ", min(len(text), m.end() + _NER_CONTEXT))
            hi = len(text) if hi < 0 else hi
            if windows and lo <= windows[-1][1]:
                windows[-1] = (windows[-1][0], hi)
            else:
                windows.append((lo, hi))
        todo.extend((sentence.start + lo, text[lo:hi]) for lo, hi in windows)
    spans = ner.recognise(todo)
    starts = [s.start for s in sentences]
    people = []
    for span in spans:
        if span.kind == "person":
            people.append(span)
            continue
        label = _clean_ner(span.text, span.kind, resolver, resolver.lexicon)
        if label is None:
            continue
        key = _sentence_at(sentences, span.start, starts)
        if key is None:
            continue
        if any(c.start < span.end and c.end > span.start for c in cands[key]):
            continue
        kind = "org" if span.kind == "org" else "place"
        if kind == "org" and kind_for(label, resolver.v) not in (None, "org"):
            continue
        entity = resolver.lookup(label) or resolver.learn(kind, label)
        start = span.start + span.text.find(label)
        cands[key].append(Candidate(start, start + len(label), label, entity, source="ner"))
        cands[key].sort(key=lambda c: c.start)
    return people


_NER_STOP = {"the", "a", "an", "this", "our", "their", "its"}
_NER_CONTEXT = 30  # characters of context either side of a name sent to the NER model


def _clean_ner(text: str, kind: str, resolver: Resolver, lexicon: Lexicon) -> str | None:
    """An NER organisation or place worth keeping. The small model reads minutes' title
    case as names everywhere, so an organisation needs two words or more, no title or
    job word, not only words that are never names, and either a word that marks a body
    (NHS, UK, an acronym, a head word) or three words; a place must also be a word the
    document's own bodies are named with ("Calderbridge" in "Calderbridge Council")."""
    words = text.replace("\n", " ").split()
    while words and words[0].lower() in _NER_STOP:
        words = words[1:]
    if words and words[-1] in ("’s", "'s"):
        words = words[:-1]
    label = " ".join(words).rstrip(".,;:’'")
    if not label or not label[0].isupper() or any(ch.isdigit() for ch in label):
        return None
    titles = lexicon.words("titles")
    never = lexicon.words("not-name-words")
    roles = lexicon.words("roles")
    lowered = [w.lower().rstrip(",") for w in words]
    if any(w in titles for w in lowered) or any(w in roles for w in lowered):
        return None  # "Dear Mr Ofori": a person's title anywhere is no body's name
    if kind == "place":
        org_words = {
            w for e in resolver.learned.values() if e.kind == "org" for w in e.label.split()
        }
        return label if all(w in org_words for w in words) and lowered[-1] not in never else None
    if len(words) < 2 or all(w in never for w in lowered) or lowered[-1] in never:
        return None
    marked = any(w.isupper() and len(w) > 1 for w in words) or any(
        w in resolver.v.org_heads for w in words
    )
    return label if marked or len(words) >= 3 else None


def _sentence_at(sentences: list[Sentence], at: int, starts: list[int] | None = None) -> int | None:
    starts = starts if starts is not None else [s.start for s in sentences]
    i = bisect.bisect_right(starts, at) - 1
    return sentences[i].start if i >= 0 and sentences[i].end >= at else None


def _detect_body(
    doc: Document,
    lines: list[Line],
    cands: dict[int, list[Candidate]],
    sentences_by_line: dict[int, list[Sentence]],
    home: Home,
    resolver: Resolver,
    view_cased: str,
) -> tuple[Entity, Line] | None:
    """The body that met (or decided): a "Minutes of" line, a heading naming a committee,
    a line that opens with "Cabinet", a "Decision maker" line, the publisher."""

    def orgs(line: Line, start: int = 0) -> list[tuple[Candidate, Entity]]:
        out = []
        for s in sentences_by_line.get(line.index, []):
            for c in cands[s.start]:
                if c.end <= line.start + start:
                    continue
                entity = c.entity or (home.resolve(c.head) if c.head else None)
                if entity is not None and entity.kind == "org":
                    out.append((c, entity))
        return out

    early = lines[:15]
    for line in early:
        m = _MINUTES_OF_RE.search(view_cased[line.start : line.end])
        if m:
            at = line.start + m.start("rest")
            found = [(c, e) for c, e in orgs(line) if c.end > at and c.start <= at + 1]
            if found:
                return found[0][1], line
    for line in early[:3]:
        m = _LEAD_HEAD_RE.match(view_cased[line.start : line.end])
        if m:
            label = m.group("head")
            if doc.publisher:
                entity = resolver.learn("org", f"{doc.publisher} {label}")
                return _relabel(resolver, entity, label), line
            return resolver.learn("org", label, local=True), line
    ranked: list[tuple[int, int, Entity, Line]] = []
    for line in early[:12]:
        if _VENUE_RE.match(line.text):
            continue
        for c, entity in orgs(line):
            lead = view_cased[line.start : c.start]
            if lead.strip() not in ("", "The", "the") and line.kind != "heading":
                continue  # the line opens with the body's name ("The X Partnership (XP) is")
            last = head_word(entity.label).lower()
            rank = min(resolver.v.meeting_heads.get(last, 2), 2)
            if rank == 2 and not (line.kind == "heading" or line.index < 3):
                continue
            ranked.append((rank, line.index, entity, line))
    for line in early:
        m = _LEAD_HEAD_RE.match(view_cased[line.start : line.end])
        if m and not ranked:
            label = m.group("head")
            if doc.publisher:
                entity = resolver.learn("org", f"{doc.publisher} {label}")
                entity = resolver.entities[entity.iri]
                return _relabel(resolver, entity, label), line
            return resolver.learn("org", label, local=True), line
    for line in lines[:40]:
        m = _DECISION_MAKER_RE.match(view_cased[line.start : line.end])
        if m and not ranked:
            found = orgs(line, m.start("rest"))
            if found:
                return found[0][1], line
    if ranked:
        ranked.sort(key=lambda r: (r[0], r[1]))
        return ranked[0][2], ranked[0][3]
    if doc.publisher:
        for cand in resolver.find(cased(doc.publisher)):
            if cand.entity is not None and cand.entity.kind == "org":
                return cand.entity, lines[0]
    return None


def _relabel(resolver: Resolver, entity: Entity, label: str) -> Entity:
    """A council's "Cabinet": one IRI per council, labelled as the document calls it."""
    from dataclasses import replace

    relabelled = replace(entity, label=label, alt_labels=(entity.label,))
    resolver.entities[entity.iri] = relabelled
    resolver.learned[entity.iri] = relabelled
    return relabelled


def _resolve(
    view_cased: str,
    sentences: list[Sentence],
    cands: dict[int, list[Candidate]],
    home: Home,
    body: Entity | None,
    is_record: bool,
) -> dict[int, list[Mention]]:
    """Generic names and anaphora, in reading order: "the Committee" is the committee that
    met; "this Board" the last board named; "the ICB" the integrated care board the
    document names."""
    recent: list[tuple[Entity, bool]] = []
    mentions: dict[int, list[Mention]] = {}
    for sentence in sentences:
        out: list[Mention] = []
        for i, c in enumerate(cands[sentence.start]):
            entity = c.entity
            source = c.source
            if entity is None and c.head is not None:
                entity = (
                    _anaphor(c.head, recent, body, is_record, home)
                    if c.anaphor
                    else home.resolve(c.head)
                )
                source = "context"
            if entity is None:
                continue
            entity = home.resolver.current(entity)
            out.append(Mention(entity, Span(c.start, c.end), c.text, source))
            recent.append((entity, i == 0 and c.start - sentence.start < 6))
        mentions[sentence.start] = out
    return mentions


_COMMITTEE_HEADS = {
    "committee",
    "sub-committee",
    "subcommittee",
    "panel",
    "cabinet",
    "group",
    "forum",
}


def _anaphor(
    head: str, recent: list[tuple[Entity, bool]], body: Entity | None, is_record: bool, home: Home
) -> Entity | None:
    """ "the Committee" is the committee that met; "the Board" is the body that met unless
    that was a committee (then the last board named); other heads the last body with it."""
    if body is not None:
        body_head = head_word(body.label).lower()
        if body_head == head.lower().rstrip("s") or (
            is_record and head == "Board" and body_head not in _COMMITTEE_HEADS
        ):
            return body
    wanted = head.lower().rstrip("s")
    matching = [(e, subj) for e, subj in recent if head_word(e.label).lower().rstrip("s") == wanted]
    subjects = [e for e, subj in matching if subj]
    if subjects:
        return subjects[-1]
    if matching:
        return matching[-1][0]
    return home.resolve(head)


def read_document(
    doc: Document, reference: Reference, lexicon: Lexicon, use_ner: bool = True
) -> DocView:
    """The document, read once for every rule."""
    lines = read_lines(doc.text)
    sentences = read_sentences(doc.text, lines)
    view_cased = cased(doc.text)
    resolver = Resolver(reference, lexicon, doc.doc_id, about_places(doc, reference))
    definitions = resolver.learn_definitions(view_cased)
    dates = _dates(doc, sentences, lexicon)
    cands = _candidates(view_cased, sentences, resolver)
    people: list[ner.NamedSpan] = []
    if use_ner:
        people = _ner_pass(view_cased, sentences, cands, resolver, dates)
    named = [c for cs in cands.values() for c in cs if c.entity is not None]
    home = Home(doc.text, resolver, named, doc)
    by_line: dict[int, list[Sentence]] = {}
    for s in sentences:
        by_line.setdefault(s.line.index, []).append(s)
    is_record = _is_record(doc)
    found = _detect_body(doc, lines, cands, by_line, home, resolver, view_cased) if lines else None
    body, body_line = found if found else (None, None)
    mentions = _resolve(view_cased, sentences, cands, home, body, is_record)
    acronyms = [Acronym(resolver.current(e), a, Span(s, t)) for e, a, s, t in definitions if a]
    view = DocView(
        doc=doc,
        text=doc.text,
        cased=view_cased,
        lexicon=lexicon,
        reference=reference,
        resolver=resolver,
        lines=lines,
        sentences=sentences,
        dates=dates,
        mentions=mentions,
        acronyms=acronyms,
        body=resolver.current(body) if body else None,
        body_line=body_line,
        is_record=is_record,
        people_spans=people,
        _by_line=by_line,
    )
    view._home = home
    return view


def entity_for_publisher(publisher: str) -> str:
    return entity_iri("org", publisher)


__all__ = ["DocView", "Home", "read_document"]
