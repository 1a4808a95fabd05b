"""Bodies and how they relate: set-up and restructuring (org:ChangeEvent), who leads, hosts,
reports to, links with or is part of whom (and from when), a body's composition
("consisted of 12 front-line professionals elected by their peers"), the purposes listed
for it, and the programmes and strategies it runs.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from rdflib import URIRef

from ingest.extract.dates import DateMatch
from ingest.extract.document import DocView
from ingest.extract.records import Change, Mention, Post, Purpose, Relation, Runs, Span
from ingest.extract.reference import Entity
from ingest.extract.rules.people import role_of
from ingest.extract.text import Line, Sentence
from kg.lexicon import Lexicon

_PASSIVE_RE = re.compile(r"\b(?:was|were|been|be|being|is|are|has|have)\s+(?:\w+\s+)?$")
_PURPOSE_RE = re.compile(r"^(?P<label>[A-Z][\w’'&/ -]{2,60}?)\s*[:–-]\s*(?P<text>To\s+\w.+)$")


@dataclass(frozen=True)
class BodyWords:
    change_re: re.Pattern[str]
    relation_re: re.Pattern[str]
    relation_kinds: dict[str, tuple[str, bool]]  # phrase → (kind, passive)
    composition_re: re.Pattern[str]
    list_forms: frozenset[str]
    numbers: dict[str, int]


def _committee_heads(lexicon: Lexicon) -> list[str]:
    """Head words of bodies that sit under another (meeting-heads with notation 0)."""
    return [
        form.lower()
        for entry in lexicon.entries("meeting-heads")
        if entry.notation == "0"
        for form in entry.forms
        if not form.lower().startswith("sub")
    ]


@cache
def body_words(lexicon: Lexicon) -> BodyWords:
    kinds = {
        form.lower(): (entry.notation or "linked-to", form.endswith((" by", " from")))
        for entry in lexicon.entries("relation-phrases")
        for form in entry.forms
    }
    for head in _committee_heads(
        lexicon
    ):  # "a committee of the Board", "a joint committee of A and B"
        for form in (f"a {head} of", f"a joint {head} of", f"a sub-{head} of"):
            kinds.setdefault(form, ("part-of", False))
    phrases = sorted(kinds, key=len, reverse=True)
    comp = sorted(
        {f for e in lexicon.entries("composition-phrases") for f in e.forms}, key=len, reverse=True
    )
    list_forms = frozenset(
        f.lower()
        for e in lexicon.entries("composition-phrases")
        if e.notation == "list"
        for f in e.forms
    )
    numbers = {
        f.lower(): int(e.notation)
        for e in lexicon.entries("number-words")
        for f in e.forms
        if e.notation and e.notation.isdigit()
    }
    return BodyWords(
        change_re=re.compile(
            rf"(?<![\w-])(?P<verb>{'|'.join(map(re.escape, sorted(lexicon.words('change-verbs') | {f for e in lexicon.entries('change-verbs') for f in e.forms}, key=len, reverse=True)))})(?![\w-])"
        ),
        relation_re=re.compile(
            rf"(?<![\w-])(?:{'|'.join(map(re.escape, phrases))})(?![\w-])", re.I
        ),
        relation_kinds=kinds,
        composition_re=re.compile(rf"\b(?P<verb>{'|'.join(map(re.escape, comp))})\s+"),
        list_forms=list_forms,
        numbers=numbers,
    )


@dataclass
class BodiesRecord:
    changes: list[Change]
    relations: list[Relation]
    posts: list[Post]  # composition: a kind of member and how many seats
    purposes: list[Purpose]
    runs: list[Runs]


def extract_bodies(view: DocView) -> BodiesRecord:
    bw = body_words(view.lexicon)
    out = BodiesRecord([], [], [], [], [])
    previous: list[Mention] = []
    titular = _titular(view)
    topic: Mention | None = None
    for index, sentence in enumerate(view.sentences):
        orgs = _orgs(view.mentions.get(sentence.start, []))
        parties = _parties(view, bw, sentence, titular, topic)
        changes, units = _changes(view, bw, index, sentence, parties)
        out.changes.extend(changes)
        out.relations.extend(units)
        out.relations.extend(_relations(view, bw, sentence, parties))
        out.posts.extend(_composition(view, bw, sentence, orgs, previous))
        out.runs.extend(_runs(view, sentence))
        if orgs:
            previous = orgs
        if parties and sentence.line.kind != "heading":
            topic = parties[0]
    out.purposes = _purposes(view)
    return out


def _orgs(mentions: list[Mention]) -> list[Mention]:
    return [m for m in mentions if m.entity.kind == "org"]


_ACTIVITY_KINDS = ("programme", "strategy")
_GENERIC_ACTIVITY_RE = re.compile(
    r"\b(?:[Tt]he|[Tt]his|[Oo]ur)\s+(?P<head>programme|strategy|plan)\b(?!\s+(?:board|team|office|group|manager|lead)\b)"
)
_PRONOUN_RE = re.compile(
    r"(?<![\w’'-])(?:[Ii]t|[Tt](?:he|his)\s+(?:change|move|transfer|arrangement))(?![\w’'-])"
)  # "it", and "the change" (the last sentence's subject is what changed)


def _titular(view: DocView) -> Entity | None:
    """The programme or strategy the document is about: the one its title names."""
    for line in view.lines[:3]:
        for sentence in view.sentences_of(line):
            for m in view.mentions.get(sentence.start, []):
                if m.entity.kind in _ACTIVITY_KINDS:
                    return m.entity
    return None


def _parties(
    view: DocView,
    bw: BodyWords,
    sentence: Sentence,
    titular: Entity | None,
    topic: Mention | None,
) -> list[Mention]:
    """The bodies and activities a sentence names, in order, with its anaphora read:
    "the programme" is the programme the document is about, "it" the last sentence's
    first party, and a capitalised name that acts in a relation ("Hollinsby Voluntary
    Action will host …") a body even where no alias or NER knew it."""
    own = [
        _as_org(view, m) if m.entity.kind == "term" and _acts(bw, sentence, m) else m
        for m in view.mentions.get(sentence.start, [])
        if m.entity.kind in ("org", "term", *_ACTIVITY_KINDS)
    ]
    own = [m for m in own if m.entity.kind != "term"]
    agents = [
        (a, b) for a, b in _agents(view, bw, sentence) if _may_be_body(view, a, b)
    ]  # "the Dunmere PCNs": the whole name, not the generic "PCNs" inside it
    own = [m for m in own if not any(_qualifies(own, m, a, b) for a, b in agents)]
    taken = [(m.span.start, m.span.end) for m in own]
    extra: list[Mention] = []

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in taken)

    if titular is not None:
        for m in _GENERIC_ACTIVITY_RE.finditer(sentence.text):
            start, end = sentence.start + m.start(), sentence.start + m.end()
            if free(start, end) and titular.label.lower().find(m.group("head")) >= 0:
                extra.append(Mention(titular, Span(start, end), m.group(0), "context"))
    if topic is not None:
        for m in _PRONOUN_RE.finditer(sentence.text):
            start, end = sentence.start + m.start(), sentence.start + m.end()
            if free(start, end):
                extra.append(Mention(topic.entity, Span(start, end), m.group(0), "context"))
    for start, end in agents:
        if free(start, end):
            name = view.text[start:end]
            entity = view.home.resolve(name) or view.resolver.learn("org", name, local=True)
            extra.append(Mention(entity, Span(start, end), view.text[start:end], "context"))
    return sorted(own + extra, key=lambda m: m.span.start)


