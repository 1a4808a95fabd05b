"""Names in the graph, and the entities a question names.

Every label, acronym and alias the graph holds (the reference graph's alias tables and the
names extraction learned from documents: ``skos:prefLabel``, ``skos:altLabel``,
``gov:acronym``, ``foaf:name``, agenda item titles) is read once per store generation into
an index of normalised word sequences. A question is matched against it longest name first,
tolerant of case, possessives, plurals, "the", and spaced or joined acronyms ("GP PSU",
"GPPSU"). A name the question shortens ("Kestrel Vale Collaborative" for "Kestrel Vale
Primary Care Collaborative") matches when its words keep their order and its first and last
words agree; a person matches by surname after a title or when the surname is capitalised.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote

from kg.base import KnowledgeBase
from kg.lexicon import Lexicon
from kg.namespaces import (
    BESLUIT,
    DCTERMS,
    FOAF,
    GOV,
    GRAPH_BASE,
    ORG,
    PROV,
    RDF,
    REFERENCE_GRAPH,
    SCHEMA,
    SKOS,
)

KINDS = {
    str(ORG.Organization): "organisation",
    str(FOAF.Person): "person",
    str(ORG.Post): "post",
    str(GOV.Programme): "programme",
    str(GOV.Strategy): "strategy",
    str(BESLUIT.Agendapunt): "item",
    str(DCTERMS.Location): "place",
}
# Nodes that have no name but that a passage can point to (the anchors of a relation query).
NODE_KINDS = {
    str(ORG.ChangeEvent): "change",
    str(BESLUIT.BehandelingVanAgendapunt): "treatment",
    str(BESLUIT.Besluit): "decision",
    str(SCHEMA.Question): "question",
    str(SCHEMA.Answer): "reply",
    str(SCHEMA.Action): "action",
    str(BESLUIT.Zitting): "meeting",
    str(GOV.Attendance): "attendance",
    str(DCTERMS.PeriodOfTime): "period",
    str(PROV.Activity): "event",
    str(PROV.Plan): "plan",
}
_PRIORITY = ["organisation", "programme", "strategy", "person", "term", "post", "item", "place"]


def node_kind(types: list[str]) -> str | None:
    """The kind of a node from its types: a named kind first, then the most specific node kind."""
    named = [KINDS[t] for t in types if t in KINDS]
    if named:
        return min(named, key=_PRIORITY.index)
    order = list(NODE_KINDS)
    nodes = sorted((t for t in types if t in NODE_KINDS), key=order.index)
    return NODE_KINDS[nodes[0]] if nodes else None


_TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?|&")
MAX_NAME_TOKENS = 12


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _fold(word: str) -> str:
    """One question or label word as the index compares it: lower case, no possessive, singular."""
    word = word.lower()
    for suffix in ("'s", "'"):
        if word.endswith(suffix):
            word = word[: -len(suffix)]
    return "and" if word == "&" else _singular(word)


@dataclass(frozen=True)
class Token:
    norm: str
    raw: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """Words of ``text`` with their offsets; "the" is left out (it is never part of a name)."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    out = []
    for m in _TOKEN_RE.finditer(text):
        raw = m.group().rstrip("'")
        folded = _fold(raw)
        if folded and folded != "the":
            out.append(Token(folded, raw, m.start(), m.end()))
    return out


@lru_cache(maxsize=8192)
def name_key(name: str) -> tuple[str, ...]:
    """The folded words of a name or passage (cached: every check of a question's names
    against a passage folds the same passage again)."""
    return tuple(t.norm for t in tokens(name))


def _is_acronym(raw: str) -> bool:
    letters = raw.rstrip("s")
    return len(letters) >= 2 and letters.isupper() and letters.isalpha()


