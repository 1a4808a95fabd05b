"""What happened under each agenda item: who presented it, members' questions and the
replies, and the decisions in every published form ("RESOLVED: That…", "RESOLVED – (i)…",
"The Committee: (i) Endorsed…", "Decision: …", "Agreed:", "The Board noted…", the approval
of the previous minutes) and actions ("Action: X to … by …", an action log table).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rdflib import URIRef

from ingest.extract.dates import DateMatch
from ingest.extract.document import DocView
from ingest.extract.records import (
    Action,
    Agent,
    Answer,
    Decision,
    Person,
    Presenter,
    Question,
    Span,
)
from ingest.extract.reference import Entity
from ingest.extract.rules.meeting import MeetingRecord
from ingest.extract.rules.people import Directory, canonical_title, find_titles, is_name, words
from ingest.extract.text import Line, Sentence
from ingest.loaders.clean import NUMBERED_RE
from kg.lexicon import Lexicon
from kg.namespaces import GOVID


@dataclass(frozen=True)
class Lexis:
    presented: re.Pattern[str]
    asked: re.Pattern[str]
    replied: re.Pattern[str]
    members: re.Pattern[str]
    lead_in: re.Pattern[str]
    lead_verb: dict[str, str]
    action: re.Pattern[str]
    columns: dict[str, str]
    minutes: re.Pattern[str]
    deadline: re.Pattern[str]
    verbs: tuple[tuple[re.Pattern[str], URIRef], ...]
    past_verbs: re.Pattern[str]
    reply_opener: re.Pattern[str]
    question_reply: re.Pattern[str]
    report_author: re.Pattern[str]
    presenter_label: re.Pattern[str]
    inline_lead: re.Pattern[str]
    decision_columns: dict[str, str]
    action_heading: re.Pattern[str]


def _alternation(forms: frozenset[str] | set[str]) -> str:
    """Forms as one regex alternation, longest first, spaces matching any whitespace."""
    return "|".join(
        re.escape(f).replace(r"\ ", r"\s+") for f in sorted(forms, key=lambda w: (-len(w), w))
    )


def _with_audiences(forms: frozenset[str], audiences: frozenset[str]) -> re.Pattern[str]:
    """Presentation verbs where the audience written in a form ("took the Board through")
    stands for any audience ("talked Members through", "took the Panel through")."""
    audience = _alternation(audiences)
    split = re.compile(rf"(?<![\w-])(?:{audience})(?![\w-])", re.I)
    alternatives = []
    for form in sorted(forms, key=lambda w: (-len(w), w)):
        pieces = [re.escape(p).replace(r"\ ", r"\s+") for p in split.split(form)]
        alternatives.append(rf"(?:{audience})".join(pieces))
    return re.compile(rf"(?<![\w-])(?:{'|'.join(alternatives)})(?![\w-])", re.I)


@cache
def lexis(lexicon: Lexicon) -> Lexis:
    lead_verb = {
        f.lower(): e.notation or "resolved"
        for e in lexicon.entries("decision-headings")
        for f in e.forms
    }
    heads = "|".join(
        map(
            re.escape,
            sorted(
                {f for e in lexicon.entries("decision-headings") for f in e.forms},
                key=len,
                reverse=True,
            ),
        )
    )
    actions = "|".join(
        map(re.escape, sorted(lexicon.words("action-headings"), key=len, reverse=True))
    )
    verbs = []
    for entry in lexicon.entries("decision-verbs"):
        for form in entry.forms:
            verbs.append((len(form), form, URIRef(entry.iri)))
    verbs.sort(key=lambda v: -v[0])
    past = sorted({e.label for e in lexicon.entries("decision-verbs")}, key=len, reverse=True)
    adverbs = _alternation(lexicon.words("decision-adverbs"))
    capitals = "|".join(
        re.escape(f)
        for f in sorted(
            {f for e in lexicon.entries("decision-headings") for f in e.forms if f.isupper()},
            key=len,
            reverse=True,
        )
    )
    deadline = "|".join(
        map(re.escape, sorted(lexicon.words("deadline-words"), key=len, reverse=True))
    )
    return Lexis(
        presented=_with_audiences(
            lexicon.words("presentation-verbs"), lexicon.words("audience-words")
        ),
        asked=lexicon.pattern("question-verbs"),
        replied=lexicon.pattern("reply-verbs"),
        members=re.compile(
            rf"^(?:{'|'.join(map(re.escape, sorted(lexicon.words('member-words'), key=len, reverse=True)))})\b",
            re.I,
        ),
        lead_in=re.compile(
            rf"^(?P<lead>{heads})\b(?:\s+(?:{adverbs}))?\s*(?:[:–—-]+\s*|\s+(?=[Tt]hat\b|to\b|\())(?P<rest>.*)$|^(?P<lead2>{heads})\s*[:–—-]?\s*$"
        ),
        lead_verb=lead_verb,
        action=re.compile(
            rf"^(?:{actions})\s*(?:\((?P<who>[^)]*)\))?\s*[:–—-]\s*(?P<rest>.+)$", re.I
        ),
        action_heading=re.compile(
            rf"^(?:{actions})(?:\s+(?:agreed|arising|points))?\s*:?\s*$", re.I
        ),
        columns={
            f.lower(): e.notation or ""
            for e in lexicon.entries("action-log-columns")
            for f in e.forms
        },
        minutes=lexicon.pattern("minutes-words"),
        deadline=re.compile(rf"\b(?:{deadline})\s+$", re.I),
        verbs=tuple(
            (re.compile(rf"(?<![\w-]){re.escape(f)}(?![\w-])", re.I), iri) for _, f, iri in verbs
        ),
        past_verbs=re.compile(rf"^(?:{'|'.join(map(re.escape, past))})\b", re.I),
        reply_opener=re.compile(
            rf"^(?:{_alternation(lexicon.words('reply-openers'))})\s*,\s*", re.I
        ),
        question_reply=re.compile(
            rf"^(?:{_alternation(lexicon.words('question-replies'))})\s+", re.I
        ),
        report_author=re.compile(
            rf"^(?:{_alternation(lexicon.words('report-authors'))})\s*:?\s+", re.I
        ),
        presenter_label=re.compile(
            rf"^(?:{_alternation(lexicon.words('presenter-labels'))})\s*:?\s+", re.I
        ),
        decision_columns={
            f.lower(): e.notation or ""
            for e in lexicon.entries("decision-table-columns")
            for f in e.forms
        },
        # a decision heading in capitals inside a sentence: "seconded by X and RESOLVED that"
        inline_lead=re.compile(
            rf"(?<=\s)(?P<lead>{capitals})\b\s*(?:[:–—-]+\s*|\s+(?=that\b|to\b))(?P<rest>.+)$"
        ),
    )


@dataclass
class MinutesRecord:
    presenters: list[Presenter]
    questions: list[Question]
    decisions: list[Decision]
    actions: list[Action]


def extract_minutes(view: DocView, directory: Directory, meeting: MeetingRecord) -> MinutesRecord:
    out = MinutesRecord([], [], [], [])
    lx = lexis(view.lexicon)
    if meeting.meeting is not None:
        for item in meeting.items:
            lines = meeting.item_lines.get(item.position, [])
            out.presenters.extend(_presenters(view, directory, item.position, lines, lx))
            out.questions.extend(_questions(view, directory, item.position, lines, lx))
            out.decisions.extend(_decisions(view, item.position, item.title, lines, lx))
            out.actions.extend(_actions(view, directory, item.position, lines, lx))
        out.actions.extend(_action_log(view, directory, lx))
        out.decisions.extend(_decision_table(view, meeting, lx))
    else:
        out.decisions.extend(_body_decisions(view, None, view.lines, lx, records_only=False))
    return out


# ---- speakers -------------------------------------------------------------------------------


def speaker(view: DocView, directory: Directory, start: int, end: int) -> Agent | None:
    """Who a sentence starts with: a named person (with a post after the name or not), a
    post and the person in brackets, or a post met before ("The Director of Finance")."""
    opener = lexis(view.lexicon).reply_opener.match(view.cased[start:end])
    if opener:  # "In reply, the Director said ..."
        start += opener.end()
    text = view.cased[start:end]
    w = words(view.lexicon)
    named = _post_then_name(view, directory, start, text)
    if named is not None:
        return named
    m = re.match(r"^(?:The\s+)?(?P<post>[^()]{3,80}?)\s*\((?P<name>[^()]+)\)", text)
    if m and find_titles(view.reference, m.group("post")):
        pm = w.person_re.fullmatch(m.group("name").strip())
        if pm and is_name(view, pm):
            return directory.known(pm.group("name")) or directory.person(
                pm.group("name"),
                canonical_title(view, pm.group("title")),
                Span(start + m.start("name"), start + m.end("name")),
            )
    pm = w.person_re.match(text)
    if pm and is_name(view, pm):
        name = pm.group("name")
        known = (
            directory.known(name) or directory.by_surname(name)
            if pm.group("title") and len(name.split()) == 1
            else directory.known(name)
        )
        return known or directory.person(
            name,
            canonical_title(view, pm.group("title")),
            Span(start + pm.start(), start + pm.end()),
        )
    surname = _by_title_and_surname(view, directory, text)
    if surname is not None:
        return surname
    titles = [
        t
        for t in find_titles(view.reference, text, start)
        if re.fullmatch(r"(?:[Tt]he\s+)?(?:[A-Z][\w-]*\s+){0,4}", text[: t.start - start])
    ]
    if titles:
        # the post as written ("the Principal Planning Officer") before its role word alone
        written = re.sub(r"^[Tt]he\s+", "", text[: titles[0].end - start]).strip()
        post = directory.post_titled(written) if written and written != titles[0].title else None
        post = post or directory.post_titled(titles[0].title)
        if post is not None:
            return post  # the post as written; its holder (org:heldBy) is one hop away
        for mention in view.mentions.get(start, []):
            if mention.span.end <= titles[0].start and mention.entity.kind == "org":
                return None
        from ingest.extract.records import Post

        return Post(
            titles[0].title, titles[0].role, Span(titles[0].start, titles[0].end), view.body
        )
    return None


def _by_title_and_surname(view: DocView, directory: Directory, text: str) -> Person | None:
    """ "Ms Reid explained …", "Cllr Ives asked …": a person met earlier, by title and
    surname."""
    tm = words(view.lexicon).titled_re.match(text)
    if tm is None or len(tm.group("name").split()) != 1:
        return None
    return directory.by_surname(tm.group("name"))


def _post_then_name(view: DocView, directory: Directory, start: int, text: str) -> Agent | None:
    """ "The Principal Planning Officer, Ben Ashcroft, introduced …": a post, then the
    person's name between commas."""
    m = re.match(
        r"^(?:[Tt]he\s+)?(?P<post>[A-Z][^,()]{2,80}?),\s+(?P<name>[^,()]{3,60}?)(?:,\s|[.;]?$)",
        text,
    )
    if m is None or not (
        find_titles(view.reference, m.group("post"))
        or re.fullmatch(
            r"[A-Z][\w'-]*(?:\s+(?:of|to|for|and|the|[A-Z][\w'-]*)){0,8}", m.group("post")
        )
    ):
        return None
    pm = words(view.lexicon).person_re.fullmatch(m.group("name").strip())
    if pm is None or not is_name(view, pm):
        return None
    return directory.known(pm.group("name")) or directory.person(
        pm.group("name"),
        canonical_title(view, pm.group("title")),
        Span(start + m.start("name"), start + m.end("name")),
    )