def _qualifies(mentions: list[Mention], mention: Mention, start: int, end: int) -> bool:
    """The name ``start:end`` is ``mention`` qualified by words before it ("Dunmere" in
    "Dunmere PCNs"), and names nothing else."""
    inside = [m for m in mentions if start <= m.span.start and m.span.end <= end]
    return (
        inside == [mention]
        and start < mention.span.start
        and end - mention.span.end <= 1  # "PCN" in "Dunmere PCNs"
    )


def _may_be_body(view: DocView, start: int, end: int) -> bool:
    """Not a post ("the ICB's Chief Digital Officer") nor a person NER found."""
    name = view.text[start:end]
    if re.search(r"[’']s\b", name) or role_of(view.reference, name) is not None:
        return False
    words = name.split()
    if words[0].rstrip(".").lower() in view.lexicon.words("titles"):
        return False  # "Councillor Smith will lead"
    stop = view.lexicon.words("name-stop-words")
    if len([w for w in words if w.lower() not in stop]) < 2:
        return False  # "Each Practice will lead" names no body
    if any(sum(c.isupper() for c in word) >= 2 for word in name.split()):
        return True  # an acronym in it ("Dunmere PCNs") is no person's name
    return not any(
        p.start < end and start < p.end and p.kind == "person" for p in view.people_spans
    )


