"""Entity resolution: every way a document names a body, programme or place, to one IRI.

Names come from the alias table (labels ignoring case, acronyms exactly), from acronyms the
document defines ("Right Access First Time (RAFT)"), from capitalised names ending in an
organisation word ("Example City Council"), and from anaphora ("the Committee" is the
committee that met; "this Board" the last board named).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from rdflib import URIRef
from rdflib.namespace import ORG

from ingest.extract.reference import TYPES_BY_KIND, Entity, Reference
from kg.namespaces import entity_iri

ORG_HEADS = (
    "Board", "Committee", "Sub-Committee", "Subcommittee", "Council", "Trust", "Group", "Unit",
    "Team", "Teams", "Partnership", "University", "Network", "Networks", "Authority", "Agency",
    "Panel", "Forum", "Alliance", "Collaborative", "Commission", "Cabinet", "ICB", "ICS", "CCG",
    "PCN", "Healthwatch",
)  # fmt: skip
FORMAL_HEADS = {"Council", "Trust", "University", "Authority", "Agency", "ICB", "CCG", "Commission"}
ORG_TYPE_BY_HEAD = {
    "Board": "board", "Committee": "committee", "Sub-Committee": "committee",
    "Subcommittee": "committee", "Council": "local-authority", "Trust": "nhs-trust",
    "Team": "team", "Teams": "team", "Partnership": "partnership", "University": "university",
    "ICB": "integrated-care-board", "ICS": "integrated-care-system",
    "CCG": "clinical-commissioning-group", "PCN": "primary-care-network",
}  # fmt: skip
PROGRAMME_HEADS = ("Programme", "Program", "Project", "Initiative")
STRATEGY_HEADS = ("Strategy", "Plan", "Framework")
_STOP_LEADING = {
    "the", "this", "these", "that", "a", "an", "our", "its", "their", "each", "every", "any",
    "all", "minutes", "meeting", "report", "members", "member", "agenda", "item", "chair",
    "present", "apologies", "of", "and", "for", "&", "on", "in", "to", "by", "with", "new",
    "dear", "re", "purpose", "purposes", "role", "governance", "update", "progress", "terms",
}  # fmt: skip
_CAP = r"[A-Z][\w’'&-]*"
_GENERIC_RE = re.compile(
    rf"(?<![\w-])(?:{_CAP}\s+(?:(?:and|of|for|&|on|in|of\s+the)\s+)?)+"
    rf"(?:{'|'.join(ORG_HEADS + PROGRAMME_HEADS + STRATEGY_HEADS)})(?![\w-])"
)
_ANAPHOR_RE = re.compile(
    r"\b(?:[Tt]he|[Tt]his|[Tt]hese|[Tt]hat|[Ii]ts)\s+"
    r"(Committee|Board|Strategy|Programme|Unit|Group|Teams?|Partnership|Council|Panel|Trust)\b"
)
_ACRONYM_DEF_RE = re.compile(r"(?P<long>[^()\n]{3,120}?)[’'”\"]?\s*\((?P<acr>[A-Z][A-Za-z]{1,9})\)")
_SMALL = {"and", "of", "for", "the", "&", "in", "on", "to"}


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    entity: Entity
    anaphor: bool = False


def _head(label: str) -> str:
    word = label.split()[-1] if label.split() else label
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def _kind_for(name: str) -> str | None:
    last = name.split()[-1]
    if last in PROGRAMME_HEADS:
        return "programme"
    if last in STRATEGY_HEADS:
        return "strategy"
    return "org" if last in ORG_HEADS else None


def new_entity(kind: str, label: str, acronyms: tuple[str, ...] = ()) -> Entity:
    """An entity the alias table does not know; its IRI comes from its full name."""
    types = TYPES_BY_KIND[kind]
    if kind == "org" and label.split()[-1] in FORMAL_HEADS:
        types = (*types, ORG.FormalOrganization)
    return Entity(URIRef(entity_iri(kind, label)), kind, label, acronyms, (), types)


def org_type_key(entity: Entity) -> str | None:
    return ORG_TYPE_BY_HEAD.get(entity.label.split()[-1]) if entity.kind == "org" else None


class Resolver:
    """Alias lookup for one document; learns the document's own acronyms and names.

    The alias table's patterns are compiled once per process; a document's few learned
    names are found by plain string search. Recompiling one pattern of every name after
    each learned entity cost an eighth of ingest time.
    """

    def __init__(self, reference: Reference) -> None:
        self.entities: dict[URIRef, Entity] = {e.iri: e for e in reference.entities}
        self.learned: dict[URIRef, Entity] = {}
        self._reference_patterns = _name_patterns(reference.entities)
        self._rebuild()

    def _rebuild(self) -> None:
        self._by_name: dict[str, URIRef] = {}
        self._by_acronym: dict[str, URIRef] = {}
        for entity in sorted(self.entities.values(), key=lambda e: str(e.iri)):
            for name in entity.names:
                self._by_name.setdefault(name.lower(), entity.iri)
            for acronym in entity.acronyms:
                self._by_acronym.setdefault(acronym, entity.iri)

    def _spans(self, text: str) -> Iterator[tuple[int, int, bool]]:
        """(start, end, is_acronym) of every alias-table or learned name in ``text``."""
        names, acronyms = self._reference_patterns
        for m in names.finditer(text):
            yield m.start(), m.end(), False
        for m in acronyms.finditer(text):
            yield m.start(), m.end(), True
        if self.learned:
            yield from _learned_spans(text, self.learned.values())

    def lookup(self, name: str) -> Entity | None:
        """The entity a whole name stands for (label or acronym), or None."""
        clean = name.strip().strip("‘’'\"“”")
        iri = self._by_acronym.get(clean) or self._by_name.get(clean.lower())
        if iri is None and clean.lower().endswith("s"):
            iri = self._by_name.get(clean.lower()[:-1]) or self._by_acronym.get(clean[:-1])
        return self.entities[iri] if iri is not None else None

    def add(self, entity: Entity) -> Entity:
        """Register a learned entity (or learned acronyms of a known one)."""
        known = self.entities.get(entity.iri)
        if known is not None:
            extra = tuple(a for a in entity.acronyms if a not in known.acronyms)
            if not extra:
                return known
            entity = replace(known, acronyms=known.acronyms + extra)
        self.entities[entity.iri] = entity
        self.learned[entity.iri] = entity
        self._rebuild()
        return entity

    def learn_acronyms(self, text: str) -> None:
        """Learn "Long Name (ACR)" definitions: the acronym's letters spell the long name."""
        for m in _ACRONYM_DEF_RE.finditer(text):
            acronym = m.group("acr")
            long_form = _long_form(m.group("long"), acronym)
            if long_form is None:
                continue
            known = self.lookup(long_form)
            if known is not None:
                self.add(replace(known, acronyms=(acronym,)))
                continue
            kind = _kind_for(long_form) or ("org" if acronym in ORG_HEADS else None)
            if kind is not None and self.lookup(acronym) is None:
                self.add(new_entity(kind, long_form, (acronym,)))

    def find(self, text: str, offset: int = 0) -> list[Mention]:
        """Named mentions in ``text`` (no anaphora), longest first, without overlaps."""
        candidates: list[tuple[int, int, Entity]] = []
        for start, end, is_acronym in self._spans(text):
            name = text[start:end]
            found = self.entities[self._by_acronym[name]] if is_acronym else self.lookup(name)
            if found is not None:
                candidates.append((start, end, found))
        named = list(candidates)
        for start, end, entity in self._generic(text):
            inside = [(s, e, n) for s, e, n in named if s < end and e > start]
            if all(
                s >= start and e <= end and (e == end or n.kind != "org") and (s, e) != (start, end)
                for s, e, n in inside
            ):
                candidates.append((start, end, entity))
        chosen: list[tuple[int, int, Entity]] = []
        for start, end, entity in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
            if all(end <= s or start >= e for s, e, _ in chosen):
                chosen.append((start, end, entity))
        return [
            Mention(offset + s, offset + e, text[s:e], entity)
            for s, e, entity in sorted(chosen, key=lambda c: c[0])
        ]

    def _generic(self, text: str) -> list[tuple[int, int, Entity]]:
        """Capitalised names ending in an organisation word: known ones, else new ones."""
        found = []
        for m in _GENERIC_RE.finditer(text):
            for start, end in _split_run(m.start(), m.group(0)):
                words = text[start:end].split()
                while words and words[0].lower() in _STOP_LEADING:
                    start = text.index(words[1], start + len(words[0])) if len(words) > 1 else end
                    words = words[1:]
                kind = _kind_for(" ".join(words)) if len(words) >= 2 else None
                if kind is None:
                    continue
                name = " ".join(words)
                entity = (
                    self.lookup(name)
                    or self._suffix_of_learned(name)
                    or self.add(new_entity(kind, name))
                )
                found.append((start, end, entity))
        return found

    def _suffix_of_learned(self, name: str) -> Entity | None:
        """ "Strategy Board" after "Primary Care Strategy Board": the same body, shortened."""
        for entity in self.learned.values():
            if entity.label.endswith(" " + name):
                return entity
        return None

    @staticmethod
    def anaphors(text: str, offset: int = 0) -> list[tuple[int, int, str]]:
        """("the Committee", "this Board" ...) spans with their head word."""
        return [
            (offset + m.start(), offset + m.end(), m.group(1)) for m in _ANAPHOR_RE.finditer(text)
        ]