# ---- presenters -------------------------------------------------------------------------------


def _presenters(
    view: DocView, directory: Directory, item: int, lines: list[Line], lx: Lexis
) -> list[Presenter]:
    found: list[Presenter] = []
    authors: list[Presenter] = []  # "Report of the Director of …": used when no one presented
    for line in lines[1:]:
        for sentence in view.sentences_of(line):
            labelled = _labelled(view, directory, sentence, lx)
            if labelled is not None:
                into = found if labelled[0] == "presenter" else authors
                if labelled[1] is not None and not any(_same(p.who, labelled[1]) for p in into):
                    into.append(Presenter(item, labelled[1], Span(sentence.start, sentence.end)))
                continue
            by = _presented_by(view, directory, sentence, lx)
            if by is not None:
                if not any(_same(p.who, by) for p in found):
                    found.append(Presenter(item, by, Span(sentence.start, sentence.end)))
                continue
            invited = _invited(view, directory, sentence, lx)
            if invited is not None:
                if not any(_same(p.who, invited) for p in found):
                    found.append(Presenter(item, invited, Span(sentence.start, sentence.end)))
                continue
            m = lx.presented.search(sentence.text)
            if m is None or m.start() > 160:
                continue
            if lx.members.match(sentence.text) or re.match(
                r"^(?:It|This|That|There|She|He|They)\b", sentence.text
            ):
                continue
            asked = lx.asked.search(sentence.text)
            if asked is not None and asked.start() < m.start():
                continue  # "X asked how ... once triage was introduced": a question
            who = speaker(view, directory, sentence.start, sentence.end)
            if who is None or any(_same(p.who, who) for p in found):
                continue
            found.append(Presenter(item, who, Span(sentence.start, sentence.end)))
    return found[:2] or authors[:1]