def _acts(bw: BodyWords, sentence: Sentence, mention: Mention) -> bool:
    """A defined term that hosts, leads or is reported to is a body."""
    at = mention.span.start - sentence.start
    end = mention.span.end - sentence.start
    before = sentence.text[max(0, at - 30) : at]
    after = sentence.text[end : end + 40]
    return bool(
        re.search(r"\bby\s+(?:the\s+)?$", before)
        or bw.relation_re.match(
            re.sub(r"^\s*(?:\([^)]*\)\s*)?,?\s*(?:will|is|also|now)?\s*", "", after)
        )
    )


def _as_org(view: DocView, mention: Mention) -> Mention:
    entity = view.resolver.learn("org", mention.entity.label, mention.entity.acronyms)
    return Mention(entity, mention.span, mention.text, mention.source)


_NAME_RUN = r"(?:[A-Z][\w&’'-]*)(?:\s+(?:and|of|for|&)?\s*[A-Z][\w&’'-]*){1,6}"


def _agents(view: DocView, bw: BodyWords, sentence: Sentence) -> list[tuple[int, int]]:
    """Capitalised names right before an active relation phrase, or right after a
    passive one's "by", that nothing else named."""
    out = []
    for m, _kind, passive in _relation_matches(bw, sentence.text):
        if passive:
            name = re.match(rf"\s+(?:the\s+)?(?P<n>{_NAME_RUN})", sentence.text[m.end() :])
            if name:
                out.append(
                    (
                        sentence.start + m.end() + name.start("n"),
                        sentence.start + m.end() + name.end("n"),
                    )
                )
        else:
            name = re.search(
                rf"(?:^|(?<=[,;]\s)|(?<=\bthe\s)|(?<=\band\s))(?P<n>{_NAME_RUN})\s+(?:(?:will|is|are|also|now|has|have)\s+)*$",
                sentence.text[: m.start()],
            )
            if name:
                out.append((sentence.start + name.start("n"), sentence.start + name.end("n")))
    return out


# ---- change events -----------------------------------------------------------------------------


