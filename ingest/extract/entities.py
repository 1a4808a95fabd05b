"""Entity resolution: every way a document names a body, programme, strategy or place, to
one IRI, read in the document's own context.

Names come from the alias table (labels ignoring case, acronyms exactly), from the
document's own definitions ("North Vale Community Health Trust (NVCHT)", "X (the ICB)",
an acronym heading spelled out on the next line), from capitalised names ending in an
organisation head word ("Example City Council"), and from spaCy's NER. Spellings of one
name ("X Health Care Partnership", "X Healthcare Partnership", "NHS X ICB") share a key
and so an IRI. An alias-table name that does not name its entry's place (the "ICB" of
Birmingham and Solihull) is *generic*: it is resolved by :class:`Home`, the bodies the
document itself names, and only falls back to the alias-table entry where the document is
about that place.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache

from rdflib import URIRef
from rdflib.namespace import ORG

from ingest.extract.dates import non_overlapping
from ingest.extract.names import NameRules, long_form, name_key, name_rules, squashed
from ingest.extract.reference import TYPES_BY_KIND, Entity, Reference
from kg.lexicon import Lexicon
from kg.namespaces import doc_scoped_iri, entity_iri

_CAP = r"[A-Z][\w’'&-]*"
_ACRONYM_DEF_RE = re.compile(
    r"(?P<long>[^()\n]{3,160}?)[’'”\"]?\s*\((?P<the>(?:‘|')?the\s+)?(?P<acr>[A-Z][A-Za-z&]{1,11}s?)(?:’|')?\)"
)
_REVERSED_DEF_RE = re.compile(
    r"(?<![\w-])(?P<acr>[A-Z][A-Z&]{1,10}s?)\s*\((?P<long>[A-Z][^()\n]{3,120})\)"
)
_GLOSSARY_RE = re.compile(
    r"^(?P<acr>[A-Z][A-Z&]{1,10}s?)\s*(?:[:–—-]|\s{2,})\s*(?P<long>[A-Z].{3,120})$"
)
_LONE_ACRONYM_RE = re.compile(r"^(?P<acr>[A-Z][A-Z&]{1,10}s?)$")
_SMALL = {"and", "of", "for", "the", "&", "in", "on", "to"}


@dataclass(frozen=True)
class Candidate:
    """A name found in text: resolved (``entity``) or generic (``head``, resolved later)."""

    start: int
    end: int
    text: str
    entity: Entity | None = None
    head: str | None = None  # a generic name ("ICB", "Integrated Care Board", "Board")
    source: str = "rule"
    anaphor: bool = False


@dataclass(frozen=True)
class Vocab:
    """The lexicon lists resolution reads, as sets and patterns."""

    org_heads: frozenset[str]
    formal_heads: frozenset[str]
    programme_heads: frozenset[str]
    strategy_heads: frozenset[str]
    org_types: dict[str, str]  # head word → org-type key
    head_acronyms: dict[str, str]  # "ICB" → "Integrated Care Board"
    generic_re: re.Pattern[str]
    lead_re: re.Pattern[str]
    anaphor_re: re.Pattern[str]
    rules: NameRules
    stop_leading: frozenset[str]  # words dropped from the front of a name
    meeting_heads: dict[str, int]  # head word → rank as the body that met (0 committee …)


@cache
def vocab(lexicon: Lexicon) -> Vocab:
    def forms(scheme: str) -> frozenset[str]:
        return frozenset(f for e in lexicon.entries(scheme) for f in e.forms)

    org_heads = forms("org-heads")
    programme_heads = forms("programme-heads")
    strategy_heads = forms("strategy-heads")
    heads = sorted(org_heads | programme_heads | strategy_heads, key=len, reverse=True)
    head_alt = "|".join(map(re.escape, heads))
    types = {}
    for entry in lexicon.entries("org-heads"):
        for form in entry.forms:
            for related in entry.related:
                types[form] = related.rsplit("/", 1)[-1]
    single = sorted(
        {h for h in org_heads if h[0].isupper() and not h.isupper()}, key=len, reverse=True
    )
    return Vocab(
        org_heads=org_heads,
        formal_heads=forms("formal-org-heads"),
        programme_heads=programme_heads,
        strategy_heads=strategy_heads,
        org_types=types,
        head_acronyms={
            e.label: e.forms[1] for e in lexicon.entries("head-acronyms") if len(e.forms) > 1
        },
        generic_re=re.compile(
            rf"(?<![\w-])(?:{_CAP}(?:,\s+(?={_CAP}[^,.;:]*\band\b))?\s+"
            rf"(?:(?:and|of|for|&|on|in|of\s+the|for\s+the)\s+)?)+(?:{head_alt})(?![\w-])"
        ),
        lead_re=re.compile(
            rf"(?<![\w-])(?:{'|'.join(map(re.escape, sorted(forms('org-lead-words'), key=len, reverse=True)))})"
            rf"(?:\s+(?:and\s+)?{_CAP})+"
        ),
        anaphor_re=re.compile(
            r"\b(?:[Tt]he|[Tt]his|[Tt]hese|[Tt]hat|[Ii]ts|[Oo]ur)\s+"
            rf"({'|'.join(map(re.escape, single))}|Strategy|Programme|Board|Committee)\b"
            r"(?!\s+(?:of|for)\s+[A-Z]|\s+[A-Z])"
        ),
        rules=name_rules(lexicon),
        stop_leading=lexicon.words("name-stop-words"),
        meeting_heads={
            f.lower(): int(e.notation or 1)
            for e in lexicon.entries("meeting-heads")
            for f in e.forms
        },
    )


def head_word(label: str) -> str:
    word = label.split()[-1] if label.split() else label
    return word[:-1] if word.endswith("s") and len(word) > 3 and not word.isupper() else word


def kind_for(name: str, v: Vocab) -> str | None:
    last = name.split()[-1] if name.split() else ""
    if last in v.programme_heads:
        return "programme"
    if last in v.strategy_heads:
        return "strategy"
    return "org" if last in v.org_heads else None


def org_type_key(entity: Entity, v: Vocab) -> str | None:
    if entity.kind != "org":
        return None
    return v.org_types.get(entity.label.split()[-1]) if entity.label.split() else None


class Resolver:
    """The names of one document: the alias table plus what the document teaches.

    The alias table's patterns are compiled once per process; the document's own names
    are found by plain string search (a few per document).
    """

    def __init__(
        self,
        reference: Reference,
        lexicon: Lexicon,
        doc_id: str,
        about: frozenset[URIRef] = frozenset(),
    ) -> None:
        self.reference = reference
        self.lexicon = lexicon
        self.v = vocab(lexicon)
        self.doc_id = doc_id
        self.entities: dict[URIRef, Entity] = {e.iri: e for e in reference.entities}
        self.learned: dict[URIRef, Entity] = {}
        self.aliases: dict[str, URIRef] = {}  # "ICB" → the body "(the ICB)" names here
        self.variants: dict[URIRef, set[str]] = {}
        self.moved: dict[URIRef, URIRef] = {}
        self.about = about
        self._generic_of = {
            n.lower() if not n.isupper() else n: e
            for e in reference.entities
            for n in e.generic
            if e.scope not in about
        }
        self._reference_patterns = _name_patterns(reference.entities)
        self._role_words = frozenset(w.split()[0] for w in lexicon.words("roles"))
        self._roles = lexicon.words("roles")
        self._by_key: dict[str, URIRef] = {}
        self._by_name: dict[str, URIRef] = {}
        self._by_acronym: dict[str, URIRef] = {}
        for entity in sorted(reference.entities, key=lambda e: str(e.iri)):
            self._index(entity)

    # ---- the name table --------------------------------------------------------------
    def _index(self, entity: Entity) -> None:
        generic = set(entity.generic) if entity.scope not in self.about else set()
        for name in entity.names:
            if name in generic:
                continue
            self._by_name.setdefault(name.lower(), entity.iri)
            self._by_key.setdefault(squashed(name_key(name, self.v.rules)), entity.iri)
        for acronym in entity.acronyms:
            if acronym not in generic:
                self._by_acronym.setdefault(acronym, entity.iri)

    def generic_entity(self, name: str) -> Entity | None:
        """The alias-table entry a generic name belongs to, if any."""
        return self._generic_of.get(name if name.isupper() else name.lower())

    def lookup(self, name: str) -> Entity | None:
        """The entity a whole name stands for (label, key or acronym), or None."""
        clean = name.strip().strip("‘’'\"“”")
        iri = self._by_acronym.get(clean) or self._by_name.get(clean.lower())
        if iri is None and clean.endswith("s"):
            iri = self._by_acronym.get(clean[:-1]) or self._by_name.get(clean.lower()[:-1])
        if iri is None and len(clean.split()) >= 2:
            iri = self._by_key.get(squashed(name_key(clean, self.v.rules)))
        return self.entities[iri] if iri is not None else None

    def learn(
        self, kind: str, label: str, acronyms: tuple[str, ...] = (), local: bool = False
    ) -> Entity:
        """The entity ``label`` names, known or new; a new spelling becomes a variant."""
        label = re.sub(r"^(?:[Tt]he)\s+", "", label.strip())
        known = self.lookup(label)
        if known is None:
            for acronym in acronyms:
                known = self.lookup(acronym) if acronym in self._by_acronym else None
                if known is not None:
                    break
        if known is not None and known.kind == "term" and kind != "term":
            return self._upgrade(known, kind, label, acronyms)
        if known is not None:
            if label != known.label and label.lower() not in {n.lower() for n in known.names}:
                self.variants.setdefault(known.iri, set()).add(label)
            extra = tuple(a for a in acronyms if a not in known.acronyms)
            if not extra:
                return known
            return self._register(replace(known, acronyms=known.acronyms + extra))
        key = name_key(label, self.v.rules)
        iri = (
            URIRef(doc_scoped_iri(self.doc_id, kind, key))
            if local
            else URIRef(entity_iri(kind, key or label))
        )
        types = TYPES_BY_KIND[kind]
        if kind == "org" and label.split()[-1] in self.v.formal_heads:
            types = (*types, ORG.FormalOrganization)
        return self._register(Entity(iri, kind, label, acronyms, (), types, local=local))

    def _seen(self, entity: Entity, name: str) -> None:
        """Keep a spelling of a known body that its names lack ("Healthcare" / "Health Care")."""
        name = re.sub(r"^(?:[Tt]he)\s+", "", name)
        if (
            name.lower() not in {n.lower() for n in entity.names}
            and not name.isupper()
            and (
                entity.iri in self.learned
                or name.lower() not in {g.lower() for g in entity.generic}
            )
        ):
            self.variants.setdefault(entity.iri, set()).add(name)

    def _upgrade(self, term: Entity, kind: str, label: str, acronyms: tuple[str, ...]) -> Entity:
        """A defined term turns out to be a body ("X Services (XS)" then "X Services NHS
        Trust"): it becomes an organisation, under the organisation's IRI."""
        key = name_key(label, self.v.rules)
        types = TYPES_BY_KIND[kind]
        if kind == "org" and label.split()[-1] in self.v.formal_heads:
            types = (*types, ORG.FormalOrganization)
        entity = Entity(
            URIRef(entity_iri(kind, key or label)), kind, label,
            tuple(dict.fromkeys(term.acronyms + acronyms)), (), types,
        )  # fmt: skip
        self.variants.setdefault(entity.iri, set()).update({term.label} - {label})
        self.moved[term.iri] = entity.iri
        self.learned.pop(term.iri, None)
        for table in (self._by_name, self._by_key, self._by_acronym):
            for k, v in list(table.items()):
                if v == term.iri:
                    table[k] = entity.iri
        for k, v in list(self.aliases.items()):
            if v == term.iri:
                self.aliases[k] = entity.iri
        self.entities[term.iri] = entity
        return self._register(entity)

    def current(self, entity: Entity) -> Entity:
        """The entity as the document finally knows it (a term may have become a body)."""
        iri = self.moved.get(entity.iri, entity.iri)
        return self.entities.get(iri, entity)

    def _register(self, entity: Entity) -> Entity:
        self.entities[entity.iri] = entity
        self.learned[entity.iri] = entity
        self._index(entity)
        return entity

    # ---- definitions -------------------------------------------------------------------
    def learn_definitions(self, text: str) -> list[tuple[Entity, str, int, int]]:
        """Every acronym or short name the document defines: (entity, acronym, start, end)."""
        found: list[tuple[Entity, str, int, int]] = []
        for m in _definitions(text):
            acronym = m.group("acr")
            if m.group("the"):
                self._alias(m.group("long"), acronym, m, found)
                continue
            long = long_form(m.group("long"), acronym, self.v.rules)
            if long is None:
                continue
            wider = self._wider_name(m.group("long"), long)
            pos = m.group("long").rfind(wider or long)
            self._define(wider or long, acronym, m.start("long") + max(pos, 0), m.end(), found)
            if wider:
                self._seen(found[-1][0], long)
        for m in _REVERSED_DEF_RE.finditer(text):
            long = m.group("long").strip()
            if long_form(long, m.group("acr"), self.v.rules) == long:
                self._define(long, m.group("acr"), m.start(), m.end(), found)
        lines = list(re.finditer(r"[^\n]+", text))
        for i, line in enumerate(lines):
            body = line.group(0).strip()
            if g := _GLOSSARY_RE.match(body):
                long = _leading_long_form(g.group("long"), g.group("acr"), self.v.rules)
                if long:
                    self._define(long, g.group("acr"), line.start(), line.end(), found)
            elif (lone := _LONE_ACRONYM_RE.match(body)) and i + 1 < len(lines):
                nxt = lines[i + 1].group(0).strip()
                long = _leading_long_form(nxt, lone.group("acr"), self.v.rules)
                if long:
                    self._define(long, lone.group("acr"), line.start(), lines[i + 1].end(), found)
        return found

    def _wider_name(self, before: str, long: str) -> str | None:
        """ "The Fernleigh Local Dental Committee (LDC)": the acronym leaves out the place,
        but the body is the whole name written before the bracket."""
        run = list(self.v.generic_re.finditer(before))
        if not run or run[-1].end() < len(before.rstrip()) - 2:
            return None
        label = _strip_leading(run[-1].group(0), self.v.stop_leading)
        if (
            len(label) > len(long)
            and label.endswith(" " + long)
            and kind_for(label, self.v) == "org"
        ):
            return label
        return None

    def _alias(self, before: str, short: str, m: re.Match[str], found: list) -> None:
        """ "NHS X Integrated Care Board (the ICB)": here, "the ICB" is that body."""
        run = list(self.v.generic_re.finditer(before))
        if not run or run[-1].end() < len(before.rstrip()) - 2:
            return
        label = _strip_leading(run[-1].group(0), self.v.stop_leading)
        kind = kind_for(label, self.v)
        if kind is None:
            return
        entity = self.learn(kind, label)
        self.aliases[short] = entity.iri
        found.append((entity, "", m.start("long") + run[-1].start(), m.end()))

    def _define(self, long: str, acronym: str, start: int, end: int, found: list) -> None:
        known = self.lookup(long)
        if known is not None:
            entity = self.learn(known.kind, long, (acronym,))
        else:
            kind = kind_for(long, self.v)
            if kind is None and any(acronym.endswith(h) for h in self.v.head_acronyms):
                kind = "org"
            entity = self.learn(kind or "term", long, (acronym,))
        found.append((entity, acronym, start, end))

    # ---- finding names -------------------------------------------------------------------
    def find(self, text: str, offset: int = 0) -> list[Candidate]:
        """Named mentions in ``text`` (no anaphora), longest first, without overlaps."""
        candidates: list[Candidate] = []
        for start, end, is_acronym in self._spans(text):
            name = text[start:end]
            cand = self._candidate(name, start, end, is_acronym)
            if cand is not None:
                candidates.append(cand)
        for cand in self._leads(text):
            candidates = [
                c for c in candidates if not (c.start >= cand.start and c.end <= cand.end)
            ]
            candidates.append(cand)
        named = sorted(candidates, key=lambda c: c.start)
        named_starts = [c.start for c in named]
        for cand in self._generic(text):
            lo = bisect.bisect_left(named_starts, cand.start - 200)
            hi = bisect.bisect_left(named_starts, cand.end)
            inside = [c for c in named[lo:hi] if c.start < cand.end and c.end > cand.start]
            if all(
                c.start >= cand.start
                and c.end <= cand.end
                and (c.start, c.end) != (cand.start, cand.end)
                and (
                    c.end == cand.end
                    or (c.entity is not None and c.entity.kind != "org")
                    or c.head
                    or text[c.end : cand.end].startswith(" for ")  # "X Council for Voluntary …"
                )
                for c in inside
            ):
                candidates.append(cand)
        chosen = [
            c for _, _, c, _ in non_overlapping([(c.start, c.end, c, None) for c in candidates])
        ]
        return [replace(c, start=c.start + offset, end=c.end + offset) for c in chosen]

    def _candidate(self, name: str, start: int, end: int, is_acronym: bool) -> Candidate | None:
        bare = (
            name[:-1]
            if name.endswith("s") and (name[:-1] in self.aliases or self.generic_entity(name[:-1]))
            else name
        )
        if bare in self.aliases:
            return Candidate(start, end, name, self.entities[self.aliases[bare]])
        generic = self.generic_entity(bare)
        if generic is not None and self.lookup(name) in (None, generic):
            return Candidate(start, end, name, head=bare)
        found = self._by_acronym.get(name) if is_acronym else None
        entity = self.entities[found] if found else self.lookup(name)
        return Candidate(start, end, name, entity) if entity is not None else None

    def _spans(self, text: str) -> Iterator[tuple[int, int, bool]]:
        """(start, end, is_acronym) of every alias-table or learned name in ``text``."""
        names, acronyms = self._reference_patterns
        for m in names.finditer(text):
            yield m.start(), m.end(), False
        for m in acronyms.finditer(text):
            yield m.start(), m.end(), True
        if self.learned or self.aliases:
            yield from _learned_spans(text, self.learned.values(), self.aliases)

    def _generic(self, text: str) -> list[Candidate]:
        """Capitalised names ending in a head word, or opening with a lead word
        ("Healthwatch Calderbridge"): known ones, else new ones."""
        found: list[Candidate] = []
        for m in self.v.generic_re.finditer(text):
            for start, end in _split_run(m.start(), m.group(0), self.v):
                words = text[start:end].split()
                while words and words[0].lower().rstrip(",") in self.v.stop_leading:
                    start = text.index(words[1], start + len(words[0])) if len(words) > 1 else end
                    words = words[1:]
                while len(words) > 2 and words[0].endswith(("’s", "'s")):
                    start = text.index(words[1], start + len(words[0]))
                    words = words[1:]
                name = " ".join(words).rstrip(",")
                if len(words) < 2 or kind_for(name, self.v) is None:
                    continue
                cut = self._after_post(words)
                if cut:  # "GP and Clinical Director of Marshbrook Central PCN": the body after
                    start = text.index(words[cut], start + len(" ".join(words[:cut])))
                    words = words[cut:]
                    name = " ".join(words).rstrip(",")
                    if len(words) < 2 or kind_for(name, self.v) is None:
                        continue  # "Leader of the Council": a post, no body named
                elif words[0].lower() in self._role_words and any(
                    w in ("of", "for") for w in words
                ):
                    continue  # "Director of the Partnership": a post
                head = self._head_only(words)
                if head is not None:
                    found.append(Candidate(start, end, name, head=head))
                    continue
                generic = self.generic_entity(name)
                if generic is not None and self.lookup(name) in (None, generic):
                    found.append(Candidate(start, end, name, head=name))
                    continue
                kind = kind_for(name, self.v) or "org"
                entity = self.lookup(name) or self._suffix_of_learned(name)
                if entity is None or entity.kind == "term":
                    entity = self.learn(kind, name)
                else:
                    self._seen(entity, name)
                found.append(Candidate(start, end, name, entity))
        return found

    def _after_post(self, words: list[str]) -> int:
        """Where the body's name starts after a job title's "of" ("Chair of the X
        Committee"), or 0 when the run holds no title."""
        for i in range(len(words) - 1, 0, -1):
            if words[i] in ("of", "for") and any(
                " ".join(words[j:i]).lower() in self._roles for j in range(max(0, i - 3), i)
            ):
                cut = i + 1
                while cut < len(words) and words[cut].lower() in self.v.stop_leading:
                    cut += 1
                return cut if cut < len(words) else 0
        return 0

    def _leads(self, text: str) -> list[Candidate]:
        """Names that open with a lead word: "Healthwatch Calderbridge", "NHS England"."""
        found = []
        for m in self.v.lead_re.finditer(text):
            name = m.group(0)
            if kind_for(name, self.v) is not None:
                continue  # ends in a head word: the head-word rule reads it
            entity = self.lookup(name) or self.learn("org", name)
            found.append(Candidate(m.start(), m.end(), name, entity))
        return found

    def _head_only(self, words: list[str]) -> str | None:
        """ "Trust Board", "ICB Board", "Partnership Board": the board of the body named by
        the first word, a generic head to resolve in context."""
        if len(words) != 2 or words[1] not in ("Board", "Committee"):
            return None
        first = words[0]
        if first in self.v.head_acronyms or (
            first in self.v.org_heads and first not in ("Board", "Committee")
        ):
            return first
        return None

    def _suffix_of_learned(self, name: str) -> Entity | None:
        """ "Strategy Board" after "Primary Care Strategy Board": the same body, shortened."""
        for entity in self.learned.values():
            if entity.label.endswith(" " + name) and not entity.local:
                self.variants.setdefault(entity.iri, set()).add(name)
                return entity
        for entity in self.reference.entities:
            if entity.scope in self.about and any(n.endswith(" " + name) for n in entity.names):
                return entity
        return None

    def anaphors(self, text: str, offset: int = 0) -> list[tuple[int, int, str]]:
        """("the Committee", "this Board" ...) spans with their head word."""
        return [
            (offset + m.start(), offset + m.end(), m.group(1))
            for m in self.v.anaphor_re.finditer(text)
        ]


_PAREN_RE = re.compile(r"\((?:‘|')?(?:the\s+)?[A-Z][A-Za-z&]{1,11}s?(?:’|')?\)")


def _definitions(text: str) -> Iterator[re.Match[str]]:
    """ "Long Name (ACR)" matches, found from each bracket backwards: a bounded look behind
    each "(" keeps this linear however long the lines are."""
    for paren in _PAREN_RE.finditer(text):
        line_start = text.rfind("\n", 0, paren.start()) + 1
        start = max(line_start, paren.start() - 170)
        m = _ACRONYM_DEF_RE.search(text, start, paren.end())
        while m is not None and m.end() != paren.end():
            m = _ACRONYM_DEF_RE.search(text, m.start() + 1, paren.end())
        if m is not None:
            yield m


def _leading_long_form(text: str, acronym: str, rules: NameRules) -> str | None:
    """The first words of ``text`` that ``acronym`` abbreviates exactly."""
    words = text.split()
    for count in range(2, min(len(words), 2 * len(acronym) + 2) + 1):
        candidate = " ".join(words[:count]).rstrip(".,;:")
        if long_form(candidate, acronym, rules) == candidate:
            rest = words[count:]
            if not rest or not rest[0][:1].isupper() or rest[0].lower() in _SMALL:
                return candidate
    return None


def _strip_leading(run: str, stop: frozenset[str]) -> str:
    words = run.split()
    while words and words[0].lower() in stop:
        words = words[1:]
    return " ".join(words)


_ALNUM_RE = re.compile(r"[^\W_]+")


def _learned_spans(
    text: str, learned: Iterable[Entity], aliases: dict[str, URIRef] | None = None
) -> Iterator[tuple[int, int, bool]]:
    """What the alias patterns would match for the document's learned names, without
    compiling any: names in any case with an optional plural "s", acronyms exactly; whole
    words only. Names are indexed by their first word, so the text is read once whatever
    the number of names (a document that teaches thousands stays linear)."""
    lower = text.lower()
    folded = len(lower) == len(text)  # lower() keeps offsets for all but a few scripts
    names: dict[str, set[str]] = {}
    acronyms: dict[str, set[str]] = {}
    for entity in learned:
        for name in entity.names:
            key = name.lower() if folded else name
            first = _ALNUM_RE.match(key)
            if first:
                names.setdefault(first.group(0), set()).add(key)
        for acronym in entity.acronyms:
            first = _ALNUM_RE.match(acronym)
            if first:
                acronyms.setdefault(first.group(0), set()).add(acronym)
    for short in aliases or {}:
        first = _ALNUM_RE.match(short)
        if first:
            acronyms.setdefault(first.group(0), set()).add(short)
    found: set[tuple[int, int, bool]] = set()
    haystack = lower if folded else text
    tables: tuple[tuple[dict[str, set[str]], str, bool], ...] = (
        (names, haystack, False),
        (acronyms, text, True),
    )
    for table, source, exact in tables:
        if not table:
            continue
        for m in _ALNUM_RE.finditer(source):
            token = m.group(0)
            for key in (token, token[:-1] if token.endswith("s") else ""):
                for word in table.get(key, ()):
                    if source.startswith(word, m.start()):
                        found.update(_occurrence_at(source, word, m.start(), exact))
    yield from sorted(found)


def _occurrence_at(text: str, word: str, at: int, acronym: bool) -> list[tuple[int, int, bool]]:
    """The whole-word match of ``word`` at ``at`` (with a plural "s"), as _occurrences."""
    end = at + len(word)
    before_ok = at == 0 or not (text[at - 1].isalnum() or text[at - 1] in "_-")
    plural = end < len(text) and text[end] == "s"
    after = end + 1 if plural else end
    after_ok = after >= len(text) or not (text[after].isalnum() or text[after] == "_")
    if not after_ok and plural:
        after_ok = not (text[end].isalnum() or text[end] == "_")
        after = end
    return [(at, end if acronym else after, acronym)] if before_ok and after_ok else []


def _occurrences(text: str, word: str, acronym: bool = False) -> Iterator[tuple[int, int, bool]]:
    at = text.find(word)
    while at >= 0 and word:
        end = at + len(word)
        before_ok = at == 0 or not (text[at - 1].isalnum() or text[at - 1] in "_-")
        plural = end < len(text) and text[end] == "s"
        after = end + 1 if plural else end
        after_ok = after >= len(text) or not (text[after].isalnum() or text[after] == "_")
        if not after_ok and plural:  # "s" was part of a longer word: try the bare name
            after_ok = not (text[end].isalnum() or text[end] == "_")
            after = end
        if before_ok and after_ok:
            yield at, end if acronym else after, acronym
        at = text.find(word, at + 1)


def _name_patterns(entities: tuple[Entity, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """One regex of every name (any case, optional plural s), one of every acronym (exact)."""
    names = sorted({n.lower() for e in entities for n in e.names}, key=lambda n: (-len(n), n))
    acronyms = sorted({a for e in entities for a in e.acronyms}, key=lambda n: (-len(n), n))
    return _compile_names(tuple(names), tuple(acronyms))


@cache
def _compile_names(
    names: tuple[str, ...], acronyms: tuple[str, ...]
) -> tuple[re.Pattern[str], re.Pattern[str]]:
    return (
        re.compile(rf"(?<![\w-])(?:{_alternation(names)})(?:s)?(?![\w])", re.IGNORECASE),
        re.compile(rf"(?<![\w-])(?:{_alternation(acronyms)})(?=s?(?![\w]))"),
    )


def _alternation(words: tuple[str, ...]) -> str:
    """``a|b|c``; with no words, a pattern that never matches (not the empty string)."""
    return "|".join(map(re.escape, words)) if words else "(?!)"


_SPLIT = _SMALL - {"for"}  # "X Council for Voluntary Service" is one body


def _split_run(offset: int, run: str, v: Vocab) -> list[tuple[int, int]]:
    """Split "Health and Wellbeing Board of Example City Council" after each inner head."""
    spans = []
    start = 0
    for m in re.finditer(r"\S+", run):
        rest = run[m.end() :].split()
        word = m.group(0).rstrip(",")
        if word in v.org_heads and rest and (rest[0] in _SPLIT or m.group(0).endswith(",")):
            spans.append((offset + start, offset + m.start() + len(word)))
            start = m.end() + 1
    spans.append((offset + start, offset + len(run)))
    return spans


__all__ = [
    "Candidate",
    "Resolver",
    "Vocab",
    "head_word",
    "kind_for",
    "org_type_key",
    "vocab",
]