def _labelled(
    view: DocView, directory: Directory, sentence: Sentence, lx: Lexis
) -> tuple[str, Agent | None] | None:
    """A line that labels who brings the item: "Presenter: X" (a presenter) or "Report of
    the Director of Transport" (the paper's author)."""
    if len(sentence.text) >= 160:
        return None
    for kind, pattern in (("presenter", lx.presenter_label), ("author", lx.report_author)):
        lead = pattern.match(sentence.text)
        if lead is not None:
            return kind, speaker(view, directory, sentence.start + lead.end(), sentence.end)
    return None


def _presented_by(
    view: DocView, directory: Directory, sentence: Sentence, lx: Lexis
) -> Agent | None:
    """Who an item is brought by when the sentence is passive: "The report was presented
    by X", "Introduced by X", "Members were taken through the report by X"."""
    text = sentence.text
    taken = re.search(
        r"\b(?:was|were|been)\s+(?:taken|talked|walked|guided)\s+through\b[^.;]*?\bby\s+", text
    )
    if taken is not None and taken.start() < 80:  # "Members were taken through it by X"
        return speaker(view, directory, sentence.start + taken.end(), sentence.end)
    m = lx.presented.search(text)
    if m is None or m.start() > 120:
        return None
    by = re.match(r"\s+by\s+", text[m.end() :])
    passive = m.start() == 0 or re.search(r"\b(?:was|were|been|being|is)\s+$", text[: m.start()])
    if by is None or not passive:  # "… was presented by X", "Introduced by X."
        return None
    return speaker(view, directory, sentence.start + m.end() + by.end(), sentence.end)


def _invited(view: DocView, directory: Directory, sentence: Sentence, lx: Lexis) -> Agent | None:
    """ "The Chair invited Carl Dent to introduce the report": the person invited to
    present."""
    m = re.search(r"\b(?:invited|asked|called upon|called on)\s+", sentence.text)
    if m is None or m.start() > 80:
        return None
    rest = sentence.text[m.end() :]
    to = re.search(r"\s+to\s+", rest)
    if to is None or to.start() > 80 or not lx.presented.match(rest[to.end() :]):
        verb = rest[to.end() :] if to else ""
        if not re.match(r"(?:present|introduce|report|update|outline|speak to)\b", verb):
            return None
    return speaker(view, directory, sentence.start + m.end(), sentence.end)