def _changes(
    view: DocView, bw: BodyWords, index: int, sentence: Sentence, mentions: list[Mention]
) -> tuple[list[Change], list[Relation]]:
    """Change events of a sentence, and the units it says were incorporated into a body."""
    out: list[Change] = []
    units: list[Relation] = []
    last_result: Mention | None = None
    text = sentence.text
    dates = tuple(view.dates.get(sentence.start, []))
    if not dates:
        line_dates = view.dates_in(sentence.line)
        if line_dates and line_dates[0].start == sentence.line.body_start:
            dates = (line_dates[0],)
    fronted = _fronted(view, bw, sentence, mentions, dates)
    if fronted is not None:
        return [fronted], units
    for m in bw.change_re.finditer(text):
        at, end = sentence.start + m.start(), sentence.start + m.end()
        before = [x for x in mentions if x.span.end <= at]
        after = [x for x in mentions if x.span.start >= end]
        passive = bool(_PASSIVE_RE.search(text[: m.start()]))
        actor = result = original = None
        verb = m.group("verb")
        if verb.endswith(" by"):  # "X was replaced by Y": Y results, X is the original
            result = next(
                (x for x in after if x.span.start - end <= 6 and x.entity.kind == "org"), None
            )
            original = before[-1] if before and before[-1].entity.kind == "org" else None
            if result is not None:
                out.append(Change(verb[:-3], result.entity, text, Span(sentence.start, sentence.end),
                                  None, original.entity if original else None, dates))  # fmt: skip
            continue
        if " into " in text[m.end() :] and not passive:
            into = sentence.start + text.index(" into ", m.end())
            original = next((x for x in after if x.span.end <= into), None)
            result = next((x for x in after if x.span.start > into), None)
            actor = before[0] if before else None
            if result is None and original is None and index + 1 < len(view.sentences):
                nxt = _orgs(view.mentions.get(view.sentences[index + 1].start, []))
                for unit in nxt:
                    out.append(
                        Change(
                            verb,
                            unit.entity,
                            text,
                            Span(sentence.start, sentence.end),
                            actor.entity if actor else None,
                            None,
                            dates,
                        )
                    )
                    if actor is not None:
                        units.append(
                            Relation(
                                "unit-of",
                                unit.entity,
                                Span(sentence.start, sentence.end),
                                actor.entity,
                            )
                        )
                continue
        elif passive:
            result = before[-1] if before else None
            replacing = re.match(
                r",?\s*(?:(?:in|on)\s+[^,]*?)?,?\s*(?:replacing|succeeding|taking over from)\s+",
                text[m.end() :],
            )
            if replacing is not None:
                original = next((x for x in after if x.span.start >= end + replacing.end()), None)
            by = re.search(r"\bby\b", text[m.end() :])
            actor = next(
                (
                    x
                    for x in after
                    if by
                    and x.span.start >= end + by.end()
                    and view.text[x.span.end : x.span.end + 2] not in ("’s", "'s")
                ),
                None,
            )  # "by the ICB's Primary Care Commissioning Committee": the committee
        else:
            actor = before[0] if before else None
            near = [
                x
                for x in after
                if re.fullmatch(r"(?:\s+[\w’']+){0,4}\s+", view.text[end : x.span.start])
            ]
            result = near[0] if near else (last_result if not after else None)
        if result is None or result.entity.kind != "org":
            continue  # org:resultingOrganization is a body; a programme's start is an event
        last_result = result
        out.append(Change(verb, result.entity, text, Span(sentence.start, sentence.end),
                          actor.entity if actor and actor.entity.iri != result.entity.iri else None,
                          original.entity if original else None, dates))  # fmt: skip
    return out, units


def _fronted(
    view: DocView,
    bw: BodyWords,
    sentence: Sentence,
    mentions: list[Mention],
    dates: tuple[DateMatch, ...],
) -> Change | None:
    """ "Set up in 2023 by the ICB, the Primary Care Board …": the change verb opens the
    sentence, the body after the first comma is its result, the one after "by" its actor."""
    text = sentence.text
    m = re.match(bw.change_re.pattern, text[:1].lower() + text[1:])
    comma = text.find(", ")
    if m is None or m.start() != 0 or comma < 0:
        return None
    head_end = sentence.start + comma
    result = next((x for x in mentions if x.span.start > head_end and x.entity.kind == "org"), None)
    by = re.search(r"\bby\s+", text[:comma])
    actor = next(
        (
            x
            for x in mentions
            if by
            and sentence.start + by.end() <= x.span.start < head_end
            and x.entity.kind == "org"
        ),
        None,
    )
    if result is None or not re.fullmatch(
        r"\s*(?:the\s+)?", view.text[head_end + 1 : result.span.start]
    ):
        return None
    return Change(m.group("verb"), result.entity, text, Span(sentence.start, sentence.end),
                  actor.entity if actor else None, None, dates)  # fmt: skip


# ---- relations ---------------------------------------------------------------------------------------


_OBJECT_RE = re.compile(
    r"^\s*(?:the\s+|a\s+|an\s+|its\s+|their\s+)?(?P<obj>[\w’'-]+(?:\s+[\w’'-]+){0,5}?)(?=\s+(?:for|from|on|in|at|by|until|to|with|and|which|that|since|during|after|before)\b|[,.;:]|$)"
)


