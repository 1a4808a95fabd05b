"""People and posts: "Dr Subeena Suleman (BSol Clinical advisor for access)", "chaired by X",
"Jane Doe, Director of Finance, Example ICB", "the Chief Officer for Primary Care and
Integration, BSOL ICS", "GPPSU managers", "Present: Councillor A (Chair), Councillor B".

A post exists whether or not a holder is named; later references ("The Chief Officer for
Primary Care detailed ...", "The Chairman") resolve to a post already met in the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, SKOS

from ingest.extract.context import Context, Post
from ingest.extract.entities import Mention
from ingest.extract.reference import Entity
from ingest.extract.text import Sentence
from kg.namespaces import entity_iri, slug

TITLES = r"(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Cllr|Councillor|Sir|Dame|Rev|Revd)"
_NAME_WORD = r"[A-Z][a-z’'-]+(?:-[A-Z][a-z]+)?"
_NOT_NAMES = {
    "The", "This", "These", "Chair", "Chairman", "Member", "Members", "Chief", "Director",
    "Officer", "Present", "Apologies", "Minutes", "Report", "Primary", "Care", "Board",
    "Committee", "Council", "Integrated", "Programme", "Strategy", "January", "February",
    "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December", "Item", "Agenda", "Resolved", "Also", "Health", "Birmingham", "Solihull",
}  # fmt: skip
PERSON_RE = re.compile(
    rf"(?:(?P<title>{TITLES})\.?\s+)?(?P<name>{_NAME_WORD}(?:\s+[A-Z]\.)?(?:\s+{_NAME_WORD}){{1,2}})"
)
_CAPSEQ = r"[A-Z][\w’'-]*(?:\s+(?:and\s+|&\s+)?[A-Z][\w’'-]*)*"
_MODIFIERS = r"(?:(?:Deputy|Assistant|Interim|Acting|Associate|Executive|Senior|Joint)\s+)*"


@dataclass(frozen=True)
class TitleMatch:
    start: int
    end: int
    title: str  # canonical, singular
    role: URIRef


def _title_re(ctx: Context) -> re.Pattern[str]:
    return _compile_titles(ctx.reference.roles)


@lru_cache(maxsize=4)
def _compile_titles(roles: tuple[tuple[str, URIRef], ...]) -> re.Pattern[str]:
    labels = [re.escape(label) for label, _ in roles if label != "presenter"]
    return re.compile(
        rf"(?<![\w-])(?i:{_MODIFIERS}(?:{'|'.join(labels)}))(?:s)?(?![\w-])"
        rf"(?:\s+(?:of|for)\s+(?:the\s+)?(?:{_CAPSEQ}|[a-z]+\b))?"
    )


@lru_cache(maxsize=4)
def _role_patterns(
    roles: tuple[tuple[str, URIRef], ...],
) -> tuple[tuple[str, URIRef, re.Pattern[str]], ...]:
    """Each role label (longest first) with one regex for its singular or plural form."""
    return tuple(
        (label, role, re.compile(rf"(?<![\w-]){re.escape(label)}s?(?![\w-])"))
        for label, role in roles
    )


def _role_of(ctx: Context, title: str) -> tuple[URIRef, str] | None:
    """The role a title names (longest role label inside it) and the singular title."""
    lower = title.lower()
    for label, role, pattern in _role_patterns(ctx.reference.roles):
        if label not in lower:
            continue
        at = _first_form(pattern, lower, label)
        if at is not None:
            singular = title[: at[0]] + title[at[0] : at[0] + len(label)] + title[at[1] :]
            preferred = ctx.reference.role_labels.get(role, label)
            if singular.lower() == label and label != preferred.lower():
                singular = preferred
            return role, singular[0].upper() + singular[1:]
    return None


def _first_form(pattern: re.Pattern[str], lower: str, label: str) -> tuple[int, int] | None:
    """Where the singular label stands alone in ``lower``, else where its plural does."""
    matches = list(pattern.finditer(lower))
    for m in matches:
        if m.end() - m.start() == len(label):
            return m.start(), m.end()
    return (matches[0].start(), matches[0].end()) if matches else None


def find_titles(ctx: Context, text: str, offset: int) -> list[TitleMatch]:
    found = []
    for m in _title_re(ctx).finditer(text):
        got = _role_of(ctx, m.group(0))
        if got is not None:
            found.append(TitleMatch(offset + m.start(), offset + m.end(), got[1], got[0]))
    return found


def person(ctx: Context, title: str | None, name: str, start: int, end: int) -> URIRef:
    iri = ctx.node(entity_iri("person", name), (FOAF.Person,), start, end)
    ctx.graph.add((iri, FOAF.name, Literal(name)))
    if title:
        ctx.graph.add((iri, FOAF.title, Literal(title.rstrip("."))))
    return iri


def make_post(
    ctx: Context,
    title: TitleMatch,
    org: Entity | None,
    place: Entity | None,
    holder: URIRef | None = None,
) -> Post:
    scope = org or place
    key = f"{slug(str(scope.iri).rsplit('/', 1)[-1]) if scope else 'any'} {title.title}"
    iri = ctx.node(entity_iri("post", key), (ORG.Post,), title.start, title.end)
    ctx.graph.add((iri, SKOS.prefLabel, Literal(title.title, lang="en")))
    ctx.graph.add((iri, ORG.role, title.role))
    if org is not None:
        ctx.graph.add((iri, ORG.postIn, org.iri))
    elif place is not None:
        ctx.graph.add((iri, DCTERMS.spatial, place.iri))
    if holder is not None:
        ctx.graph.add((iri, ORG.heldBy, holder))
    post = Post(iri, title.title, title.role, org)
    if all(p.iri != iri for p in ctx.posts):
        ctx.posts.append(post)
    return post


def committee_post(ctx: Context, role_label: str, start: int, end: int) -> Post | None:
    """The chair's or a member's post in the committee that met."""
    if ctx.committee is None:
        return None
    got = _role_of(ctx, role_label)
    if got is None:
        return None
    return make_post(ctx, TitleMatch(start, end, got[1], got[0]), ctx.committee, None)


def resolve_post(ctx: Context, text: str, start: int) -> Post | None:
    """A post named at the start of ``text`` ("The Chief Officer for Primary Care ...")."""
    titles = [
        t
        for t in find_titles(ctx, text, start)
        if re.fullmatch(r"(?:[Tt]he\s+)?(?:[A-Z][\w-]*\s+){0,4}", text[: t.start - start])
    ]
    if not titles:
        return None
    wanted = titles[0].title.lower()
    for post in reversed(ctx.posts):
        if post.title.lower().startswith(wanted):
            return post
    if titles[0].role in {_role_of(ctx, "chair")[0], _role_of(ctx, "member")[0]}:  # type: ignore[index]
        return committee_post(ctx, titles[0].title, titles[0].start, titles[0].end)
    return None


def _mention_at(mentions: list[Mention], start: int, end: int) -> Mention | None:
    return next(
        (m for m in mentions if m.start == start or (m.start <= start and m.end >= end)), None
    )


def _scope_from(mentions: list[Mention]) -> tuple[Entity | None, Entity | None]:
    org = next((m.entity for m in mentions if m.entity.kind == "org"), None)
    place = next((m.entity for m in mentions if m.entity.kind == "place"), None)
    return org, place


def _posts_in_sentence(ctx: Context, sentence: Sentence) -> None:
    text, base = ctx.doc.text, sentence.start
    mentions = ctx.mentions.get(sentence.start, [])
    people = [(base + m.start(), base + m.end(), m) for m in PERSON_RE.finditer(sentence.text)]
    people = [p for p in people if _is_name(p[2])]
    for title in find_titles(ctx, sentence.text, base):
        before = text[base : title.start]
        after = text[title.end : sentence.end]
        holder = _holder(ctx, people, title.start)
        org = place = None
        paren = re.search(r"\(([^()]*)$", before)
        if paren:  # "Dr X (BSol Clinical advisor for access)"
            inside = [
                m for m in mentions if m.start >= base + paren.start() and m.end <= title.start
            ]
            org, place = _scope_from(inside)
            if org is None and place is None and ctx.committee is not None:
                org = ctx.committee
        elif (prev := _adjacent_before(mentions, title.start, text)) is not None:
            org = prev.entity if prev.entity.kind == "org" else None
            place = prev.entity if prev.entity.kind == "place" else None
        elif (m := re.match(r",\s*", after)) and (
            nxt := _mention_at(mentions, title.end + m.end(), title.end + m.end() + 1)
        ):
            org, place = _scope_from([nxt])
        if org is None and place is None:
            continue
        holder_iri = person(ctx, *holder) if holder else None
        make_post(ctx, title, org, place, holder_iri)


def _adjacent_before(mentions: list[Mention], start: int, text: str) -> Mention | None:
    for m in mentions:
        gap = text[m.end : start]
        if m.end <= start and re.fullmatch(r"(?:’s|'s)?\s+|\s*&\s*\w+s?\s+", gap or "x"):
            return m
    return None


def _is_name(m: re.Match[str]) -> bool:
    words = m.group("name").split()
    return not any(w.rstrip(".") in _NOT_NAMES for w in words) and (
        m.group("title") is not None or len(words) >= 2
    )


def _holder(
    ctx: Context, people: list[tuple[int, int, re.Match[str]]], at: int
) -> tuple[str | None, str, int, int] | None:
    """The person a title at ``at`` belongs to: "Name, Title" or "Name (Org Title"."""
    for start, end, m in reversed(people):
        if end <= at and re.fullmatch(r"\s*(?:,\s*|\(\s*[^()]*)", ctx.doc.text[end:at]):
            return m.group("title"), m.group("name"), start, end
    return None


def _chaired_by(ctx: Context, sentence: Sentence) -> None:
    for m in re.finditer(
        rf"\bchaired by\s+(?:(?P<title>{TITLES})\.?\s+)?"
        rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}})",
        sentence.text,
    ):
        at = sentence.start + m.start()
        orgs = [x for x in ctx.mentions_in(sentence) if x.end <= at]
        org = orgs[-1].entity if orgs else ctx.committee
        if org is None:
            continue
        who = person(
            ctx,
            m.group("title"),
            m.group("name"),
            sentence.start + m.start("name"),
            sentence.start + m.end(),
        )
        chair = _role_of(ctx, "chair")
        assert chair is not None
        make_post(ctx, TitleMatch(at, sentence.start + m.end(), chair[1], chair[0]), org, None, who)


_ATTENDANCE_RE = re.compile(
    r"^(?P<kind>(?:Members\s+)?Present|In attendance|Also present|Apologies(?: for absence)?)"
    r"\s*:\s*",
    re.IGNORECASE,
)


def _attendance(ctx: Context, sentence: Sentence) -> None:
    """ "Present: Councillor A (Chair), Councillor B": each is a member (or the chair)."""
    m = _ATTENDANCE_RE.match(sentence.text)
    if m is None or ctx.committee is None or not m.group("kind").lower().endswith("present"):
        return
    if m.group("kind").lower().startswith("also"):
        return
    body_start = sentence.start + m.end()
    for item in re.finditer(r"[^,;]+", ctx.doc.text[body_start : sentence.end]):
        start = body_start + item.start()
        who = PERSON_RE.match(item.group(0).strip())
        if who is None or not _is_name(who):
            continue
        lead = len(item.group(0)) - len(item.group(0).lstrip())
        holder = person(
            ctx, who.group("title"), who.group("name"), start + lead, start + lead + who.end()
        )
        role = re.search(r"\(([^()]+)\)", item.group(0))
        label = role.group(1) if role and _role_of(ctx, role.group(1)) else "member"
        post = committee_post(ctx, label, start, body_start + item.end())
        if post is not None:
            ctx.graph.add((post.iri, ORG.heldBy, holder))


_BY_PERSON_RE = re.compile(
    rf"\bby\s+(?P<name>{_NAME_WORD}\s+{_NAME_WORD})(?=\s+(?:in|at|on|and)\b|[,.;])"
)


def _named_by(ctx: Context, sentence: Sentence) -> None:
    """Untitled authors: "set out by Claire Fuller in her review"."""
    mentions = ctx.mentions.get(sentence.start, [])
    for m in _BY_PERSON_RE.finditer(sentence.text):
        start, end = sentence.start + m.start("name"), sentence.start + m.end("name")
        if any(x.start < end and x.end > start for x in mentions):
            continue
        if not any(w in _NOT_NAMES for w in m.group("name").split()):
            person(ctx, None, m.group("name"), start, end)


def extract_posts(ctx: Context) -> None:
    """People, posts and who holds them, in reading order."""
    for sentence in ctx.sentences:
        _named_by(ctx, sentence)
        if sentence.start == sentence.line.body_start:
            resolve_post(ctx, sentence.text, sentence.start)
        _attendance(ctx, sentence)
        _chaired_by(ctx, sentence)
        _posts_in_sentence(ctx, sentence)