def _same(a: Agent, b: Agent) -> bool:
    return getattr(a, "name", getattr(a, "title", None)) == getattr(
        b, "name", getattr(b, "title", None)
    )


# ---- questions and replies ---------------------------------------------------------------------


def _member_post(view: DocView, start: int, end: int) -> Agent | None:
    """ "A Member queried": a member's post in the body that met."""
    from ingest.extract.records import Post
    from ingest.extract.rules.people import role_of

    got = role_of(view.reference, "member")
    if got is None or view.body is None:
        return None
    return Post(got[1], got[0], Span(start, end), view.body)


def _units(view: DocView, lines: list[Line]) -> list[tuple[int, int, str]]:
    """Sentences (and bullets), each split at semicolons: "Members queried X; the Director
    explained Y" is a question and its reply."""
    units = []
    for line in lines:
        if line.kind == "bullet":
            pieces = [(line.body_start, line.end, line.body)]
        elif line.kind in ("para", "numbered"):
            pieces = [(s.start, s.end, s.text) for s in view.sentences_of(line)]
        else:
            continue
        for start, end, text in pieces:
            # "Q. Jane Holt asked …" / "A: The Director replied …": a label before the unit
            label = re.match(r"^(?:Q|A|Question|Answer|Response|Reply)\s*[.:)–-]\s+", text)
            if label:
                start, text = start + label.end(), text[label.end() :]
            at = 0
            for m in re.finditer(r";\s+", text):
                units.append((start + at, start + m.start() + 1, text[at : m.start() + 1]))
                at = m.end()
            units.append((start + at, end, text[at:]))
    return units


def _question_and_reply(
    view: DocView, directory: Directory, item: int, start: int, end: int, lx: Lexis
) -> Question | None:
    """ "In response to a question from Cllr X about Y, the Director confirmed that Z": a
    question and its answer in one sentence."""
    text = view.cased[start:end]
    lead = lx.question_reply.match(text)
    if lead is None:
        return None
    rest = text[lead.end() :]
    w = words(view.lexicon)
    author: Agent | None = None
    pm = w.person_re.match(rest)
    if pm and is_name(view, pm):
        author = directory.known(pm.group("name")) or directory.person(
            pm.group("name"),
            canonical_title(view, pm.group("title")),
            Span(start + lead.end() + pm.start(), start + lead.end() + pm.end()),
        )
    elif lx.members.match(rest) or re.search(r"(?i)\bmembers\W*\s", lead.group(0)):
        author = _member_post(view, start + lead.end(), end)
    elif not re.search(r"(?i)question|quer|point", lead.group(0)):
        return None  # "In response to the consultation, …" is no question
    # the reply starts at the first comma followed by its speaker and a reply verb
    for comma in re.finditer(r",\s+", rest):
        head = rest[comma.end() : comma.end() + 160]
        if not lx.replied.search(head):
            continue
        at = start + lead.end() + comma.end()
        who = speaker(view, directory, at, end)
        if who is None:
            continue
        question_text = view.text[start : start + lead.end() + comma.start()]
        answer = Answer(view.text[at:end], who, Span(at, end))
        return Question(question_text, Span(start, at), item, author, (answer,))
    return None


def _questions(
    view: DocView, directory: Directory, item: int, lines: list[Line], lx: Lexis
) -> list[Question]:
    questions: list[Question] = []
    current: Question | None = None
    w = words(view.lexicon)
    for start, end, text in _units(view, lines[1:]):
        if text.endswith(":"):
            continue
        head = text[:200]
        both = _question_and_reply(view, directory, item, start, end, lx)
        if both is not None:
            if current is not None:
                questions.append(current)
            questions.append(both)
            current = None
            continue
        asked = lx.asked.search(text)
        member = lx.members.match(text)
        pm = w.person_re.match(view.cased[start:end])
        person_start = pm is not None and is_name(view, pm)
        by_surname = None if person_start else _by_title_and_surname(view, directory, text)
        if asked and (
            member
            or (
                (person_start or by_surname is not None)
                and asked.start() < 120
                and not lx.replied.search(head[: asked.start()])
            )
        ):
            author: Agent | None = None
            if member:
                author = _member_post(view, start, start + len(member.group(0)))
            elif by_surname is not None:
                author = by_surname
            elif person_start and pm is not None:
                author = directory.known(pm.group("name")) or directory.person(
                    pm.group("name"),
                    canonical_title(view, pm.group("title")),
                    Span(start + pm.start(), start + pm.end()),
                )
            if current is not None:
                questions.append(current)
            current = Question(text, Span(start, end), item, author)
            continue
        if current is None or member:
            continue
        reply = lx.replied.search(head[:160])
        if reply is None:
            continue
        who = speaker(view, directory, start, end)
        if who is None:
            continue
        current = Question(current.text, current.span, current.item, current.author,
                           (*current.answers, Answer(text, who, Span(start, end))))  # fmt: skip
    if current is not None:
        questions.append(current)
    return questions


# ---- decisions ------------------------------------------------------------------------------------