def _relations(
    view: DocView, bw: BodyWords, sentence: Sentence, mentions: list[Mention]
) -> list[Relation]:
    out: list[Relation] = []
    text = sentence.text
    taken: list[tuple[int, int]] = []
    since = _since(view, sentence)
    bodies = [x for x in mentions if x.entity.kind == "org"]
    last_subject: Mention | None = None
    for m, kind, passive in sorted(_relation_matches(bw, text), key=lambda f: f[0].start()):
        if any(s < m.end() and e > m.start() for s, e in taken):
            continue
        taken.append((m.start(), m.end()))
        at, end = sentence.start + m.start(), sentence.start + m.end()
        before = [x for x in mentions if x.span.end <= at]
        after = [x for x in mentions if x.span.start >= end]
        if passive:
            subjects = [x for x in _coordinated_objects(view, after, end, bw) if x in bodies]
            if not subjects:
                continue
            obj = before[-1] if before and _close(view, before[-1].span.end, at) else None
            obj_text = None if obj else _noun_before(view, sentence, m.start())
            if obj is None and obj_text is None:
                continue
            for agent in subjects:  # "receives reports from A and B": A and B report
                out.append(Relation(kind, agent.entity, Span(sentence.start, sentence.end),
                                    obj.entity if obj else None, obj_text, since))  # fmt: skip
            continue
        subject = _subject(view, before, bodies, at, last_subject)
        if subject is None:
            continue
        last_subject = subject
        if kind in ("reports-to", "linked-to", "part-of"):
            for target in _coordinated_objects(view, after, end, bw):
                if target.entity.iri != subject.entity.iri and target.entity.kind == "org":
                    out.append(Relation(kind, subject.entity, Span(sentence.start, sentence.end),
                                        target.entity, None, since))  # fmt: skip
            continue
        near = next((x for x in after if x.span.start - end <= 6), None)
        obj_text = None
        if near is None:
            om = _OBJECT_RE.match(text[m.end() :])
            if om is None:
                continue
            obj_text = re.sub(r"^[\w-]+[’']s\s+", "", om.group("obj").strip())
            if not obj_text or obj_text.lower() in _NOT_OBJECTS:
                continue
        out.append(Relation(kind, subject.entity, Span(sentence.start, sentence.end),
                            near.entity if near else None, obj_text, since))  # fmt: skip
    return out


_NOT_OBJECTS = frozenset({"the", "a", "it", "them", "this", "that", "all", "on", "behalf"})


def _acts_next(view: DocView, bw: BodyWords, mention: Mention) -> bool:
    """The mention opens a clause of its own: a relation phrase follows it."""
    rest = view.text[mention.span.end : mention.span.end + 60]
    aux = re.match(r"\s+(?:(?:will|is|are|also|now|has|have)\s+)*", rest)
    return aux is not None and bw.relation_re.match(rest, aux.end()) is not None


def _subject(
    view: DocView, before: list[Mention], bodies: list[Mention], at: int, last: Mention | None
) -> Mention | None:
    """Who acts: the body just before the phrase; in "X sits within Y and is accountable
    to Z" the second phrase's subject is still X."""
    if before and re.search(r",\s*who\s+(?:\w+\s+)?$", view.text[before[-1].span.end : at]):
        return None  # "… its Managing Director, Dr X, who reports to": a person acts
    if last is not None and before:
        gap = view.text[before[-1].span.end : at]
        if re.fullmatch(
            r"\s*\)?\s*(?:\([^)]*\))?\s*,?\s*and\s+(?:(?:is|are|was|were|will|be|has|have|also|now)\s+)*",
            gap,
        ):
            return last
    own = [x for x in before if x in bodies]
    return own[-1] if own else None


def _coordinated_objects(
    view: DocView, after: list[Mention], end: int, bw: BodyWords | None = None
) -> list[Mention]:
    """ "reports to A and B": A and B; not the bodies named later in the clause
    ("accountable to the ICB through the Place Committee"), nor the subject of the next
    clause ("led by A, and B leads …")."""
    out: list[Mention] = []
    at = end
    for x in after:
        gap = view.text[at : x.span.start]
        if out and not re.fullmatch(r"\s*(?:,|and|or|&|,\s*and)\s*(?:the\s+|its\s+)?", gap):
            break
        if out and bw is not None and _acts_next(view, bw, x):
            break
        if not out and not re.fullmatch(r"\s*(?:(?:the|its|their|both|each|of)\s+)*", gap):
            break
        out.append(x)
        at = x.span.end
    return out


