"""Set-up and restructuring (org:ChangeEvent), links between bodies, and composition."""

from __future__ import annotations

import re

from rdflib import Literal
from rdflib.namespace import DCTERMS, ORG, PROV, RDFS

from ingest.extract.context import Context
from ingest.extract.dates import DateMatch
from ingest.extract.entities import Mention
from ingest.extract.people import TitleMatch, make_post
from ingest.extract.text import Sentence
from ingest.extract.timeline import period_node

CHANGE_RE = re.compile(
    r"\b(?P<verb>set up|established|incorporated|created|formed|abolished|merged|dissolved"
    r"|[Ll]ift and shift|nominated (?:its |the )?members|agreed (?:its |the )?terms of reference"
    r"|transferred|restructured|launched)\b"
)
_PASSIVE_RE = re.compile(r"\b(?:was|were|been|be|being|is|are)\s+(?:\w+\s+)?$")
_LINK_RE = re.compile(
    r"\b(?:link(?:s|ed)? (?:with|to)|work(?:s|ing)? closely with|partner(?:s|ed)? with)\b"
)
_REPORT_RE = re.compile(r"\b(?:reports? to|accountable to|reporting to)\b")
_PART_RE = re.compile(r"\b(?:(?:a )?sub-?committee of|(?:is|are) part of)\b")
_COMPOSITION_RE = re.compile(
    r"\b(?:consist(?:s|ed)? of|compris(?:es|ed|ing)|made up of"
    r"|membership of .*? (?:included|includes|include))\s+"
)


def _orgs(mentions: list[Mention]) -> list[Mention]:
    return [m for m in mentions if m.entity.kind == "org"]


def _change_events(ctx: Context, index: int, sentence: Sentence) -> None:
    mentions = _orgs(ctx.mentions.get(sentence.start, []))
    last_result: Mention | None = None
    for m in CHANGE_RE.finditer(sentence.text):
        at, end = sentence.start + m.start(), sentence.start + m.end()
        before = [x for x in mentions if x.end <= at]
        after = [x for x in mentions if x.start >= end]
        passive = bool(_PASSIVE_RE.search(sentence.text[: m.start()]))
        actor = result = original = None
        if " into " in sentence.text[m.end() :] and not passive:
            into = sentence.start + sentence.text.index(" into ", m.end())
            original = next((x for x in after if x.end <= into), None)
            result = next((x for x in after if x.start > into), None)
            actor = before[0] if before else None
            if result is None and original is None and index + 1 < len(ctx.sentences):
                nxt = _orgs(ctx.mentions.get(ctx.sentences[index + 1].start, []))
                for unit in nxt:
                    _event(ctx, sentence, m.group("verb"), unit, actor, None)
                    if actor is not None:
                        ctx.graph.add((unit.entity.iri, ORG.unitOf, actor.entity.iri))
                continue
        elif passive:
            result = before[-1] if before else None
            by = re.search(r"\bby\b", sentence.text[m.end() :])
            actor = next((x for x in after if by and x.start >= end + by.end()), None)
        else:
            actor = before[0] if before else None
            near = [
                x
                for x in after
                if re.fullmatch(r"(?:\s+[\w’']+){0,4}\s+", ctx.doc.text[end : x.start])
            ]
            result = near[0] if near else (last_result if not after else None)
        if result is None:
            continue
        last_result = result
        _event(ctx, sentence, m.group("verb"), result, actor, original)


def _event(
    ctx: Context,
    sentence: Sentence,
    verb: str,
    result: Mention,
    actor: Mention | None,
    original: Mention | None,
) -> None:
    iri = ctx.node(
        ctx.scoped("change", f"{sentence.start}-{verb}-{result.entity.label}"),
        (ORG.ChangeEvent, PROV.Activity),
        sentence.start,
        sentence.end,
    )
    ctx.graph.add((iri, RDFS.label, Literal(f"{verb.lower()}: {result.entity.label}")))
    ctx.graph.add((iri, DCTERMS.description, Literal(sentence.text)))
    ctx.graph.add((iri, ORG.resultingOrganization, result.entity.iri))
    if actor is not None and actor.entity.iri != result.entity.iri:
        ctx.graph.add((iri, PROV.wasAssociatedWith, actor.entity.iri))
    if original is not None:
        ctx.graph.add((iri, ORG.originalOrganization, original.entity.iri))
    dates: list[DateMatch] = ctx.dates.get(sentence.start, [])
    line_dates = [d for s in ctx.sentences_of(sentence.line) for d in ctx.dates.get(s.start, [])]
    entry = line_dates[:1] if line_dates and line_dates[0].start == sentence.line.body_start else []
    for date in dates or entry:
        ctx.graph.add((iri, DCTERMS.temporal, period_node(ctx, date)))


def _relations(ctx: Context, sentence: Sentence) -> None:
    mentions = _orgs(ctx.mentions.get(sentence.start, []))
    for pattern, prop in (
        (_LINK_RE, ORG.linkedTo),
        (_REPORT_RE, ORG.reportsTo),
        (_PART_RE, ORG.subOrganizationOf),
    ):
        for m in pattern.finditer(sentence.text):
            at = sentence.start + m.start()
            subject = [x for x in mentions if x.end <= at]
            if not subject:
                continue
            for target in (x for x in mentions if x.start >= sentence.start + m.end()):
                if target.entity.iri != subject[-1].entity.iri:
                    ctx.graph.add((subject[-1].entity.iri, prop, target.entity.iri))
                    ctx.derive(subject[-1].entity.iri, sentence.start, sentence.end)


def _composition(ctx: Context, sentence: Sentence) -> None:
    """ "which consisted of 12 front-line professionals", "membership ... included A, B, C"."""
    m = _COMPOSITION_RE.search(sentence.text)
    if m is None:
        return
    at = sentence.start + m.start()
    body = [x for x in _orgs(ctx.mentions.get(sentence.start, [])) if x.end <= at or x.anaphor]
    if not body:
        return
    org = body[-1].entity
    rest = sentence.text[m.end() :].rstrip(".")
    member = next(c for label, c in ctx.reference.roles if label == "member")
    if m.group(0).startswith(("consist", "compris", "made")):
        items = [rest]
    else:
        items = []
        for part in re.split(r",\s*|\s+and\s+", rest):
            if re.match(r"(?:all|which|who|whilst|while|with)\b", part):
                break
            items.append(part)
    offset = sentence.start + m.end()
    for item in (i.strip() for i in items):
        if not item:
            continue
        label = re.split(r",|\s+(?:nominated|elected|appointed|chosen|drawn)\b", item)[0]
        label = re.sub(
            r"^(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+",
            "",
            label,
            flags=re.I,
        ).strip()
        start = ctx.doc.text.index(item, offset)
        post = make_post(
            ctx,
            TitleMatch(start, start + len(item), label[0].upper() + label[1:], member),
            org,
            None,
        )
        if item != label:
            ctx.graph.add((post.iri, DCTERMS.description, Literal(item)))


def extract_organisations(ctx: Context) -> None:
    for index, sentence in enumerate(ctx.sentences):
        _change_events(ctx, index, sentence)
        _relations(ctx, sentence)
        _composition(ctx, sentence)


__all__ = ["extract_organisations"]
