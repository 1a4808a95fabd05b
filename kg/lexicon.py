"""The lexicon: every word list govkg reads text with, loaded once from ``ontology/``.

Words are data (``ontology/lexicon.ttl`` and the role and decision-verb schemes of
``ontology/vocabularies.ttl``), so extraction and answering share one source and a
maintainer teaches govkg a word without touching code. A scheme is named by the local
part of its IRI (``titles``, ``months``, ``synonyms``) or, for the two vocabularies the
graph points at, ``roles`` and ``decision-verbs``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from kg.errors import ConfigError
from kg.namespaces import GOV, GOVID

LEX = f"{GOVID}lexicon/"
LEXICON_FILES = ("lexicon.ttl", "vocabularies.ttl")
_VOCABULARY_SCHEMES = {
    str(GOV.Roles): "roles",
    str(GOV.DecisionVerbs): "decision-verbs",
    str(GOV.PlanElementKinds): "plan-elements",
    str(GOV.AttendanceStatus): "attendance-status",
}


@dataclass(frozen=True)
class Entry:
    """One meaning: its canonical label and every form it takes in text."""

    iri: str
    label: str
    forms: tuple[str, ...]  # label first, then alternative and hidden labels
    notation: str | None = None
    related: tuple[str, ...] = ()


class Lexicon:
    """Word lists by scheme name, with the lookups both sides of govkg need."""

    def __init__(self, schemes: dict[str, tuple[Entry, ...]]) -> None:
        self._schemes = schemes
        self._words: dict[str, frozenset[str]] = {}

    @property
    def scheme_names(self) -> list[str]:
        return sorted(self._schemes)

    def entries(self, scheme: str) -> tuple[Entry, ...]:
        try:
            return self._schemes[scheme]
        except KeyError:
            raise ConfigError(
                f"no lexicon scheme {scheme!r}; valid: {', '.join(self.scheme_names)}"
            ) from None

    def words(self, scheme: str) -> frozenset[str]:
        """Every form of every entry, lower-cased: for membership tests (built once)."""
        if scheme not in self._words:
            self._words[scheme] = frozenset(
                form.lower() for entry in self.entries(scheme) for form in entry.forms
            )
        return self._words[scheme]

    def entry_for(self, scheme: str, phrase: str) -> Entry | None:
        """The entry one of whose forms is ``phrase`` (ignoring case), or None."""
        return self._index(scheme).get(phrase.strip().lower())

    def pattern(self, scheme: str, case_sensitive: bool = False) -> re.Pattern[str]:
        """One regex of every form, longest first, matching whole words only."""
        return _compile(
            tuple(
                sorted(
                    self.words(scheme) if not case_sensitive else self._forms(scheme),
                    key=lambda w: (-len(w), w),
                )
            ),
            case_sensitive,
        )

    def synonyms(self, phrase: str) -> frozenset[str]:
        """Every form of every synonym entry that ``phrase`` is a form of (itself included)."""
        key = phrase.strip().lower()
        found = {key}
        for entry in self.entries("synonyms"):
            forms = {f.lower() for f in entry.forms}
            if key in forms:
                found |= forms
        return frozenset(found)

    def _forms(self, scheme: str) -> frozenset[str]:
        return frozenset(form for entry in self.entries(scheme) for form in entry.forms)

    def _index(self, scheme: str) -> dict[str, Entry]:
        return _index_of(self.entries(scheme))


@lru_cache(maxsize=64)
def _index_of(entries: tuple[Entry, ...]) -> dict[str, Entry]:
    index: dict[str, Entry] = {}
    for entry in entries:
        for form in entry.forms:
            index.setdefault(form.lower(), entry)
    return index


@lru_cache(maxsize=256)
def _compile(words: tuple[str, ...], case_sensitive: bool) -> re.Pattern[str]:
    body = "|".join(map(re.escape, words)) if words else "(?!)"
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", 0 if case_sensitive else re.IGNORECASE)


def _scheme_name(iri: str) -> str:
    return _VOCABULARY_SCHEMES.get(iri) or iri.removeprefix(LEX)


def _entries(graph: Graph, scheme: URIRef) -> tuple[Entry, ...]:
    out = []
    for concept in sorted(set(graph.subjects(SKOS.inScheme, scheme)), key=str):
        label = graph.value(concept, SKOS.prefLabel)
        if label is None:
            continue
        others = sorted(
            {str(o) for p in (SKOS.altLabel, SKOS.hiddenLabel) for o in graph.objects(concept, p)}
            - {str(label)}
        )
        notation = graph.value(concept, SKOS.notation)
        out.append(
            Entry(
                iri=str(concept),
                label=str(label),
                forms=(str(label), *others),
                notation=str(notation) if notation is not None else None,
                related=tuple(sorted(str(o) for o in graph.objects(concept, SKOS.related))),
            )
        )
    return tuple(out)


def read_lexicon(ontology_dir: Path) -> Lexicon:
    """Parse the lexicon files of ``ontology_dir`` (use :func:`load_lexicon`, which caches)."""
    graph = Graph()
    for name in LEXICON_FILES:
        path = Path(ontology_dir) / name
        if not path.is_file():
            raise ConfigError(f"lexicon file not found: {path}")
        try:
            graph.parse(path, format="turtle")
        except (SyntaxError, ValueError) as exc:
            raise ConfigError(f"{path}: invalid Turtle: {exc}") from exc
    schemes = {str(s) for s in graph.objects(None, SKOS.inScheme) if isinstance(s, URIRef)}
    return Lexicon(
        {
            _scheme_name(iri): _entries(graph, URIRef(iri))
            for iri in schemes
            if iri.startswith(LEX) or iri in _VOCABULARY_SCHEMES
        }
    )


@cache
def _cached(folder: str) -> Lexicon:
    return read_lexicon(Path(folder))


def load_lexicon(ontology_dir: Path) -> Lexicon:
    """The lexicon of ``ontology_dir``, parsed once per process."""
    return _cached(str(Path(ontology_dir).resolve()))


def default_lexicon() -> Lexicon:
    """The lexicon of the configured ontology folder (``KG_ONTOLOGY``)."""
    from kg.settings import Settings

    return load_lexicon(Settings.from_env().ontology)


__all__ = ["LEX", "Entry", "Lexicon", "default_lexicon", "load_lexicon", "read_lexicon"]