def _relation_matches(bw: BodyWords, text: str) -> list[tuple[re.Match[str], str, bool]]:
    """Every relation phrase in ``text``, longest phrase first (one scan of one pattern)."""
    found = [(m, *bw.relation_kinds[m.group(0).lower()]) for m in bw.relation_re.finditer(text)]
    return sorted(found, key=lambda f: -(f[0].end() - f[0].start()))


def _close(view: DocView, a: int, b: int) -> bool:
    return bool(
        re.fullmatch(
            r"[\s,)]*(?:(?:will|would|is|are|was|were|has|have|had|been|be|also|now|being)\s+)*",
            view.text[a:b],
        )
    )


def _noun_before(view: DocView, sentence: Sentence, at: int) -> str | None:
    """ "the Prevention Board's programme office will be hosted by": the thing hosted."""
    head = sentence.text[:at]
    m = re.search(
        r"(?:^|\b(?:the|a|an|its|their)\s+)(?P<obj>(?:[\w’'-]+\s+){0,4}?[\w-]+)(?:\s+(?:(?:will|would|is|are|was|were|has|have|had|been|be|also|now|being)\s+)+|,\s*)$",
        head,
        re.I,
    )
    if m is None:
        return None
    obj = re.sub(r"^(?:[A-Z][\w -]+?[’']s\s+)", "", m.group("obj")).strip()
    return obj if obj and obj.lower() not in ("it", "this", "that", "they", "which") else None


def _since(view: DocView, sentence: Sentence) -> DateMatch | None:
    """The date a relation starts: after "from", "since", "as of" (lexicon: since-words)."""
    since = _since_re(view.lexicon)
    for d in view.dates.get(sentence.start, []):
        if since.search(view.text[max(sentence.start, d.start - 16) : d.start]):
            return d
    return None


@cache
def _since_re(lexicon: Lexicon) -> re.Pattern[str]:
    words = sorted(lexicon.words("since-words"), key=len, reverse=True)
    return re.compile(rf"\b(?:{'|'.join(map(re.escape, words))})\s+$", re.I)


# ---- composition ---------------------------------------------------------------------------------------


def _composition(
    view: DocView,
    bw: BodyWords,
    sentence: Sentence,
    mentions: list[Mention],
    previous: list[Mention],
) -> list[Post]:
    """ "which consisted of 12 front-line professionals", "It consists of 14 members",
    "membership ... included A, B, C"."""
    m = bw.composition_re.search(sentence.text)
    if m is None:
        return []
    if m.group("verb").lower() in bw.list_forms and not re.search(
        r"\bmembership\b", sentence.text[: m.start()], re.I
    ):
        return []  # "included" lists members only in "the membership ... included"
    at = sentence.start + m.start()
    body_mentions = [x for x in mentions if x.span.end <= at]
    subject = sentence.text[: m.start()].strip()
    org: Entity | None
    if body_mentions:
        org = body_mentions[-1].entity
    elif re.match(r"^(?:It|Its board|Our board|This board|The board)\b", subject, re.I) and (
        previous or view.body
    ):
        org = previous[0].entity if previous else view.body
    else:
        lower = re.match(
            r"^(?:The|the)\s+(?P<b>[a-z][a-z -]{2,40}\b(?:board|group|committee|panel|forum|team))\b",
            subject,
        )
        if lower is None:
            return []
        org = view.resolver.learn("org", lower.group("b"), local=True)
    if org is None:
        return []
    rest = sentence.text[m.end() :].rstrip(".")
    member = role_of(view.reference, "member")
    if member is None:
        return []
    if m.group("verb").lower() in bw.list_forms:
        items = []
        for part in re.split(r",\s*|\s+and\s+", rest):
            if re.match(r"(?:all|which|who|whilst|while|with)\b", part):
                break
            items.append(part)
    else:
        items = [re.split(r",\s*(?:including|of whom|all)\b|:\s", rest)[0]]
    out = []
    offset = sentence.start + m.end()
    for item in (i.strip() for i in items):
        if not item:
            continue
        count_m = re.match(
            rf"^(?P<n>\d+|{'|'.join(sorted(bw.numbers, key=len, reverse=True))})\s+", item, re.I
        )
        seats = (
            (
                int(count_m.group("n"))
                if count_m.group("n").isdigit()
                else bw.numbers.get(count_m.group("n").lower())
            )
            if count_m
            else None
        )
        label = re.split(r",|\s+(?:nominated|elected|appointed|chosen|drawn)\b", item)[0]
        label = label[count_m.end() :] if count_m else label
        label = label.strip()
        if not label:
            continue
        start = view.text.find(item, offset)
        start = start if start >= 0 else offset
        out.append(Post(label[0].upper() + label[1:], member[0], Span(start, start + len(item)), org, None, None,
                        item if item != label else None, seats))  # fmt: skip
    return out


