"""The relations a question can ask about: one parameterised SPARQL file each.

A relation is ``ontology/queries/relations/<name>.rq``; its header says when to use it and
how its rows read as English (see ``ontology/queries/relations/README.md``)::

    # subject: organisation post          kinds of entity that fill ?subject
    # answers: person agent               what a row answers (who / how many / when ...)
    # cues: roles, lex:rel-post-holders   lexicon schemes and concepts whose words point here
    # param role: roles                   ?role takes the roles the question names (else UNDEF)
    # group: item                         rows with the same ?item form one candidate answer
    # fact: post org:heldBy holder        a triple each row states (IRIs and labels go to JSON)
    # lead: {body}:                        said once before a group's sentences
    # say: {holder} is {post} of {body}. || {holder} is {post}.

A parameter is a placeholder IRI ``<urn:govkg:param:NAME>`` inside a ``VALUES`` block, so the
file runs as it stands (and finds nothing); :func:`bind` replaces the placeholder with IRIs
taken from the graph, or ``UNDEF``. The text of the question never enters a query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg.errors import ConfigError
from kg.namespaces import PREFIXES

PLACEHOLDER = "urn:govkg:param:"
RELATIONS_DIR = Path("queries") / "relations"
_VAR_RE = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Alternative:
    """One way to say a row: used when its variables are bound (and its guard holds)."""

    text: str
    guard: tuple[str, str] | None = None  # (variable, lexicon scheme its value must be in)

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(_VAR_RE.findall(self.text))


@dataclass(frozen=True)
class Say:
    """A sentence per row: the first alternative that can be said, cited by ``passage``."""

    alternatives: tuple[Alternative, ...]
    passage: str = "passage"
    also: tuple[str, ...] = ()  # more passages the sentence cites ("@passage +apassage")


@dataclass(frozen=True)
class FactPattern:
    subject: str
    predicate: str  # an IRI, or "?var"
    object: str
    passage: str = "passage"


@dataclass(frozen=True)
class Relation:
    name: str
    title: str
    query: str
    subject_kinds: frozenset[str]
    answers: frozenset[str]
    cues: tuple[str, ...]
    params: tuple[tuple[str, str], ...]
    facts: tuple[FactPattern, ...]
    says: tuple[Say, ...]
    lead: str | None = None
    group: str | None = None

    @property
    def subject_var(self) -> str:
        """The variable the subject placeholder binds (``VALUES ?x { <urn:govkg:param:subject> }``)."""
        return "subject"


def _expand(term: str) -> str:
    if term.startswith("?"):
        return term
    prefix, _, local = term.partition(":")
    if prefix in PREFIXES and not term.startswith("http"):
        return PREFIXES[prefix] + local
    return term


def _header(text: str) -> list[tuple[str, str]]:
    out = []
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        key, sep, value = line[1:].strip().partition(":")
        if sep:
            out.append((key.strip().lower(), value.strip()))
    return out


def _say(value: str) -> Say:
    passage = "passage"
    also: tuple[str, ...] = ()
    if " @" in value:
        value, _, cited = value.rpartition(" @")
        passage, *more = cited.split(" +")
        also = tuple(m.strip() for m in more)
    alternatives = []
    for part in value.split(" || "):
        text, _, guard = part.partition(" if ")
        parsed: tuple[str, str] | None = None
        if guard:
            var, _, scheme = guard.partition(" in ")
            parsed = (var.strip(), scheme.strip())
        alternatives.append(Alternative(text.strip(), parsed))
    return Say(tuple(alternatives), passage.strip(), also)


def _fact(value: str) -> FactPattern:
    passage = "passage"
    if " @" in value:
        value, _, passage = value.rpartition(" @")
    parts = value.split()
    if len(parts) != 3:
        raise ConfigError(f"a relation fact is 'subject predicate object': {value!r}")
    return FactPattern(parts[0], _expand(parts[1]), parts[2], passage.strip())


def parse_relation(path: Path) -> Relation:
    text = path.read_text(encoding="utf-8")
    header = _header(text)
    fields: dict[str, str] = {}
    params: list[tuple[str, str]] = []
    facts: list[FactPattern] = []
    says: list[Say] = []
    for key, value in header:
        if key.startswith("param "):
            params.append((key.removeprefix("param ").strip(), value))
        elif key == "fact":
            facts.append(_fact(value))
        elif key == "say":
            says.append(_say(value))
        else:
            fields[key] = value
    try:
        ox.Store().query(bind(text, {}))  # the file must parse as SPARQL
    except SyntaxError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    if not says or not facts:
        raise ConfigError(f"{path}: a relation needs '# fact:' and '# say:' lines")
    return Relation(
        name=path.stem,
        title=fields.get("title", path.stem),
        query=text,
        subject_kinds=frozenset(fields.get("subject", "").split()),
        answers=frozenset(fields.get("answers", "").split()),
        cues=tuple(c.strip() for c in fields.get("cues", "").split(",") if c.strip()),
        params=tuple(params),
        facts=tuple(facts),
        says=tuple(says),
        lead=fields.get("lead"),
        group=fields.get("group"),
    )


@cache
def _load(folder: str) -> tuple[Relation, ...]:
    paths = sorted(Path(folder).glob("*.rq"))
    return tuple(parse_relation(p) for p in paths)


def load_relations(ontology_dir: Path) -> tuple[Relation, ...]:
    """Every relation of ``ontology_dir/queries/relations``, parsed once per process."""
    return _load(str((Path(ontology_dir) / RELATIONS_DIR).resolve()))


def bind(query: str, values: dict[str, list[str]]) -> str:
    """The query with each parameter's placeholder replaced by IRIs (``UNDEF`` when none).

    Every value is an IRI read from the graph or the lexicon, checked by pyoxigraph.
    """
    out = query
    for name in re.findall(rf"<{re.escape(PLACEHOLDER)}([\w-]+)>", query):
        iris = values.get(name) or []
        terms = " ".join(str(ox.NamedNode(iri)) for iri in iris) or "UNDEF"
        out = out.replace(f"<{PLACEHOLDER}{name}>", terms)
    return out


__all__ = [
    "Alternative",
    "FactPattern",
    "Relation",
    "Say",
    "bind",
    "load_relations",
    "parse_relation",
]