def _learned_spans(text: str, learned: Iterable[Entity]) -> Iterator[tuple[int, int, bool]]:
    """What the alias patterns would match for a few learned names, without compiling any:
    names in any case with an optional plural "s", acronyms exactly; whole words only."""
    lower = text.lower()
    folded = len(lower) == len(text)  # lower() keeps offsets for all but a few scripts
    for entity in learned:
        for name in entity.names:
            yield from _occurrences(lower if folded else text, name.lower() if folded else name)
        for acronym in entity.acronyms:
            yield from _occurrences(text, acronym, acronym=True)


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


@lru_cache(maxsize=8)
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


def _split_run(offset: int, run: str) -> list[tuple[int, int]]:
    """Split "Health and Wellbeing Board of Example City Council" after each inner head."""
    spans = []
    start = 0
    for m in re.finditer(r"\S+", run):
        rest = run[m.end() :].split()
        if m.group(0) in ORG_HEADS and rest and rest[0] in _SMALL:
            spans.append((offset + start, offset + m.end()))
            start = m.end() + 1
    spans.append((offset + start, offset + len(run)))
    return spans


def _long_form(before: str, acronym: str) -> str | None:
    """The words just before "(ACR)" whose initials spell the acronym, or None."""
    letters = acronym.rstrip("s").upper() if len(acronym) > 2 else acronym.upper()
    words = re.findall(r"[\w’'&-]+", before.strip().strip("‘’'\"“”"))
    picked: list[str] = []
    for word in reversed(words):
        picked.insert(0, word)
        initials = "".join(w[0] for w in picked if w.lower() not in _SMALL).upper()
        if initials == letters and picked[0][0].isupper():
            return " ".join(picked)
        if not letters.endswith(initials):
            return None
    return None


def head_of(entity: Entity) -> set[str]:
    return {_head(name).lower() for name in entity.names}


__all__ = ["Mention", "Resolver", "head_of", "new_entity", "org_type_key"]