# ---- purposes and programmes -----------------------------------------------------------------------------


def _purposes(view: DocView) -> list[Purpose]:
    out = []
    counts = Counter(
        m.entity.iri for ms in view.mentions.values() for m in ms if m.entity.kind == "org"
    )
    for line in view.lines:
        if line.kind not in ("bullet", "numbered") or "priorit" in line.section.lower():
            continue
        m = _PURPOSE_RE.match(line.body.strip())
        if m is None:
            continue
        body = _body_for(view, line, counts)
        if body is None:
            continue
        out.append(
            Purpose(
                body, m.group("label").strip(), m.group("text").strip(), Span(line.start, line.end)
            )
        )
    return out


def _body_for(view: DocView, line: Line, counts: Counter[URIRef]) -> Entity | None:
    """The body a purpose list is about: named in its heading, else the document's body,
    else the most named body."""
    orgs = view.orgs_in(line.section)
    if orgs:
        return orgs[0]
    if view.body is not None and not view.is_record:
        return view.body
    if not counts:
        return None
    top = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[0][0]
    return view.resolver.current(view.resolver.entities[top])


def _runs(view: DocView, sentence: Sentence) -> list[Runs]:
    if sentence.line.kind == "numbered" or sentence.text.startswith(("A Member", "Members")):
        return []
    out = []
    activities = [
        m
        for m in view.mentions.get(sentence.start, [])
        if m.entity.kind in ("programme", "strategy")
    ]
    if not activities:
        return []
    by_re, run_re = _running(view.lexicon)
    by = by_re.search(sentence.text)  # once per sentence, not once per mention
    names = [(m.span.start - sentence.start, m.span.end - sentence.start) for m in activities]
    running = any(
        not any(a <= r.start() < b for a, b in names) for r in run_re.finditer(sentence.text)
    )  # "Delivery" in "… Care Delivery Plan" is the plan's name, not a verb
    for mention in activities:
        runner = _runner(view, sentence, mention.span.start, by, running)
        if runner is not None:
            out.append(Runs(mention.entity, runner, Span(sentence.start, sentence.end)))
    return out


@cache
def _running(lexicon: Lexicon) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """ "led by X" (the passive forms) and the verbs of running something."""
    entries = lexicon.entries("running-verbs")
    passive = sorted(
        {f for e in entries if e.notation == "by" for f in e.forms}, key=len, reverse=True
    )
    active = sorted(
        {f for e in entries if e.notation != "by" for f in e.forms[1:]}, key=len, reverse=True
    )
    return (
        re.compile(rf"\b(?:{'|'.join(map(re.escape, passive))})\b"),
        re.compile(rf"\b(?:{'|'.join(map(re.escape, active))})\b", re.IGNORECASE),
    )


def _runner(
    view: DocView, sentence: Sentence, at: int, by: re.Match[str] | None, running: bool
) -> Entity | None:
    orgs = [m for m in view.mentions.get(sentence.start, []) if m.entity.kind == "org"]
    if by:
        after = [m for m in orgs if m.span.start >= sentence.start + by.end()]
        if after:
            return after[0].entity
    before = [m for m in orgs if m.span.end <= at and m.source != "context"]
    if before and running:
        return before[0].entity
    if not orgs and running:
        heading = view.orgs_in(sentence.line.section)
        return heading[0] if heading else None
    return None


__all__ = ["BodiesRecord", "extract_bodies"]
