"""Minutes: the meeting and the committee that held it, agenda items, presenters, members'
questions and the replies, and each resolution as its own decision (number, verb, text)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, XSD

from ingest.extract.context import Context
from ingest.extract.people import PERSON_RE, _is_name, committee_post, person, resolve_post
from ingest.extract.reference import Entity
from ingest.extract.text import Line
from kg.namespaces import BESLUIT, ELI, GOVID, SCHEMA

_MINUTES_MARKERS = re.compile(r"^(?:RESOLVED\b|Resolved:|Present:|Agenda item$|Minutes of\b)", re.M)
_RESOLVED_RE = re.compile(
    r"^(?:It was\s+)?RESOLVED\b\s*(?:[:–-]\s*)?(?P<rest>.*)$|^Resolved:\s*(?P<rest2>.*)$"
)
_ITEM_RE = re.compile(r"^(?:Item\s+)?(?P<num>\d{1,3})(?:[.:)]|\s)\s*(?P<title>[A-Z].{1,120})$")
_QUESTION_SUBJECT = re.compile(
    r"^(?:A |An |The |One |Several |Other )?"
    r"(?:Members? of the public|Committee members?|Members?|Councillors?|Cllrs?)\b"
)
_QUESTION_VERB = re.compile(
    r"\b(?:quer(?:y|ies|ied)|ask(?:s|ed)?|question(?:s|ed)?|enquired|sought)\b"
)
_ANSWER_VERB = re.compile(
    r"\b(?:detailed|explained|confirmed|replied|responded|advised|stated|said|informed|clarified"
    r"|assured|outlined|reported|added|answered)\b"
)
_PRESENT_RE = re.compile(
    r"\b(?:presented|introduced)\s+(?:the|this|a|an|their|his|her)\s+(?:report|item|paper|update)"
)


@dataclass
class Item:
    position: int
    title: str
    line: Line
    iri: URIRef
    treatment: URIRef
    lines: list[Line] = field(default_factory=list)


def is_minutes(ctx: Context) -> bool:
    return "minute" in ctx.doc.doc_type.lower() or bool(_MINUTES_MARKERS.search(ctx.doc.text))


def _org_only(ctx: Context, text: str) -> Entity | None:
    """The organisation a line consists of ("The Joint Health ... Committee:")."""
    mentions = [m for m in ctx.resolver.find(text) if m.entity.kind == "org"]
    rest = text
    for m in mentions:
        rest = rest.replace(m.text, "")
    if len(mentions) == 1 and re.fullmatch(r"\W*(?:The|the)?\W*", rest):
        return mentions[0].entity
    return None


def detect_committee(ctx: Context) -> tuple[Entity, Line] | None:
    """The committee that met: a resolution preamble, a "Minutes of" line, the publisher."""
    for line in ctx.lines:
        if line.text.endswith(":") and (org := _org_only(ctx, line.text[:-1])):
            return org, line
    for line in ctx.lines[:10]:
        m = re.search(r"\bMinutes of (?:the )?(?:meeting of (?:the )?)?(.+)", line.text, re.I)
        if m:
            orgs = [x for x in ctx.resolver.find(m.group(1)) if x.entity.kind == "org"]
            if orgs:
                return orgs[0].entity, line
    headed = [
        (org, line)
        for line in ctx.lines[:6]
        if line.kind == "heading" and (org := _org_only(ctx, line.body))
    ]
    for heads in ({"Committee", "Board", "Cabinet", "Panel", "Sub-Committee"}, {"Council"}):
        for org, line in headed:
            if org.label.split()[-1] in heads:
                return org, line
    if ctx.doc.publisher:
        orgs = [x for x in ctx.resolver.find(ctx.doc.publisher) if x.entity.kind == "org"]
        if orgs:
            return orgs[-1].entity, ctx.lines[0]
    return None


def _items(ctx: Context) -> list[Item]:
    starts: list[tuple[Line, int, str]] = []
    for i, line in enumerate(ctx.lines):
        body = line.body.strip()
        if body.lower() == "agenda item" and i + 1 < len(ctx.lines):
            starts.append((ctx.lines[i + 1], len(starts) + 1, ctx.lines[i + 1].body))
        elif (
            (m := _ITEM_RE.match(line.text.lstrip("# ")))
            and not body.endswith((".", ";", ":"))
            and len(body.split()) <= 14
        ):
            starts.append((line, int(m.group("num")), m.group("title").strip()))
    if not starts:
        starts = [(ctx.lines[0], 1, ctx.doc.title)]
    items = []
    for line, position, title in starts:
        item = Item(
            position,
            title,
            line,
            ctx.scoped("agenda-item", position),
            ctx.scoped("treatment", position),
        )
        items.append(item)
    for line in ctx.lines:
        owner = [it for it in items if it.line.start <= line.start] or items[:1]
        owner[-1].lines.append(line)
    return items


def _meeting(ctx: Context, committee: Entity, line: Line) -> URIRef:
    meeting = ctx.node(
        ctx.scoped("meeting", 1), (BESLUIT.Zitting, SCHEMA.Event), line.start, line.end
    )
    ctx.graph.add((meeting, BESLUIT.isGehoudenDoor, committee.iri))
    ctx.graph.add((meeting, DCTERMS.title, Literal(f"Meeting of the {committee.label}")))
    for early in ctx.lines[:12]:
        dated = [d for s in ctx.sentences_of(early) for d in ctx.dates.get(s.start, [])]
        day = next((d for d in dated if d.period.is_day), None)
        if day is not None and re.search(r"\b(?:held|meeting|date)\b", early.text, re.I):
            ctx.graph.add((meeting, SCHEMA.startDate, Literal(day.period.start, datatype=XSD.date)))
            ctx.derive(meeting, early.start, early.end)
            break
    else:
        if ctx.doc.issued and len(ctx.doc.issued) == 10:
            ctx.graph.add((meeting, SCHEMA.startDate, Literal(ctx.doc.issued, datatype=XSD.date)))
    return meeting


def _verb(ctx: Context, text: str, default: str) -> URIRef:
    best: tuple[int, URIRef] | None = None
    lower = text.lower()
    for label, concept in ctx.reference.verbs:
        m = re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", lower)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), concept)
    return best[1] if best else GOVID[f"decision-verb/{default}"]


def _decision(
    ctx: Context,
    item: Item,
    committee: Entity,
    line: Line,
    text: str,
    number: str | None,
    k: int,
    default: str,
) -> None:
    iri = ctx.node(
        ctx.scoped("decision", f"{item.position}-{number or k}"),
        (BESLUIT.Besluit,),
        line.start,
        line.end,
    )
    if number:
        ctx.graph.add((iri, ELI.number, Literal(number)))
    ctx.graph.add((iri, DCTERMS.type, _verb(ctx, text, default)))
    ctx.graph.add((iri, PROV.value, Literal(text)))
    ctx.graph.add((iri, ELI.passed_by, committee.iri))
    ctx.graph.add((item.treatment, PROV.generated, iri))


def _decisions(ctx: Context, item: Item, committee: Entity) -> None:
    open_block: str | None = None
    k = 0
    for line in item.lines:
        resolved = _RESOLVED_RE.match(line.text)
        if resolved:
            rest = (resolved.group("rest") or resolved.group("rest2") or "").strip()
            open_block = "resolved"
            if rest and rest.rstrip(":").strip().lower() not in ("that", ""):
                k += 1
                _decision(ctx, item, committee, line, rest, None, k, "resolved")
            continue
        if line.text.endswith(":") and _org_only(ctx, line.text[:-1]) == committee:
            open_block = "agreed"
            continue
        if open_block and line.kind == "numbered":
            k += 1
            _decision(ctx, item, committee, line, line.body.strip(), line.number, k, open_block)
        elif open_block and line.kind != "numbered":
            open_block = None


def _speaker(ctx: Context, text: str, start: int) -> URIRef | None:
    """Who a sentence starts with: a named person or a post met before."""
    who = PERSON_RE.match(text)
    if who and _is_name(who):
        return person(ctx, who.group("title"), who.group("name"), start, start + who.end())
    post = resolve_post(ctx, text, start)
    return post.iri if post else None


def _presenters(ctx: Context, item: Item) -> None:
    for line in item.lines:
        for sentence in ctx.sentences_of(line):
            m = _PRESENT_RE.search(sentence.text)
            if m is None:
                continue
            who = _speaker(ctx, sentence.text, sentence.start)
            if who is not None:
                ctx.graph.add((item.treatment, SCHEMA.performer, who))
                ctx.derive(item.treatment, sentence.start, sentence.end)


def _units(ctx: Context, item: Item) -> list[tuple[int, int, str]]:
    units = []
    for line in item.lines:
        if line.kind == "bullet":
            units.append((line.body_start, line.end, line.body))
        elif line.kind == "para":
            units.extend((s.start, s.end, s.text) for s in ctx.sentences_of(line))
    return units


def _questions(ctx: Context, item: Item, committee: Entity) -> None:
    question: URIRef | None = None
    for start, end, text in _units(ctx, item):
        if text.endswith(":"):
            continue
        if _QUESTION_SUBJECT.match(text) and _QUESTION_VERB.search(text):
            question = ctx.node(ctx.scoped("question", start), (SCHEMA.Question,), start, end)
            ctx.graph.add((question, SCHEMA.text, Literal(text)))
            ctx.graph.add((question, SCHEMA.about, item.iri))
            author = _question_author(ctx, text, start)
            if author is not None:
                ctx.graph.add((question, SCHEMA.author, author))
            continue
        if question is None or not _ANSWER_VERB.search(text[:160]) or _QUESTION_SUBJECT.match(text):
            continue
        who = _speaker(ctx, text, start)
        if who is None:
            continue
        answer = ctx.node(ctx.scoped("answer", start), (SCHEMA.Answer,), start, end)
        ctx.graph.add((answer, SCHEMA.text, Literal(text)))
        ctx.graph.add((answer, SCHEMA.author, who))
        ctx.graph.add((question, SCHEMA.suggestedAnswer, answer))


def _question_author(ctx: Context, text: str, start: int) -> URIRef | None:
    who = PERSON_RE.match(text)
    if who and who.group("title") and _is_name(who):
        return person(ctx, who.group("title"), who.group("name"), start, start + who.end())
    post = committee_post(ctx, "member", start, start + len(text.split()[0]))
    return post.iri if post else None


def extract_minutes(ctx: Context) -> None:
    if ctx.committee is None or not is_minutes(ctx):
        return
    committee = ctx.committee
    meeting = _meeting(ctx, committee, ctx.committee_line or ctx.lines[0])
    for item in _items(ctx):
        ctx.node(item.iri, (BESLUIT.Agendapunt,), item.line.start, item.line.end)
        ctx.graph.add((item.iri, DCTERMS.title, Literal(item.title)))
        ctx.graph.add((item.iri, SCHEMA.position, Literal(item.position)))
        ctx.graph.add((meeting, BESLUIT.behandelt, item.iri))
        ctx.node(
            item.treatment, (BESLUIT.BehandelingVanAgendapunt,), item.line.start, item.line.end
        )
        ctx.graph.add((item.treatment, DCTERMS.subject, item.iri))
        _presenters(ctx, item)
        _decisions(ctx, item, committee)
        _questions(ctx, item, committee)


__all__ = ["detect_committee", "extract_minutes", "is_minutes"]