def verb_of(view: DocView, text: str, default: str) -> URIRef:
    """The first decision verb in ``text`` (longest form at the earliest place)."""
    lx = lexis(view.lexicon)
    best: tuple[int, int, URIRef] | None = None
    for pattern, iri in lx.verbs:
        m = pattern.search(text)
        if m and (best is None or (m.start(), -(m.end() - m.start())) < best[:2]):
            best = (m.start(), -(m.end() - m.start()), iri)
    return best[2] if best else GOVID[f"decision-verb/{default}"]


def _decisions(
    view: DocView, item: int, title: str, lines: list[Line], lx: Lexis
) -> list[Decision]:
    return _body_decisions(view, item, lines, lx, records_only=True, title=title)


def _body_decisions(
    view: DocView,
    item: int | None,
    lines: list[Line],
    lx: Lexis,
    records_only: bool,
    title: str = "",
) -> list[Decision]:
    out: list[Decision] = []
    body = view.body
    open_block: str | None = None
    open_body: Entity | None = None
    for line in lines:
        text = line.text.strip()
        if line.kind == "heading" and out and open_block is None:
            pass
        lead = lx.lead_in.match(text) if records_only else None
        if lead and not re.match(
            r"^(?:Key decision|Decision[- ]makers?|Decision status|Reasons?)\b", text, re.I
        ):
            word = (lead.group("lead") or lead.group("lead2") or "").lower()
            default = lx.lead_verb.get(word, "resolved")
            rest = (lead.group("rest") or "").strip()
            open_block, open_body = default, body
            that = re.match(r"^That\s+(?:the\s+)?(?P<who>[A-Z][\w ]*?)\s*(?::|$)", rest)
            if that and not re.search(r"\b(?:be|is|are|was|were)\b", rest):
                continue  # "RESOLVED: That the Board" and the decisions follow
            if not rest or rest.rstrip(":").strip().lower() in ("that", ""):
                continue
            for number, part, offset in _numbered_parts(rest):
                start = line.start + line.text.find(rest) + offset
                out.append(
                    _decision(
                        view, item, part, default, number, Span(start, start + len(part)), open_body
                    )
                )
            continue
        colon_body = _body_colon(view, text, lx) if records_only else None
        if colon_body is not None:
            open_body, open_block = colon_body
            continue
        if open_block and (line.kind in ("numbered", "bullet") or NUMBERED_RE.match(text)):
            number, part = _strip_number(text.removeprefix("• "))
            out.append(
                _decision(
                    view, item, part, open_block, number, Span(line.body_start, line.end), open_body
                )
            )
            continue
        if (
            open_block
            and line.kind == "para"
            and re.match(r"^\(?[ivx]+\)|^\(?[a-z]\)|^\(?\d{1,2}\)", text)
        ):
            number, part = _strip_number(text)
            out.append(
                _decision(
                    view, item, part, open_block, number, Span(line.start, line.end), open_body
                )
            )
            continue
        if open_block and line.kind == "para" and re.match(r"^(?:That\s|To\s+[a-z])", text):
            # "Resolved:" as a heading, the decision as the paragraph after it
            for number, part, offset in _numbered_parts(text):
                at = line.start + line.text.find(text) + offset
                out.append(
                    _decision(
                        view, item, part, open_block, number, Span(at, at + len(part)), open_body
                    )
                )
            continue
        open_block = None
        for sentence in view.sentences_of(line):
            found = _inline_lead(sentence, lx, line.body_start) if records_only else None
            if found is not None:
                word, rest, start = found
                out.append(
                    _decision(
                        view,
                        item,
                        rest,
                        lx.lead_verb.get(word, "resolved"),
                        None,
                        Span(start, sentence.end),
                        body,
                    )
                )
                continue
            decision = _narrative_decision(
                view,
                item,
                sentence.start,
                sentence.end,
                lx,
                records_only,
                lines[0] if lines and records_only else None,
            )
            if decision is not None:
                out.append(decision)
    return out


def _inline_lead(sentence: Sentence, lx: Lexis, after: int) -> tuple[str, str, int] | None:
    """(lead word, decision text, where it starts) of a resolution inside a sentence:
    "RESOLVED that …" opening a sentence after the line's own start, or "proposed by X,
    seconded by Y and RESOLVED that …" within one."""
    inline = lx.lead_in.match(sentence.text)
    if inline is not None:
        if not inline.group("rest") or sentence.start <= after:
            return None
        rest = inline.group("rest").strip()
        return (inline.group("lead") or "").lower(), rest, sentence.start + sentence.text.find(rest)
    mid = lx.inline_lead.search(sentence.text)
    if mid is None:
        return None
    return mid.group("lead").lower(), mid.group("rest").strip(), sentence.start + mid.start("rest")


def _numbered_parts(rest: str) -> list[tuple[str | None, str, int]]:
    """ "(i) That A; (ii) That B" → [("i", "That A;", 0), ("ii", ...)]; else the whole."""
    marks = list(re.finditer(r"(?:^|\s)\(([ivx]{1,5}|[a-z]|\d{1,2})\)\s+", rest))
    if not marks:
        # "a) notes …; b) approves …": bare closing brackets only when two or more follow
        bare = list(re.finditer(r"(?:^|(?<=[\s:;]))([ivx]{1,5}|[a-z]|\d{1,2})\)\s+", rest))
        marks = bare if len(bare) >= 2 else []
    if not marks:
        return [(None, rest, 0)]
    parts = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(rest)
        parts.append((m.group(1), rest[m.end() : end].strip(), m.end()))
    return parts


