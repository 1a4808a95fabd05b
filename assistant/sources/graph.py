"""Facts from the graph: relation → parameterised .rq → rows → cited sentences.

For the relations a question points to (strongest first), the subject is filled with the
entities the question names (or the conversation gave it), else with the nodes of the
retrieved passages (the treatment a presenter sentence came from, the periods of a
timeline line). Each row becomes sentences by its relation's ``say`` templates, every label
grounded in the passage the fact was derived from (``prov:wasDerivedFrom``). The rows are
grouped (one body's purposes, one item's resolutions) and the groups scored by the named
checks of :mod:`assistant.checks`; the best group that passes is the graph's answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox

from assistant.entities import EntityIndex, name_key, node_kind
from assistant.grounding import stands_in
from assistant.model import Fact, LinkedEntity
from assistant.qtypes import expansion_of, has_type
from assistant.question import Question, RelationChoice, coverage
from assistant.relations import Alternative, Relation, Say, bind
from kg.base import KnowledgeBase
from kg.lexical import stems
from kg.lexicon import Lexicon
from kg.model import Passage
from kg.namespaces import GOV, GOVID, PROV, SCHEMA, passage_iri
from kg.settings import Settings
from kg.text import sentence_spans

_PASSAGE_RE = re.compile(
    rf"^{re.escape(str(GOVID))}doc/(?P<doc>[^/]+)/passage/(?P<s>\d+)-(?P<e>\d+)$"
)
_SLOT_RE = re.compile(r"\{(\w+)\}")
_OPTIONAL_RE = re.compile(r"\[([^\[\]]*)\]")
ARTICLE_KINDS = frozenset({"organisation", "post"})


def run_query(kb: KnowledgeBase, sparql: str) -> list[dict[str, Any]]:
    """The one way relation queries reach the store: rows as ``{variable: term}``."""
    result = kb.rdf.query(sparql)
    names = [v.value for v in result.variables]
    out = []
    for solution in result:
        out.append({n: solution[n] for n in names if solution[n] is not None})
    return out


def passage_id(iri: str) -> str | None:
    """``doc:start-end`` of a passage IRI (the inverse of ``kg.namespaces.passage_iri``)."""
    m = _PASSAGE_RE.match(iri)
    return f"{unquote(m['doc'])}:{m['s']}-{m['e']}" if m else None


@dataclass(frozen=True)
class Anchor:
    """A node derived from a retrieved passage: a candidate subject when the question names none."""

    iri: str
    kind: str
    rank: int
    earliest: str | None = None
    latest: str | None = None


@dataclass
class Statement:
    """One sentence the graph can say, with the passage that states it."""

    relation: str
    group: str
    subject: str
    text: str
    passage: Passage
    highlight: tuple[int, int]
    labels: list[str]
    verbatim: bool
    facts: list[tuple[str, str, str, str, str, str]]  # s, s label, p, p label, o, o label
    also: list[tuple[Passage, tuple[int, int]]] = field(default_factory=list)  # more citations
    kinds: set[str] = field(default_factory=set)  # kinds of the entities it names
    slots: set[str] = field(default_factory=set)  # variables it used
    values: dict[str, str] = field(default_factory=dict)  # every grounded value of its row
    named: dict[str, str] = field(default_factory=dict)  # slot -> IRI of the entity it names
    about: str = ""  # the names of everything its row binds (the item a decision was on ...)
    topic: float = 0.0
    score: float = 0.0
    checks: list[str] = field(default_factory=list)


@dataclass
class GraphAnswer:
    relation: str
    sparql: str
    statements: list[Statement]
    anchored: str  # "question" or "passages"
    tried: list[str] = field(default_factory=list)
    lead: str | None = None


class Renderer:
    """Turns a row into sentences whose every label stands in the cited passage."""

    def __init__(self, index: EntityIndex, lexicon: Lexicon, kb: KnowledgeBase) -> None:
        self.index = index
        self.lexicon = lexicon
        self.kb = kb
        self._passages: dict[str, Passage | None] = {}
        self._concepts = _concept_labels(lexicon)
        self._heads = {w.lower() for w in lexicon.words("org-heads")}
        self._possessives = (
            lexicon.words("possessive-pronouns")
            if "possessive-pronouns" in lexicon.scheme_names
            else frozenset()
        )

    def passage(self, iri: str) -> Passage | None:
        if iri not in self._passages:
            pid = passage_id(iri)
            self._passages[iri] = self.kb.passage(pid) if pid else None
        return self._passages[iri]

    def label_in(self, iri: str, text: str) -> str | None:
        """The name of ``iri`` that ``text`` uses (the title too, for a person, when it does)."""
        preferred = self.index.label(iri)
        labels = [
            preferred,
            *sorted(
                (n for n in self.index.labels.get(iri, []) if n != preferred),
                key=lambda n: (-len(n), n),
            ),
        ]
        display = self.index.display(iri)
        if display != preferred and stands_in(display, text):
            return display
        for label in labels:
            if stands_in(label, text):
                title = self.index.titles.get(iri)
                if title and stands_in(f"{title} {label}", text):
                    return f"{title} {label}"
                return label
        return None

    def concept_label(self, iri: str) -> str | None:
        """Ontology concepts and predicates read by their lexicon label (no grounding needed)."""
        return self._concepts.get(iri) or (
            self.index.preferred.get(iri) if iri not in self.index.kinds else None
        )

    def values(self, row: dict[str, Any], text: str) -> tuple[dict[str, str], list[str]]:
        """Each variable of ``row`` as words ``text`` grounds, and the labels that needed it."""
        out: dict[str, str] = {}
        grounded: list[str] = []
        for var, term in row.items():
            if isinstance(term, ox.NamedNode):
                kind = self.index.kinds.get(term.value)
                if kind is not None:
                    label = self.label_in(term.value, text)
                    if label is None:
                        continue
                    if kind in ARTICLE_KINDS and self._wants_article(label):
                        label = "the " + label
                    out[var] = label
                    grounded.append(label)
                else:
                    concept = self.concept_label(term.value)
                    if concept is not None:
                        out[var] = concept
            elif isinstance(term, ox.Literal):
                value = _within(" ".join(term.value.split()), text)
                if value:
                    out[var] = value
                    grounded.append(value)
        return out, grounded

    def _wants_article(self, label: str) -> bool:
        words = label.split()
        if not words or words[0].lower() in {"the", "a", "an"}:
            return False
        if len(words) == 1:
            return words[0].isupper()
        return words[-1].strip(",.").lower() in self._heads or words[0][:1].isupper()

    def say(self, say: Say, values: dict[str, str]) -> tuple[str, set[str]] | None:
        """The first alternative of ``say`` whose slots are filled (and whose guard holds)."""
        for alt in say.alternatives:
            text = self._fill(alt, values)
            if text is not None:
                return text, set(alt.variables)
        return None

    def _possessive(self, template: str, values: dict[str, str]) -> str:
        """ "{kind}: {result}" where the kind says "its" ("agreed its terms of reference"):
        the result's name takes the pronoun's place ("agreed the PSU Steering Group's terms
        of reference") and the colon and its slot go."""
        if not self._possessives:
            return template
        words = "|".join(re.escape(w) for w in sorted(self._possessives, key=len, reverse=True))

        def put(m: re.Match[str]) -> str:
            said, owner = values.get(m.group(1)), values.get(m.group(2))
            if not said or not owner:
                return m.group(0)
            owned = re.sub(rf"\b(?:{words})\b", f"{owner}'s", said, count=1, flags=re.I)
            return m.group(0) if owned == said else owned.replace("{", "(").replace("}", ")")

        return re.sub(r"\{(\w+)\}: \{(\w+)\}", put, template)

    def _fill(self, alt: Alternative, values: dict[str, str]) -> str | None:
        if alt.guard is not None:
            var, scheme = alt.guard
            if var not in values or self.lexicon.entry_for(scheme, values[var]) is None:
                return None

        def optional(m: re.Match[str]) -> str:
            inner = m.group(1)
            return inner if all(v in values for v in _SLOT_RE.findall(inner)) else ""

        text = self._possessive(_OPTIONAL_RE.sub(optional, alt.text), values)
        slots = _SLOT_RE.findall(text)
        if any(v not in values for v in slots):
            return None
        said = [values[v].lower() for v in slots]
        if any(i != j and a in b for i, a in enumerate(said) for j, b in enumerate(said)):
            return None  # one slot already says another: the sentence would repeat itself
        text = _SLOT_RE.sub(lambda m: values[m.group(1)], _article_first(text, values))
        text = " ".join(text.split())
        return text[:1].upper() + text[1:]


def _article_first(template: str, values: dict[str, str]) -> str:
    """ "{place} {post}" with post "the Clinical advisor": the article leads the whole name
    ("the BSOL Clinical advisor"), not the second slot."""

    def move(m: re.Match[str]) -> str:
        first, second = values.get(m.group(1), ""), values.get(m.group(2), "")
        if not second.lower().startswith("the ") or first.lower().startswith("the "):
            return m.group(0)
        return f"the {first} {second[4:]}"

    return re.sub(r"\{(\w+)\} \{(\w+)\}", move, template)


def _within(value: str, text: str) -> str | None:
    """``value`` as ``text`` states it: whole, or (a reply that runs into the next passage)
    its first sentences that this passage holds."""
    if not value or stands_in(value, text):
        return value or None
    for _, end in reversed(sentence_spans(value)[:-1]):
        head = value[:end]
        if len(head) >= 40 and stands_in(head, text):
            return head
    return None


def _concept_labels(lexicon: Lexicon) -> dict[str, str]:
    labels: dict[str, str] = {}
    for scheme in ("predicates", "roles", "decision-verbs", "attendance-status", "plan-elements"):
        if scheme not in lexicon.scheme_names:
            continue
        for entry in lexicon.entries(scheme):
            notation = entry.notation or ""
            key = notation if notation.startswith("http") else entry.iri
            labels[key] = entry.label
    return labels


class GraphSource:
    """Answers from the graph's relations for one store."""

    def __init__(
        self, kb: KnowledgeBase, lexicon: Lexicon, index: EntityIndex, max_relations: int = 3
    ) -> None:
        self.kb = kb
        self.lexicon = lexicon
        self.index = index
        self.max_relations = max_relations
        self.renderer = Renderer(index, lexicon, kb)
        self._documents: dict[str, tuple[str, set[str]]] = {}
        self.dropped: dict[str, int] = {}  # why facts were not kept, for --explain

    def _document(self, doc_id: str) -> tuple[str, set[str]]:
        if doc_id not in self._documents:
            text = self.kb.texts.text(doc_id)
            self._documents[doc_id] = (text, set(stems(text)))
        return self._documents[doc_id]

    def anchors(self, passage_iris: list[str]) -> list[Anchor]:
        """The nodes each retrieved passage gave rise to, in retrieval order."""
        if not passage_iris:
            return []
        values = " ".join(str(ox.NamedNode(i)) for i in passage_iris)
        rows = run_query(
            self.kb,
            f"SELECT DISTINCT ?passage ?e ?type ?earliest ?latest WHERE {{ VALUES ?passage "
            f"{{ {values} }} ?e <{PROV.wasDerivedFrom}> ?passage ; a ?type . "
            f"OPTIONAL {{ ?e <{GOV.earliest}> ?earliest }} OPTIONAL {{ ?e <{GOV.latest}> ?latest }} }}",
        )
        types: dict[tuple[str, str], list[str]] = {}
        bounds: dict[str, tuple[str | None, str | None]] = {}
        for row in rows:
            key = (row["e"].value, row["passage"].value)
            types.setdefault(key, []).append(row["type"].value)
            if "earliest" in row:
                bounds[row["e"].value] = (
                    row["earliest"].value,
                    row["latest"].value if "latest" in row else None,
                )
        order = {iri: n for n, iri in enumerate(passage_iris)}
        out: dict[str, Anchor] = {}
        for (iri, passage), kinds in sorted(types.items(), key=lambda kv: order[kv[0][1]]):
            kind = node_kind(kinds)
            if kind is None or iri in out:
                continue
            earliest, latest = bounds.get(iri, (None, None))
            out[iri] = Anchor(iri, kind, order[passage], earliest, latest)
        return list(out.values())

    def subjects(
        self,
        relation: Relation,
        question: Question,
        anchors: list[Anchor],
        cap: int,
        strong: bool = True,
    ) -> tuple[list[str], str]:
        """The IRIs that fill ``?subject``: what the question names, else what the passages hold."""
        named = [e.iri for e in question.entities_of(relation.subject_kinds)]
        dated = []
        if "period" in relation.subject_kinds:
            # a timeline is read by its dates: those the question gives, else those of the
            # best passages (the steps of a development, the milestones of a plan)
            dated = [
                a.iri
                for a in anchors
                if a.kind == "period"
                and (_overlaps(a, question) if question.periods else a.rank < 2)
            ]
            dated += self.periods_in(question)
        if named or dated:
            return list(dict.fromkeys(dated + named))[:cap], "question"
        if not strong:
            return [], "passages"  # a cue like "for" or "do" needs the question to name the subject
        anchored = [a.iri for a in anchors if a.kind in relation.subject_kinds]
        return list(dict.fromkeys(anchored))[:cap], "passages"

    def periods_in(self, question: Question) -> list[str]:
        """The graph's periods within the question's ("what happened in April 2023"), then
        those that overlap it, shortest first: a timeline step the retrieved passages missed
        is still found by its date."""
        found: dict[str, tuple[bool, str]] = {}
        for period in question.periods:
            first = period.earliest.isoformat()
            last = (period.latest or period.earliest).isoformat()
            rows = run_query(
                self.kb,
                f"SELECT DISTINCT ?p ?e ?l WHERE {{ ?p <{GOV.earliest}> ?e . "
                f"OPTIONAL {{ ?p <{GOV.latest}> ?l }} "
                f'FILTER(STR(?e) <= "{last}" && (!BOUND(?l) || STR(?l) >= "{first}")) }}',
            )
            for row in rows:
                end = row["l"].value if "l" in row else "9999-12-31"
                inside = row["e"].value >= first and end <= last
                key = (not inside, f"{end}|{row['e'].value}")
                if row["p"].value not in found or key < found[row["p"].value]:
                    found[row["p"].value] = key
        return sorted(found, key=lambda iri: found[iri])

    def statements(self, choice: RelationChoice, rows: list[dict[str, Any]]) -> list[Statement]:
        relation = choice.relation
        out: dict[tuple[str, int, str, bool], Statement] = {}
        for row in rows:
            for n, say in enumerate(relation.says):
                made = self._statement(relation, say, row)
                if made is None:
                    continue
                key = (made.text, n, made.passage.passage_id, bool(made.also))
                if key not in out:
                    out[key] = made
        return list(out.values())

    def _statement(self, relation: Relation, say: Say, row: dict[str, Any]) -> Statement | None:
        where = row.get(say.passage)
        if not isinstance(where, ox.NamedNode):
            return None
        passage = self.renderer.passage(where.value)
        if passage is None:
            return None
        more = [
            p
            for v in say.also
            if isinstance(row.get(v), ox.NamedNode) and (p := self.renderer.passage(row[v].value))
        ]
        values, grounded = self.renderer.values(row, passage.text)
        said = self.renderer.say(say, values)
        also: list[Passage] = []
        if said is None and more:
            # a sentence that two passages state together ("GPPSU" in one, its name in another)
            for extra in more:
                joined = f"{passage.text}\n{extra.text}"
                values, grounded = self.renderer.values(row, joined)
                said = self.renderer.say(say, values)
                if said is not None:
                    also = [extra]
                    break
        if said is None:
            return None
        text, slots = said
        used = [values[s] for s in slots if s in values]
        labels = [g for g in grounded if g in used]
        literals = [values[s] for s in slots if isinstance(row.get(s), ox.Literal) and s in values]
        verbatim = any(
            isinstance(row.get(s), ox.Literal) and len(values.get(s, "")) >= 0.6 * len(text)
            for s in slots
        )
        group_var = next((v for v in (relation.group or "").split() if v in row), "subject")
        group = row[group_var].value if group_var in row else ""
        subject = row["subject"].value if "subject" in row else group
        return Statement(
            relation=relation.name,
            group=group,
            subject=subject,
            text=text,
            passage=passage,
            highlight=_highlight(passage, labels, literals, text),
            also=[(p, _highlight(p, labels, literals, text)) for p in also],
            labels=labels,
            verbatim=verbatim,
            facts=self._facts(relation, row, say.passage),
            kinds=_kinds_of(row, self.index, slots | self._lead_slots(relation, values)),
            slots=slots,
            values=values,
            named={
                v: t.value
                for v, t in row.items()
                if v in slots and isinstance(t, ox.NamedNode) and t.value in self.index.kinds
            },
            about="\n".join(
                self.index.label(t.value)
                for v, t in row.items()
                if isinstance(t, ox.NamedNode) and t.value in self.index.kinds and v != "subject"
            ),
        )

    def _lead_slots(self, relation: Relation, values: dict[str, str]) -> set[str]:
        """The variables the relation's lead names, when it can be said for this row."""
        if not relation.lead:
            return set()
        lead = self.renderer.say(Say((Alternative(relation.lead),)), values)
        return lead[1] if lead else set()

    def lead(self, relation: Relation, statements: list[Statement]) -> str | None:
        """The relation's lead ("The Committee:") said with the first statement's values."""
        if not relation.lead or not statements:
            return None
        said = self.renderer.say(Say((Alternative(relation.lead),)), statements[0].values)
        return said[0] if said else None

    def _facts(
        self, relation: Relation, row: dict[str, Any], passage_var: str
    ) -> list[tuple[str, str, str, str, str, str]]:
        out = []
        for pattern in relation.facts:
            if pattern.passage != passage_var:
                continue
            s, o = row.get(pattern.subject), row.get(pattern.object)
            p = (
                row.get(pattern.predicate[1:])
                if pattern.predicate.startswith("?")
                else ox.NamedNode(pattern.predicate)
            )
            if s is None or o is None or p is None:
                continue
            out.append(
                (
                    s.value,
                    self._term_label(s),
                    p.value,
                    self.renderer.concept_label(p.value) or p.value.rsplit("/", 1)[-1],
                    o.value,
                    self._term_label(o),
                )
            )
        return out

    def _term_label(self, term: Any) -> str:
        if isinstance(term, ox.Literal):
            return term.value
        if term.value in self.index.kinds or term.value in self.index.labels:
            return self.index.display(term.value)
        return self.renderer.concept_label(term.value) or term.value.rsplit("/", 1)[-1]

    def query(
        self, choice: RelationChoice, subjects: list[str], passages: list[str] | None = None
    ) -> tuple[str, list[dict[str, Any]]]:
        """The relation's query with its parameters bound (``passages``: the retrieved ones)."""
        values = {"subject": subjects, **choice.params}
        for var, scheme in choice.relation.params:
            if scheme == "retrieved":
                values[var] = passages or []
        sparql = bind(choice.relation.query, values)
        return sparql, run_query(self.kb, sparql)

    def find(
        self, question: Question, passage_iris: list[str], settings: Settings
    ) -> GraphAnswer | None:
        """The best group of facts of the strongest relation that has one, or None."""
        anchors: list[Anchor] | None = None
        tried: list[str] = []
        for choice in question.relations[: settings.answer_max_relations]:
            relation = choice.relation
            if anchors is None and (
                not question.entities_of(relation.subject_kinds)
                or "period" in relation.subject_kinds
            ):
                anchors = self.anchors(passage_iris)
            subjects, how = self.subjects(
                relation,
                question,
                anchors or [],
                settings.answer_entity_candidates * 4,
                choice.strong,
            )
            if not subjects:
                tried.append(f"{relation.name}: nothing to ask about")
                continue
            sparql, rows = self.query(choice, subjects, passage_iris)
            statements = self.statements(choice, rows)
            chosen = self.choose(question, statements, how, passage_iris, settings)
            tried.append(
                f"{relation.name}: {len(rows)} rows, {len(chosen)} facts kept{self._tally()}"
            )
            if not chosen and how == "question" and choice.strong:
                # the names may be another node for the same body: read the passages instead
                anchors = anchors if anchors is not None else self.anchors(passage_iris)
                found = [a.iri for a in anchors if a.kind in relation.subject_kinds]
                if found:
                    sparql, rows = self.query(
                        choice, found[: settings.answer_entity_candidates * 4], passage_iris
                    )
                    statements = self.statements(choice, rows)
                    chosen = self.choose(question, statements, "passages", passage_iris, settings)
                    tried.append(
                        f"{relation.name} (from the passages): {len(rows)} rows, "
                        f"{len(chosen)} facts kept{self._tally()}"
                    )
            if chosen:
                lead = self.lead(relation, chosen)
                return GraphAnswer(relation.name, sparql, chosen, how, tried, lead)
        return GraphAnswer("", "", [], "", tried) if tried else None

    def _drop(self, why: str, n: int = 1) -> None:
        self.dropped[why] = self.dropped.get(why, 0) + n

    def _tally(self) -> str:
        """Why the facts that were not kept were dropped (for ``--explain``)."""
        if not self.dropped:
            return ""
        return " (dropped: " + ", ".join(f"{n} {w}" for w, n in self.dropped.items()) + ")"

    def choose(
        self,
        question: Question,
        statements: list[Statement],
        how: str,
        passage_iris: list[str],
        settings: Settings,
    ) -> list[Statement]:
        """Score every statement that passes the checks; keep the best group."""
        ranks = {passage_id(iri): n for n, iri in enumerate(passage_iris)}
        groups: dict[str, list[Statement]] = {}
        self.dropped = {}
        for st in statements:
            st.checks = ["grounded in its passage"]
            if not answers_the_kind_asked(st, question, self.lexicon, self.index):
                self._drop("not the kind asked")
                continue
            st.checks.append("answers the kind asked")
            if how == "passages" and about_someone_else(st, question, self.index):
                self._drop("about someone else")
                continue
            doc = st.passage.doc_id
            st.topic = on_topic(
                st,
                question,
                self.kb.title(doc),
                self._document,
                how == "passages",
                self._document(doc)[0][: settings.answer_document_subject_chars],
            )
            rank = ranks.get(st.passage.passage_id)
            st.score = (
                st.topic
                + (settings.answer_fact_anchor if how == "question" else 0.0)
                + (settings.answer_fact_rank / (1 + rank) if rank is not None else 0.0)
                - settings.answer_fact_rank * len(st.also)  # one passage that says it all wins
            )
            groups.setdefault(st.group, []).append(st)
        passing = {
            key: group
            for key, group in groups.items()
            if max(st.topic for st in group) >= settings.answer_fact_min_coverage
        }
        for key, group in groups.items():
            if key not in passing:
                self._drop("off the topic", len(group))
        if not passing:
            return []
        # The best score wins; between equals, the narrower group (one question, not the item).
        best = max(passing.values(), key=lambda g: (round(max(s.score for s in g), 6), -len(g)))
        for st in best:
            st.checks.append("on the question's topic")
        top = max(s.score for s in best)
        keep = best if _is_list(question, best) else [s for s in best if s.score >= top - 1e-6]
        keep = _distinct(sorted(keep, key=lambda s: (-len(s.slots), len(s.also), -s.score)))
        keep = sorted(keep, key=lambda s: (s.passage.doc_id, s.highlight[0], s.text))
        return keep[: settings.answer_max_facts]


# ---- named checks on a statement ------------------------------------------------------------


AGENT_KINDS = frozenset({"person", "organisation", "post"})


def answers_the_kind_asked(
    st: Statement, question: Question, lexicon: Lexicon, index: EntityIndex | None = None
) -> bool:
    """A "who" fact names a person, post or body; "when" a date; "how many" a number."""
    asks = question.asks
    if asks in ("agent", "person", "body"):
        own = {e.iri for e in question.entities}
        agents = [
            iri for iri in st.named.values() if index is None or index.kinds.get(iri) in AGENT_KINDS
        ]
        if agents and all(iri in own for iri in agents) and not st.verbatim:
            return False  # "who runs the PSU?" is not answered by what the PSU runs
        return bool(st.kinds & {"person", "organisation", "post"}) or (
            st.verbatim and has_type("agent", st.text, lexicon)
        )
    if asks == "expansion":
        acronym = question.acronym or ""
        return (
            st.relation == "acronym"
            and st.text.upper().startswith(acronym.upper() + " ")
            and expansion_of(acronym, st.text[len(acronym) :]) is not None
        )
    if asks in ("date", "number", "money"):
        return has_type(asks, st.text, lexicon, question.acronym)
    return True


def about_someone_else(st: Statement, question: Question, index: EntityIndex) -> bool:
    """A fact found through the passages that names a body (or person) of the kind the
    question names, but not the question's own, is about someone else."""
    asked = {e.iri for e in question.entities}
    kinds = {e.kind for e in question.entities} & {"organisation", "person"}
    labels = {name_key(v) for e in question.entities for v in index.labels.get(e.iri, [])}
    for iri in st.named.values():
        if (
            index.kinds.get(iri) in kinds
            and iri not in asked
            and not any(name_key(v) in labels for v in index.labels.get(iri, []))
        ):
            return True
    return False


def on_topic(
    st: Statement,
    question: Question,
    title: str,
    document: Callable[[str], tuple[str, set[str]]],
    strict: bool = False,
    subject: str = "",
) -> float:
    """How much of what the question is about (its topic terms) the fact covers: half for its
    own sentence in the passage, half for the passage, its heading and document title; 0 when
    a name the question insists on (a place, a role) is nowhere in the passage."""
    s, e = st.highlight
    sentence = st.passage.text[s - st.passage.start : e - st.passage.start]
    context = f"{title}\n{st.passage.embedding_text}\n{st.text}"
    context_stems = set(stems(context))
    for term in question.required + [t for t in question.terms if t.document]:
        text, text_stems = (
            document(st.passage.doc_id) if term.document else (context, context_stems)
        )
        if not term.matches(text, text_stems):
            return 0.0
    own_text = f"{sentence}\n{st.text}\n{st.about}"
    headed = f"{st.passage.section}\n{own_text}"
    if question.head is not None and not question.head.matches(headed, set(stems(headed))):
        return 0.0  # the fact is not about what is asked of the entity
    own = coverage(question.topic_terms, own_text)
    # the bodies it names may stand anywhere in the passage, the document's title or its
    # opening (a body's own web page names it once, at the top)
    names = [t for t in question.topic_terms if t.entity]
    words = [t for t in question.topic_terms if not t.entity]
    total = sum(t.weight for t in question.topic_terms) or 1.0
    named = sum(t.weight for t in names) * coverage(names, f"{subject}\n{context}")
    if strict:
        # found through the passages: its own sentence must speak to the question
        return (named + sum(t.weight for t in words) * coverage(words, own_text)) / total
    around = (named + sum(t.weight for t in words) * coverage(words, context)) / total
    return 0.5 * own + 0.5 * around


def _kinds_of(row: dict[str, Any], index: EntityIndex, slots: set[str]) -> set[str]:
    return {
        index.kinds[term.value]
        for var, term in row.items()
        if var in slots and isinstance(term, ox.NamedNode) and term.value in index.kinds
    }


def _distinct(statements: list[Statement]) -> list[Statement]:
    """One statement per fact: the same triple from a second passage adds nothing."""
    seen: set[tuple[tuple[str, str, str], ...]] = set()
    out = []
    for st in statements:
        key = tuple(sorted((s, p, o) for s, _, p, _, o, _ in st.facts)) or ((st.text, "", ""),)
        if key in seen:
            continue
        seen.add(key)
        out.append(st)
    return out


def _is_list(question: Question, group: list[Statement]) -> bool:
    """A list question, or a relation whose answer is a list, is answered with the whole group."""
    return (
        question.wants_list
        or question.asks == "list"
        or any(
            "list" in rel.answers
            for rel in [c.relation for c in question.relations]
            if rel.name == group[0].relation
        )
    )


def _overlaps(anchor: Anchor, question: Question) -> bool:
    if anchor.earliest is None:
        return False
    latest = anchor.latest or "9999-12-31"
    return any(
        anchor.earliest <= (p.latest or p.earliest).isoformat() and latest >= p.earliest.isoformat()
        for p in question.periods
    )


def _highlight(
    passage: Passage, labels: list[str], literals: list[str], text: str
) -> tuple[int, int]:
    """The sentence of the passage that states the fact: the one holding most of its labels
    (a verbatim value: exactly where it stands)."""
    for label in sorted(literals, key=len, reverse=True):
        if len(label) >= 0.6 * len(text):
            at = passage.text.find(label)
            if at >= 0:
                return passage.start + at, passage.start + at + len(label)
    best, best_hits = (0, len(passage.text)), -1
    for s, e in sentence_spans(passage.text):
        hits = sum(stands_in(label, passage.text[s:e]) for label in labels)
        if hits > best_hits:
            best, best_hits = (s, e), hits
    return passage.start + best[0], passage.start + best[1]


def reply_to(kb: KnowledgeBase, passage: Passage, sentence: str) -> tuple[Passage, int, int] | None:
    """The recorded reply to a question a sentence states (a sentence that asks is answered by
    what was said back): its passage and the offsets of its first sentences there."""
    iri = str(ox.NamedNode(passage_iri(passage.doc_id, passage.start, passage.end)))
    rows = run_query(
        kb,
        f"SELECT ?qtext ?rtext ?rpassage WHERE {{ ?q a <{SCHEMA.Question}> ; "
        f"<{SCHEMA.text}> ?qtext ; <{PROV.wasDerivedFrom}> {iri} ; "
        f"<{SCHEMA.suggestedAnswer}> ?r . ?r <{SCHEMA.text}> ?rtext ; "
        f"<{PROV.wasDerivedFrom}> ?rpassage }}",
    )
    said = " ".join(sentence.split())
    for row in rows:
        qtext = " ".join(row["qtext"].value.split())
        if not (stands_in(qtext, said) or stands_in(said, qtext)):
            continue
        pid = passage_id(row["rpassage"].value)
        where = kb.passage(pid) if pid else None
        if where is None:
            continue
        reply = _within(" ".join(row["rtext"].value.split()), where.text)
        at = _find_spaced(where.text, reply) if reply else None
        if at is not None:
            return where, where.start + at[0], where.start + at[1]
    return None


def _find_spaced(text: str, value: str) -> tuple[int, int] | None:
    """Where ``value`` stands in ``text`` however the text breaks its lines."""
    pattern = r"\s+".join(re.escape(w) for w in value.split())
    m = re.search(pattern, text)
    return (m.start(), m.end()) if m else None


def facts_of(statement: Statement, n: int) -> list[Fact]:
    return [Fact(s, sl, p, pl, o, ol, n) for s, sl, p, pl, o, ol in statement.facts]


def linked_from(statements: list[Statement], index: EntityIndex) -> list[LinkedEntity]:
    """The entities an answer named: what a follow-up's "she" or "it" may mean."""
    out: dict[str, LinkedEntity] = {}
    for st in statements:
        for _, _, _, _, o, ol in st.facts:
            kind = index.kinds.get(o)
            if kind and o not in out:
                out[o] = LinkedEntity(o, index.label(o), ol, kind)
    return list(out.values())


__all__ = [
    "Anchor",
    "GraphAnswer",
    "GraphSource",
    "Renderer",
    "Statement",
    "facts_of",
    "linked_from",
    "passage_id",
    "reply_to",
    "run_query",
]
