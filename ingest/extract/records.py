"""The typed records extraction rules return, each with the span of text it came from.

A rule reads the document and returns records; it never writes RDF. ``to_rdf`` turns the
records of a document into triples (one place that mirrors ``ontology/shapes.ttl``), and
every record's ``span`` becomes the fact's ``prov:wasDerivedFrom`` passage. Records refer
to each other by value (an :class:`Item` key, a :class:`Person`), never through a graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from ingest.extract.dates import DateMatch
from ingest.extract.reference import Entity


@dataclass(frozen=True)
class Span:
    """``[start, end)`` in the document's text: the evidence of a record."""

    start: int
    end: int


@dataclass(frozen=True)
class Person:
    name: str
    title: str | None
    span: Span


@dataclass(frozen=True)
class Post:
    """A post ("Director of Finance") in a body or a place, held by a person or not."""

    title: str
    role: URIRef
    span: Span
    org: Entity | None = None
    place: Entity | None = None
    holder: Person | None = None
    description: str | None = None
    seats: int | None = None  # how many people hold posts of this kind ("12 professionals")


Agent = Person | Post | Entity  # who presents, asks, replies or owns an action


@dataclass(frozen=True)
class Mention:
    """A name of an organisation, programme, strategy or place, resolved to its entity."""

    entity: Entity
    span: Span
    text: str
    source: str = "rule"  # rule | ner | context (a generic "the ICB" resolved in context)


@dataclass(frozen=True)
class Acronym:
    entity: Entity
    acronym: str
    span: Span


@dataclass(frozen=True)
class Meeting:
    body: Entity
    span: Span
    date: DateMatch | None = None
    time: str | None = None  # "14:00"
    venue: str | None = None


@dataclass(frozen=True)
class Attendance:
    person: Person
    status: str  # present | in-attendance | apologies
    span: Span
    role: URIRef | None = None  # chair, vice-chair ... (gov:Roles)
    post: str | None = None


@dataclass(frozen=True)
class Item:
    """An agenda item: ``position`` orders them, ``number`` is as printed ("4a", "12/24")."""

    position: int
    title: str
    span: Span
    number: str | None = None

    @property
    def key(self) -> int:
        return self.position


@dataclass(frozen=True)
class Declaration:
    span: Span
    text: str  # "none" when the minutes record that there were none
    person: Person | None = None
    item: int | None = None


@dataclass(frozen=True)
class Presenter:
    item: int
    who: Agent
    span: Span


@dataclass(frozen=True)
class Decision:
    text: str
    verb: URIRef
    body: Entity
    span: Span
    item: int | None = None
    number: str | None = None
    approves_minutes_of: DateMatch | None = None  # the previous meeting whose minutes
    is_minutes_approval: bool = False
    dates: tuple[DateMatch, ...] = ()  # dates the decision names ("an update in January 2025")


@dataclass(frozen=True)
class Action:
    text: str
    span: Span
    item: int | None = None
    owner: Agent | None = None
    due: DateMatch | None = None
    reference: str | None = None  # "24/14" in an action log


@dataclass(frozen=True)
class Answer:
    text: str
    author: Agent
    span: Span


@dataclass(frozen=True)
class Question:
    text: str
    span: Span
    item: int | None = None
    author: Agent | None = None
    answers: tuple[Answer, ...] = ()


@dataclass(frozen=True)
class Priority:
    """A numbered priority, ambition, enabler, objective or recommendation of a plan."""

    kind: str  # a gov:PlanElementKinds notation: priority, ambition, enabler, recommendation
    text: str
    span: Span
    number: str | None = None
    lead: Entity | None = None


@dataclass(frozen=True)
class Target:
    text: str
    span: Span
    quantity: str | None = None  # as written: "two", "8%", "60"
    money: str | None = None  # as written: "£1.2m"
    deadline: DateMatch | None = None
    priority: Priority | None = None


@dataclass(frozen=True)
class Change:
    """Set-up and restructuring: "X set up Y in June 2023" (org:ChangeEvent)."""

    verb: str
    result: Entity
    text: str
    span: Span
    actor: Entity | None = None
    original: Entity | None = None
    dates: tuple[DateMatch, ...] = ()


@dataclass(frozen=True)
class Relation:
    """A link between bodies: leads, hosts, reports-to, linked-to, part-of, unit-of."""

    kind: str
    subject: Entity
    span: Span
    object: Entity | None = None
    object_text: str | None = None  # what is led or hosted when it is no body ("the hubs")
    since: DateMatch | None = None


@dataclass(frozen=True)
class Purpose:
    body: Entity
    label: str
    text: str
    span: Span


@dataclass(frozen=True)
class Runs:
    """A programme or strategy and the body that runs it (prov:wasAssociatedWith)."""

    activity: Entity
    runner: Entity
    span: Span


@dataclass(frozen=True)
class Event:
    """A dated sentence or timeline entry."""

    label: str
    span: Span
    dates: tuple[DateMatch, ...]
    related: tuple[Entity, ...] = ()


@dataclass
class Extraction:
    """Everything extracted from one document, by kind, in reading order."""

    mentions: list[Mention] = field(default_factory=list)
    acronyms: list[Acronym] = field(default_factory=list)
    variants: dict[URIRef, set[str]] = field(default_factory=dict)  # other spellings seen
    people: list[Person] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    meeting: Meeting | None = None
    attendance: list[Attendance] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)
    presenters: list[Presenter] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    priorities: list[Priority] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    purposes: list[Purpose] = field(default_factory=list)
    runs: list[Runs] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    plan: Entity | None = None  # the strategy or report the priorities belong to
    plan_title: str | None = None


__all__ = [
    "Acronym",
    "Action",
    "Agent",
    "Answer",
    "Attendance",
    "Change",
    "Decision",
    "Declaration",
    "Event",
    "Extraction",
    "Item",
    "Meeting",
    "Mention",
    "Person",
    "Post",
    "Presenter",
    "Priority",
    "Purpose",
    "Question",
    "Relation",
    "Runs",
    "Span",
    "Target",
]