def _strip_number(text: str) -> tuple[str | None, str]:
    m = re.match(r"^\(?([ivxlc]{1,6}|[a-z]|\d{1,3})[.)]\s*", text, re.I)
    if m:
        return m.group(1).lower() if not m.group(1).isdigit() else m.group(1), text[
            m.end() :
        ].strip()
    return None, text


def _body_colon(view: DocView, text: str, lx: Lexis) -> tuple[Entity, str] | None:
    """ "The Committee:" / "That Cabinet" / "The Board RESOLVED:" / "The Panel agreed:"
    opening a list of decisions; the body and the verb the list's items default to."""
    default = "resolved"
    m = re.match(r"^(?:The|That)\s+(?P<who>[A-Z][\w -]{2,60}?)\s+(?P<verb>[A-Za-z]+)\s*:\s*$", text)
    if m is None or not (
        m.group("verb").lower() in lx.lead_verb or lx.past_verbs.fullmatch(m.group("verb"))
    ):
        m = re.match(r"^(?:The|That)\s+(?P<who>[A-Z][\w -]{2,60}?)\s*:?\s*$", text)
    elif m is not None:
        word = m.group("verb").lower()
        if word in lx.lead_verb:
            default = lx.lead_verb[word]
        elif lx.past_verbs.fullmatch(word):
            default = word
    if m is None:
        return None
    if not text.endswith(":") and not text.startswith("That"):
        return None
    orgs = view.orgs_in(m.group("who"))
    if orgs:
        return orgs[0], default
    if view.body is not None and m.group("who").split()[-1].lower() in _meeting_heads(view.lexicon):
        return view.body, default
    return None


def _narrative_decision(
    view: DocView,
    item: int | None,
    start: int,
    end: int,
    lx: Lexis,
    records_only: bool,
    head: Line | None = None,
) -> Decision | None:
    """ "The Board noted the report.", "Cabinet approved …", "The minutes … were agreed"."""
    text = view.text[start:end]
    if (
        lx.minutes.search(text[:25])
        and not re.search(r"\b(?:will|would|shall|should)\b", text)
        and re.search(
            r"\b(?:were|was|be|been)\s+(?:\w+\s+)?(?:approved|agreed|confirmed|accepted|signed|received)",
            text,
        )
    ):
        verb = verb_of(view, re.sub(r"^.*?\b(?:were|was|be|been)\s+", "", text), "approved")
        dates = [d for d in view.dates.get(start, []) if d.period.is_day] or _title_dates(
            view, head
        )
        if view.body is None:
            return None
        return Decision(text, verb, view.body, Span(start, end), item, None, dates[0] if dates else None, True,
                        tuple(view.dates.get(start, [])))  # fmt: skip
    members = lx.members.match(text) if records_only else None
    if members is not None and view.body is not None:
        # "Members agreed to …": the members as a whole, not "A Member" or "Several Members"
        if not re.fullmatch(r"(?:[A-Z][a-z]+\s+)?[Mm]embers|Councillors", members.group(0)) or (
            re.match(r"(?i)(?:several|other|some|many|a|one|two|three)\b", members.group(0))
        ):
            return None
        after = text[members.end() :].lstrip()
        if lx.past_verbs.match(after):
            verb = verb_of(view, after[:40], "resolved")
            return Decision(text, verb, view.body, Span(start, end), item,
                            dates=tuple(view.dates.get(start, [])))  # fmt: skip
        return None
    subject = _subject(view, start, end, lx, records_only)
    if subject is None:
        return None
    entity, at = subject
    after = view.text[at:end].lstrip()
    if not lx.past_verbs.match(after):
        return None
    verb = verb_of(view, after[:40], "resolved")
    verb_end = lx.past_verbs.match(after)
    rest = after[verb_end.end() :] if verb_end else after
    if records_only and lx.minutes.match(re.sub(r"^\s*(?:the\s+)?", "", rest)):
        # "The Board approved the minutes of 13 November 2024 as a true record"
        dates = [d for d in view.dates.get(start, []) if d.period.is_day] or _title_dates(
            view, head
        )
        return Decision(text, verb, entity, Span(start, end), item, None, dates[0] if dates else None, True,
                        tuple(view.dates.get(start, [])))  # fmt: skip
    return Decision(
        text, verb, entity, Span(start, end), item, dates=tuple(view.dates.get(start, []))
    )