@dataclass
class EntityIndex:
    """Every name of every entity, by its normalised words."""

    exact: dict[tuple[str, ...], set[str]] = field(default_factory=lambda: defaultdict(set))
    edges: dict[tuple[str, str], list[tuple[tuple[str, ...], str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    surnames: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    labels: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    preferred: dict[str, str] = field(default_factory=dict)
    acronyms: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    kinds: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    docs: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    in_reference: set[str] = field(default_factory=set)
    prefixes: frozenset[str] = frozenset()
    heads: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()  # (acronym, spelled out)
    title_words: frozenset[str] = frozenset()  # "dr", "cllr": a surname after one is a name
    inversions: frozenset[str] = frozenset()  # "of", "for": "the group for the PSU"
    role_words: frozenset[str] = frozenset()  # role heads: "the chair of X" is no name of X's

    def spellings(self, key: tuple[str, ...]) -> set[tuple[str, ...]]:
        """The ways a name is also written: without a leading "NHS", with its generic head
        acronym spelled out or shortened ("… Integrated Care Board" = "… ICB")."""
        out = {key}
        if len(key) > 2 and key[0] in self.prefixes:
            out.add(key[1:])
        for variant in list(out):
            for short, long in self.heads:
                for a, b in ((long, short), (short, long)):
                    if len(variant) > len(a) and variant[-len(a) :] == a:
                        out.add(variant[: -len(a)] + b)
        return {v for v in out if len(v) >= 2} | {key}

    def add(self, iri: str, name: str, prop: str, blocked: frozenset[tuple[str, ...]]) -> None:
        name = " ".join(name.split())
        if not name or name in self.labels[iri]:
            return
        self.labels[iri].append(name)
        if prop == str(GOV.acronym):
            self.acronyms[iri].append(name)
        if prop in (str(SKOS.prefLabel), str(FOAF.name), str(DCTERMS.title)):
            self.preferred.setdefault(iri, name)
        key = name_key(name)
        if not key or len(key) > MAX_NAME_TOKENS or key in blocked:
            return
        if len(key) > 1 and (key[-1],) in blocked and prop != str(GOV.acronym):
            return  # a name cut short ("Leader of the") names nothing a question could mean
        for spelling in self.spellings(key) - {key}:
            self.exact[spelling].add(iri)
            if len(spelling) >= 3:
                self.edges[(spelling[0], spelling[-1])].append((spelling, iri))
        self.exact[key].add(iri)
        raw = [t.raw for t in tokens(name)]
        if len(key) >= 2 and all(_is_acronym(r) or r.isupper() for r in raw):
            self.exact[("".join(key),)].add(iri)  # "GP PSU" is also "GPPSU"
        if len(key) >= 3:
            self.edges[(key[0], key[-1])].append((key, iri))
        if self.kinds.get(iri) == "person" and len(key) >= 2:
            self.surnames[key[-1]].add(iri)

    def remember(self, iri: str, name: str, prop: str) -> None:
        """A label of a node that questions do not name (a role, a function)."""
        if name not in self.labels[iri]:
            self.labels[iri].append(name)
        if prop == str(SKOS.prefLabel):
            self.preferred.setdefault(iri, name)

    def label(self, iri: str) -> str:
        return self.preferred.get(iri) or (self.labels.get(iri) or [iri.rsplit("/", 1)[-1]])[0]

    def display(self, iri: str) -> str:
        """A person with their title ("Dr Subeena Suleman"), anything else by its label."""
        label = self.label(iri)
        title = self.titles.get(iri)
        return f"{title} {label}" if title and not label.startswith(title) else label


@dataclass(frozen=True)
class Mention:
    """A span of the question and the entities it may name, best first."""

    start: int
    end: int
    text: str
    iris: tuple[str, ...]
    exact: bool


def _doc_of(graph: str) -> str | None:
    prefix = GRAPH_BASE + "doc/"
    return unquote(graph[len(prefix) :]) if graph.startswith(prefix) else None


def build_index(kb: KnowledgeBase, lexicon: Lexicon) -> EntityIndex:
    """Read every name of the graph (one pass per kind of name)."""
    index = EntityIndex(
        prefixes=frozenset(k[0] for w in lexicon.words("name-prefixes") if (k := name_key(w))),
        heads=tuple(
            (name_key(e.label), name_key(form))
            for e in lexicon.entries("head-acronyms")
            for form in e.forms[1:]
            if name_key(form)
        ),
        title_words=frozenset(k[0] for w in lexicon.words("titles") if len(k := name_key(w)) == 1),
        inversions=frozenset(
            k[0] for w in lexicon.words("name-inversions") if len(k := name_key(w)) == 1
        ),
        role_words=frozenset(k[0] for w in lexicon.words("roles") if len(k := name_key(w)) == 1),
    )
    for row in kb.rdf.query(
        f"SELECT DISTINCT ?e ?t WHERE {{ {{ ?e <{RDF.type}> ?t VALUES ?t {{ "
        + " ".join(f"<{k}>" for k in KINDS)
        + f" }} }} UNION {{ ?e <{SKOS.inScheme}> <{GOV.Terms}> BIND(<{GOV.Terms}> AS ?t) }} }}"
    ):
        iri, kind = row["e"].value, KINDS.get(row["t"].value, "term")
        current = index.kinds.get(iri)
        if current is None or _PRIORITY.index(kind) < _PRIORITY.index(current):
            index.kinds[iri] = kind
    for row in kb.rdf.query(f"SELECT DISTINCT ?e ?title WHERE {{ ?e <{FOAF.title}> ?title }}"):
        index.titles.setdefault(row["e"].value, row["title"].value)
    members = {
        row["p"].value
        for row in kb.rdf.query(
            f"SELECT DISTINCT ?p WHERE {{ ?p <{ORG.role}> <https://w3id.org/govkg/id/role/member> }}"
        )
    }
    blocked = frozenset(name_key(w) for w in lexicon.words("roles")) | frozenset(
        name_key(w) for w in lexicon.words("question-words")
    )
    props = (SKOS.prefLabel, FOAF.name, GOV.acronym, SKOS.altLabel)
    rows = kb.rdf.query(
        "SELECT DISTINCT ?g ?e ?p ?name WHERE { GRAPH ?g { ?e ?p ?name } VALUES ?p { "
        + " ".join(f"<{p}>" for p in props)
        + " } }"
    )
    named = sorted(
        ((r["g"].value, r["e"].value, r["p"].value, r["name"].value) for r in rows),
        key=lambda r: [str(p) for p in props].index(r[2]),
    )
    for graph, iri, prop, name in named:
        if iri not in index.kinds or iri in members:
            index.remember(iri, name, prop)  # concepts, member seats: labels, not names
            continue
        if graph == REFERENCE_GRAPH:
            index.in_reference.add(iri)
        elif (doc := _doc_of(graph)) is not None:
            index.docs[iri].add(doc)
        index.add(iri, name, prop, blocked)
    for row in kb.rdf.query(
        f"SELECT DISTINCT ?g ?e ?name WHERE {{ GRAPH ?g {{ ?e a <{BESLUIT.Agendapunt}> ; "
        f"<{DCTERMS.title}> ?name }} }}"
    ):
        iri = row["e"].value
        if (doc := _doc_of(row["g"].value)) is not None:
            index.docs[iri].add(doc)
        index.add(iri, row["name"].value, str(DCTERMS.title), blocked)
    return index


def cached_index(kb: KnowledgeBase, lexicon: Lexicon) -> EntityIndex:
    """The index of the store as it is now; rebuilt when an ingest changes the generation."""
    return _index_for(kb, kb.generation, lexicon)


@lru_cache(maxsize=2)
def _index_for(kb: KnowledgeBase, generation: str, lexicon: Lexicon) -> EntityIndex:
    del generation
    return build_index(kb, lexicon)


def find_mentions(index: EntityIndex, question: str, stop: frozenset[str]) -> list[Mention]:
    """The names in ``question``, longest first and not overlapping."""
    toks = tokens(question)
    found: list[tuple[int, int, tuple[str, ...], bool]] = []
    for i in range(len(toks)):
        for j in range(min(len(toks), i + MAX_NAME_TOKENS), i, -1):
            span = toks[i:j]
            key = tuple(t.norm for t in span)
            iris = set(index.exact.get(key, ()))
            if len(span) >= 2 and all(_is_acronym(t.raw) for t in span):
                iris |= index.exact.get(("".join(key),), set())
            if iris and _plausible(span, iris, index, stop):
                found.append((i, j, tuple(iris), True))
            elif len(span) >= 2:
                loose = _shortened(index, key)
                if loose:
                    found.append((i, j, tuple(loose), False))
        found += _inverted(index, toks, i, stop)
        titled = i > 0 and toks[i - 1].norm in index.title_words
        if (toks[i].raw[:1].isupper() or titled) and toks[i].norm not in stop:
            # a surname: capitalised, or after a title however written ("dr suleman")
            people = index.surnames.get(toks[i].norm)
            if people:
                found.append((i - 1 if titled else i, i + 1, tuple(people), False))
    chosen: list[Mention] = []
    taken: set[int] = set()
    for i, j, named, exact in sorted(found, key=lambda f: (-(f[1] - f[0]), not f[3], f[0])):
        if taken & set(range(i, j)):
            continue
        taken |= set(range(i, j))
        start, end = toks[i].start, toks[j - 1].end
        chosen.append(Mention(start, end, question[start:end], named, exact))
    return sorted(chosen, key=lambda m: m.start)


def _inverted(
    index: EntityIndex, toks: list[Token], i: int, stop: frozenset[str]
) -> list[tuple[int, int, tuple[str, ...], bool]]:
    """Names written head first ("the steering group for the PSU" = "PSU Steering Group"):
    a head of up to five words, an inversion word, a qualifier; looked up qualifier first.
    A head that is a role ("the chair of the PSU") names a post, not a body: left alone; a
    one-word head ("the board of the KVPCC") only when the qualifier names a body itself."""
    out: list[tuple[int, int, tuple[str, ...], bool]] = []
    for k in range(i + 1, min(i + 6, len(toks))):
        if toks[k].norm not in index.inversions:
            continue
        head = toks[i:k]
        if any(t.norm in stop or t.norm in index.role_words for t in head):
            return out
        for j in range(min(len(toks), k + 1 + MAX_NAME_TOKENS // 2), k + 1, -1):
            qualifier = tuple(t.norm for t in toks[k + 1 : j])
            if len(head) == 1 and not any(
                index.kinds.get(iri) == "organisation" for iri in index.exact.get(qualifier, ())
            ):
                continue  # "the strategy for the primary care sector" describes, it names not
            key = qualifier + tuple(t.norm for t in head)
            iris = set(index.exact.get(key, ()))
            if iris:
                out.append((i, j, tuple(iris), True))
                return out
            loose = _shortened(index, key) if len(key) >= 2 else set()
            if loose:
                out.append((i, j, tuple(loose), False))
                return out
        return out
    return out


def _plausible(span: list[Token], iris: set[str], index: EntityIndex, stop: frozenset[str]) -> bool:
    """One common word ("plan", "board") names nothing unless written as a name."""
    if len(span) > 1:
        return not all(t.norm in stop for t in span)
    tok = span[0]
    if tok.norm in stop:
        return False
    return (
        _is_acronym(tok.raw)
        or tok.raw[:1].isupper()
        or all(index.kinds.get(i) in {"organisation", "programme", "term"} for i in iris)
    )


def _shortened(index: EntityIndex, key: tuple[str, ...]) -> set[str]:
    """Names whose words include ``key``'s in order, with the same first and last word."""
    out: set[str] = set()
    for name, iri in index.edges.get((key[0], key[-1]), ()):
        if len(name) <= len(key) or len(name) > len(key) + 3:
            continue
        it = iter(name)
        if all(word in it for word in key):
            out.add(iri)
    return out


__all__ = [
    "KINDS",
    "NODE_KINDS",
    "EntityIndex",
    "Mention",
    "Token",
    "build_index",
    "cached_index",
    "find_mentions",
    "name_key",
    "node_kind",
    "tokens",
]