def _subject(
    view: DocView, start: int, end: int, lx: Lexis, records_only: bool
) -> tuple[Entity, int] | None:
    """The body a sentence opens with, and where its name ends: a mention of the body
    that met (in minutes) or of any meeting body; or a short form of the body's own name
    ("The Partnership Board", "The Sub-Committee") when no mention was found."""
    heads = _meeting_heads(view.lexicon)
    mentions = [
        m
        for m in view.mentions.get(start, [])
        if m.entity.kind == "org" and m.span.start - start <= 4
    ]
    if mentions:
        subject = mentions[0]
        is_body = view.body is not None and subject.entity.iri == view.body.iri
        if records_only and is_body:
            return subject.entity, subject.span.end
        if not records_only and subject.entity.label.split()[-1].lower() in heads:
            return subject.entity, subject.span.end
    if not records_only or view.body is None:
        return None
    # the longest run of the body's own capitalised words that ends in a head word
    label = {w.lower() for w in re.findall(r"[\w-]+", view.body.label)}
    found: int | None = None
    for m in re.finditer(r"[A-Za-z][\w-]*", view.text[start:end]):
        word = m.group(0)
        if m.start() == 0 and word in ("The", "the"):
            continue
        if not word[0].isupper() or word.lower() not in label:
            break
        if word.lower() in heads:
            found = start + m.end()
    return (view.body, found) if found is not None else None


@cache
def _meeting_heads(lexicon: Lexicon) -> frozenset[str]:
    """Head words of bodies that meet and decide (committee, board, panel, council …)."""
    return lexicon.words("meeting-heads")


def _title_dates(view: DocView, head: Line | None) -> list[DateMatch]:
    """ "Minutes of the meeting held on 7 December 2023": the date an item's title gives."""
    if head is None:
        return []
    for sentence in view.sentences_of(head):
        if True:
            dates = [d for d in view.dates.get(sentence.start, []) if d.period.is_day]
            if (
                dates
                and re.search(r"\bminutes\b", sentence.text, re.I)
                and re.search(r"\bheld\b|\bmeeting\b", sentence.text)
            ):
                return dates
    return []


def _decision(
    view: DocView,
    item: int | None,
    text: str,
    default: str,
    number: str | None,
    span: Span,
    body: Entity | None,
) -> Decision:
    lx = lexis(view.lexicon)
    chosen = body or view.body
    assert chosen is not None
    approves = bool(lx.minutes.search(text[:60])) and bool(
        re.search(r"\b(?:record|approved|agreed|confirmed|signed)\b", text)
    )
    dates = [
        d
        for d in view.dates.get(_sentence_start(view, span.start), [])
        if d.period.is_day and span.start <= d.start < span.end
    ]
    named = tuple(d for s in _sentences_in(view, span.start, span.end)
                  for d in view.dates.get(s.start, []) if span.start <= d.start < span.end)  # fmt: skip
    return Decision(text, verb_of(view, text, default), chosen, span, item, number,
                    dates[0] if approves and dates else None, approves, named)  # fmt: skip


def _sentence_start(view: DocView, at: int) -> int:
    here = view.sentence_at(at)
    return here.start if here is not None else at


# ---- actions --------------------------------------------------------------------------------------


_TO_RE = re.compile(r"^(?P<owner>.{2,80}?)\s+to\s+(?P<task>[a-z].+)$")
_DASH_RE = re.compile(r"^(?P<owner>[^–—:-]{2,60}?)\s+[–—-]\s+(?P<task>[a-z].+)$")
# "(Due: 15 October 2024)", "– due 28 February", "(by 31 May)": a deadline written apart
_LABELLED_DUE_RE = re.compile(
    r"\s*[(\[]?\s*(?:[Dd]ue|DUE|[Dd]eadline|[Tt]arget date)(?:\s*:|\s+by|\s+on)?\s*(?=\d|[A-Z]|end\b)[^)\]]*[)\]]?\.?\s*$"
)


def _actions(
    view: DocView, directory: Directory, item: int, lines: list[Line], lx: Lexis
) -> list[Action]:
    """ "Action: X to … by …" lines, and the list under an "Actions:" heading."""
    out = []
    in_list = False
    for line in lines:
        text = line.text.strip()
        if lx.action_heading.match(text):
            in_list = True
            continue
        if in_list and line.kind in ("bullet", "numbered"):
            body = line.body.strip()
            start = line.body_start + max(0, line.body.find(body))
            action = _action(view, directory, item, body, start, None, None)
            if action is not None and action.owner is not None:
                out.append(action)
                continue
        in_list = False
        for sentence in view.sentences_of(line):
            m = lx.action.match(sentence.text.strip())
            if m is None:
                continue
            rest = m.group("rest").strip()
            start = sentence.start + sentence.text.find(rest)
            who = m.group("who")
            action = _action(
                view,
                directory,
                item,
                rest,
                start,
                who,
                sentence.start + m.start("who") if who else None,
            )
            if action is not None:
                out.append(action)
    return out


def _action(
    view: DocView,
    directory: Directory,
    item: int,
    rest: str,
    start: int,
    who: str | None,
    who_at: int | None,
) -> Action | None:
    """One action: its owner ("X to …", "X – …", or named in brackets), task and due date."""
    owner: Agent | None = None
    task = rest
    to = _TO_RE.match(rest)
    dash = _DASH_RE.match(rest)
    if who and who_at is not None:  # "Action (Carl Dent): circulate …"
        owner = _owner(view, directory, who, who_at)
    elif dash and (got := _owner(view, directory, dash.group("owner"), start)) is not None:
        owner, task = got, dash.group("task")  # "Action: Dr Brian Cole – write to …"
    elif to:
        owner = _owner(view, directory, to.group("owner"), start)
        task = to.group("task")
    task = _LABELLED_DUE_RE.sub("", task)
    if not task.strip():
        return None
    due = _deadline(view, start, start + len(rest))
    return Action(task.rstrip("."), Span(start, start + len(rest)), item, owner, due)


def _sentences_in(view: DocView, start: int, end: int) -> list[Sentence]:
    """The sentences overlapping ``[start, end)``, found by bisection."""
    first = view.sentence_at(start)
    if first is None:
        return []
    i = view.sentences.index(first) if len(view.sentences) < 64 else _index_of(view, first)
    out = []
    for s in view.sentences[i:]:
        if s.start >= end:
            break
        out.append(s)
    return out


def _index_of(view: DocView, sentence: Sentence) -> int:
    import bisect

    view.sentence_at(0)
    return bisect.bisect_left(view._starts, sentence.start)


def _deadline(view: DocView, start: int, end: int) -> DateMatch | None:
    lx = lexis(view.lexicon)
    found = None
    for s in _sentences_in(view, start, end):
        for d in view.dates.get(s.start, []):
            if start <= d.start < end and lx.deadline.search(
                view.text[max(start, d.start - 20) : d.start]
            ):
                found = d
    if found is None:
        for s in _sentences_in(view, start, end):
            dated = [d for d in view.dates.get(s.start, []) if start <= d.start < end]
            if dated:
                found = dated[-1]
    return found


def _owner(view: DocView, directory: Directory, text: str, start: int) -> Agent | None:
    w = words(view.lexicon)
    text = text.strip()
    pm = w.person_re.fullmatch(text) or w.person_re.match(text)
    if pm and is_name(view, pm):
        return directory.known(pm.group("name")) or directory.person(
            pm.group("name"),
            canonical_title(view, pm.group("title")),
            Span(start, start + len(text)),
        )
    titles = find_titles(view.reference, text)
    if titles:
        # the post as written ("the Principal Planning Officer") before its role word alone
        written = re.sub(r"^[Tt]he\s+", "", text[: titles[0].end])
        post = directory.post_titled(written) if written != titles[0].title else None
        post = post or directory.post_titled(titles[0].title)
        if post is not None:
            return post.holder or post
    orgs = view.orgs_in(text)
    return orgs[0] if orgs else None


def _table_rows(
    view: DocView, columns: dict[str, str], needs: set[str], any_of: set[str]
) -> list[tuple[Line, str, dict[str, str]]]:
    """Rows of the tables whose header names the ``needs`` columns and one of ``any_of``
    (header cells read through ``columns``), as (line, its text, field → cell)."""
    out = []
    kinds_now: list[str] | None = None
    for line in view.lines:
        text = line.text.strip()
        if " | " not in text:
            kinds_now = None
            continue
        cells = [c.strip() for c in text.split(" | ")]
        kinds = [columns.get(c.lower().rstrip(":"), "") for c in cells]
        if needs <= set(kinds) and (not any_of or any_of & set(kinds)):
            kinds_now = kinds
            continue
        if kinds_now is None or len(cells) != len(kinds_now):
            continue
        out.append((line, text, dict(zip(kinds_now, cells, strict=True))))
    return out


def _decision_table(view: DocView, meeting: MeetingRecord, lx: Lexis) -> list[Decision]:
    """Rows of a table of decisions ("Item | Decision"), each under the item it names."""
    out: list[Decision] = []
    if view.body is None:
        return out
    for line, text, row in _table_rows(view, lx.decision_columns, {"decision"}, {"item"}):
        decided = row.get("decision", "")
        if len(decided) < 4:
            continue
        item = _item_named(meeting, row.get("item", ""))
        at = line.start + text.rfind(decided)
        out.append(
            Decision(
                decided,
                verb_of(view, decided, "resolved"),
                view.body,
                Span(at, at + len(decided)),
                item,
                dates=tuple(d for d in view.dates_in(line) if d.start >= at),
            )
        )
    return out


def _item_named(meeting: MeetingRecord, cell: str) -> int | None:
    """The agenda item a table cell names by its number ("4", "Item 4", "24/031") or title."""
    wanted = re.sub(r"^(?:agenda\s+)?(?:item|minute)\s+", "", cell.strip(), flags=re.I).lower()
    for item in meeting.items:
        if (item.number or "").lower() == wanted or item.title.lower() == wanted:
            return item.position
    return None


def _action_log(view: DocView, directory: Directory, lx: Lexis) -> list[Action]:
    """Rows of an action log table (Ref | Action | Owner | Due | Status)."""
    out: list[Action] = []
    for line, text, row in _table_rows(view, lx.columns, {"action"}, {"owner", "due"}):
        task = row.get("action")
        if not task:
            continue
        at = line.start
        owner = (
            _owner(view, directory, row["owner"], at + text.find(row["owner"]))
            if row.get("owner")
            else None
        )
        due = None
        if row.get("due"):
            due_at = at + text.rfind(row["due"])
            due = next((d for d in view.dates_in(line) if d.start >= due_at), None)
        out.append(Action(task, Span(line.start, line.end), None, owner, due, row.get("ref")))
    return out


__all__ = ["MinutesRecord", "extract_minutes", "speaker", "verb_of"]
