"""Who attended a meeting and how: present, in attendance, apologies, each with the post
and organisation written beside the name and the role in the meeting (Chair, Vice-Chair,
"in the Chair"), from every layout minutes use: "Present: A (Chair), B; C", a heading over
one person a line, "Councillors A (Chair), B and C", an attendance table (a status column,
or Name | Role | Organisation under a heading), "Apologies for absence were received from A
and B".

Runs after :mod:`~ingest.extract.rules.meeting` found the meeting and where its front
matter ends; posts found here join the document's :class:`Directory`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from rdflib import URIRef

from ingest.extract.document import DocView
from ingest.extract.records import Attendance, Person, Post, Span
from ingest.extract.reference import Entity
from ingest.extract.rules.people import (
    Directory,
    canonical_title,
    find_titles,
    is_name,
    role_of,
    words,
)
from kg.lexicon import Lexicon


@cache
def attendance_headings(lexicon: Lexicon) -> tuple[re.Pattern[str], dict[str, str]]:
    kinds: dict[str, str] = {}
    for entry in lexicon.entries("attendance-headings"):
        for form in entry.forms:
            kinds[form.lower()] = entry.notation or "present"
    alternation = "|".join(map(re.escape, sorted(kinds, key=len, reverse=True)))
    return (
        re.compile(
            rf"(?:(?<=^)|(?<=[.;)]\s)|(?<=\s\s))(?P<h>{alternation})\s*(?::|$|\s*[-–—]\s)",
            re.IGNORECASE | re.MULTILINE,
        ),
        kinds,
    )


@dataclass
class AttendanceRecord:
    attendance: list[Attendance] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)  # chair, vice-chair and member posts


def extract_attendance(view: DocView, directory: Directory, limit: int) -> AttendanceRecord:
    """Attendance of the meeting whose front matter ends at ``limit``."""
    record = AttendanceRecord()
    if view.body is None or not view.is_record:
        return record
    _attendance(view, directory, record, limit)
    return record


# ---- attendance ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    text: str
    start: int
    status: str
    councillor: bool = False  # a lone surname in a "Councillors …" list


def _blocks(view: DocView, limit: int) -> list[_Entry]:
    """Attendance entries: from "Present: A; B", a heading followed by list lines, an
    attendance table (a status column), or "Apologies were received from A and B"."""
    pattern, kinds = attendance_headings(view.lexicon)
    text = view.text
    entries: list[_Entry] = []
    heads = [m for m in pattern.finditer(text[:limit])]
    for i, m in enumerate(heads):
        status = kinds[m.group("h").lower()]
        stop = heads[i + 1].start() if i + 1 < len(heads) else limit
        block_start = m.end()
        body = text[block_start:stop]
        entries.extend(_split_block(view, body, block_start, status))
    for m in re.finditer(
        r"[Aa]pologies (?:for absence )?(?:were|had been|was) (?:received|noted|given|submitted)(?: and (?:accepted|noted|approved))? (?:from|on behalf of|for) (?P<rest>[^.\n]+)",
        text,
    ):
        entries.extend(_split_block(view, m.group("rest"), m.start("rest"), "apologies"))
    entries.extend(_table_entries(view, kinds, limit))
    return entries


def _split_block(view: DocView, body: str, offset: int, status: str) -> list[_Entry]:
    """One entry per person: lines of a list, or parts between semicolons, or commas."""
    # the block ends at a blank line or at a line that starts something else
    parts = re.split(r"\n\s*\n", body, maxsplit=1)
    body = parts[0]
    if re.fullmatch(r"\s*(?:none|nil|no apologies.*|n/?a)\.?\s*", body, re.I):
        return []
    lines = [m for m in re.finditer(r"[^\n]+", body)]
    pieces: list[tuple[int, str]] = []
    if ";" in body:
        pieces = [(m.start(), m.group(0)) for m in re.finditer(r"[^;]+", body.replace("\n", " "))]
    elif len(lines) > 1:
        w = words(view.lexicon)
        for m in lines:
            line = m.group(0).strip()
            clean = line.removeprefix("• ").strip()
            pm = w.person_re.match(clean)
            starts_person = pm is not None and is_name(view, pm) and pm.start() == 0
            wrapped = bool(pieces) and pieces[-1][1].rstrip().endswith(",")  # a list goes on
            if (
                pieces
                and (wrapped or not starts_person)
                and not clean.startswith(("Councillors", "Cllrs"))
            ):
                at = pieces[-1][0]
                pieces[-1] = (at, body[at : m.end()])  # as written: offsets stay true
            else:
                pieces.append((m.start() + (len(m.group(0)) - len(m.group(0).lstrip())), clean))
    else:
        pieces = [(0, body)]
    out = []
    for at, piece in pieces:
        for sub_at, sub, councillor in _comma_split(view, piece):
            if sub.strip():
                lead = len(sub) - len(sub.lstrip())
                out.append(_Entry(sub.strip(), offset + at + sub_at + lead, status, councillor))
    return out


_SURNAME_RE = re.compile(r"^(?P<name>[A-Z][a-z]*[’']?[A-Z]?[a-z’'-]+)(?:\s*\([^()]*\))?$")


def _comma_split(view: DocView, piece: str) -> list[tuple[int, str, bool]]:
    """Split "Councillor A (Chair), Councillor B, Councillors C, D and E" into people; a
    part that is no person ("Medical Director", "NHS X ICB") stays with the one before.
    After "Councillors", a lone surname is a person ("Councillors Ahmed (Chair), Brooks
    and Chen")."""
    parts: list[tuple[int, str]] = []
    in_run: set[int] = set()  # parts that name a councillor of a "Councillors …" list
    run = False
    for m in re.finditer(r"[^,]+", piece):
        part = m.group(0)
        stripped = part.strip()
        run = run or bool(re.match(r"^(?:Councillors|Cllrs)\s", stripped))
        subparts = [(m.start(), part)]
        if " and " in stripped:
            split = []
            at = 0
            for chunk in re.split(r"(\s+and\s+)", part):
                if chunk.strip() and not re.fullmatch(r"\s+and\s+", chunk):
                    split.append((m.start() + at, chunk))
                at += len(chunk)
            if all(
                _starts_person(view, s.strip()) or (run and _lone_surname(view, s))
                for _, s in split
            ):
                subparts = split
        for at, sub in subparts:
            s = sub.strip()
            if parts and not (
                _starts_person(view, s)
                or s.startswith(("Councillors", "Cllrs"))
                or (run and _lone_surname(view, s))
            ):
                p_at, prev = parts[-1]
                parts[-1] = (p_at, prev + "," + sub)
            else:
                parts.append((at, sub))
                if run and (_lone_surname(view, s) or _untitled_person(view, s)):
                    in_run.add(at)
        if run and not all(
            _lone_surname(view, s.strip())
            or _untitled_person(view, s.strip())
            or s.strip().startswith(("Councillors", "Cllrs"))
            for _, s in subparts
        ):
            run = False
    return [(at, sub, at in in_run) for at, sub in parts]


def _untitled_person(view: DocView, text: str) -> bool:
    """A name with no title of its own: in a "Councillors …" list, another councillor."""
    pm = words(view.lexicon).person_re.match(text)
    return pm is not None and pm.start() == 0 and pm.group("title") is None and is_name(view, pm)


def _lone_surname(view: DocView, text: str) -> bool:
    m = _SURNAME_RE.match(text.strip())
    if m is None:
        return False
    name = m.group("name")
    w = words(view.lexicon)
    return (
        name not in w.not_names
        and name.lower() not in w.not_names
        and not find_titles(view.reference, name)
    )


def _starts_person(view: DocView, text: str) -> bool:
    w = words(view.lexicon)
    text = text.removeprefix("• ").strip()
    if re.match(r"^(?:Councillors|Cllrs)\s", text):
        return True
    pm = w.person_re.match(text)
    if pm is None or pm.start() != 0 or not is_name(view, pm):
        # "Chair (Sir Robert Hale)": a post with the name in brackets
        return bool(
            re.match(
                r"^[^()]{2,60}\((?:Dr|Mr|Mrs|Ms|Miss|Mx|Sir|Dame|Professor|Prof|Councillor|Cllr)?\s*[A-Z][a-z]+\s+[A-Z]",
                text,
            )
        )
    if find_titles(view.reference, pm.group("name")):
        return False
    name = pm.group("name").lower()
    # "Pennock North PCN": the start of an organisation's name, not a person's
    return not view.orgs_in(pm.group(0)) and not any(
        o.label.lower().startswith(name) for o in view.orgs_in(text)
    )


def _table_entries(view: DocView, kinds: dict[str, str], limit: int) -> list[_Entry]:
    """Rows of an attendance table: "Name | Title | Role" under a heading, or a row whose
    last cell is a status ("Present", "Apologies")."""
    out: list[_Entry] = []
    current: str | None = None
    for line in view.lines:
        if line.start >= limit:
            break
        text = line.text.strip()
        head = text.rstrip(":").lower()
        if head in kinds:
            current = kinds[head]
            continue
        if " | " not in text:
            if line.kind == "heading" or (text.endswith(":") and head not in kinds):
                current = None
            continue
        cells = [c.strip() for c in text.split(" | ")]
        if cells[0].lower() in ("name", "attendee", "member", "members", "present"):
            continue
        status = kinds.get(cells[-1].lower())
        if status is not None:
            out.append(_Entry(" | ".join(cells[:-1]), line.start, status))
        elif current is not None:
            out.append(_Entry(text, line.start, current))
    return out


def _attendance(view: DocView, directory: Directory, record: AttendanceRecord, limit: int) -> None:
    seen: set[str] = set()
    for entry in _blocks(view, limit):
        parsed = _parse_entry(view, directory, entry)
        if parsed is None:
            continue
        person, role, post_title, org = parsed
        if person.name.lower() in seen:
            continue
        seen.add(person.name.lower())
        record.attendance.append(
            Attendance(
                person,
                entry.status,
                Span(entry.start, entry.start + len(entry.text)),
                role,
                post_title,
            )
        )
        if entry.status == "present" and view.body is not None:
            label = view.reference.role_labels.get(role, "member") if role else "member"
            written = _role_as_written(entry.text, label)
            got = role_of(view.reference, written or label)
            if got is not None:
                title = written if written else got[1]
                record.posts.append(
                    Post(
                        title,
                        got[0],
                        Span(entry.start, entry.start + len(entry.text)),
                        view.body,
                        None,
                        person,
                    )
                )
        if post_title and not (
            role and post_title.lower() == view.reference.role_labels.get(role, "")
        ):
            got = role_of(view.reference, post_title)
            if got is not None:
                directory.add_post(
                    Post(
                        got[1],
                        got[0],
                        Span(entry.start, entry.start + len(entry.text)),
                        org,
                        None,
                        person,
                    )
                )


def _bare_role(title: str, labels: object) -> bool:
    """Is ``title`` only a meeting role ("Chair", "Vice Chair"), not a post of its own?"""
    return title.lower().replace("-", " ") in {str(x).replace("-", " ") for x in labels}  # type: ignore[attr-defined]


def _untitled_post(view: DocView, tail: str) -> str | None:
    """ "Nadia Rowe, Solicitor to the Council", "Isla Rennie | GP Partner, Ousebank Surgery":
    a post no role word names, written in title case before any organisation."""
    first = re.split(r"\s*[,;|]\s*|\s+[-–—]\s+", tail.strip(), maxsplit=1)[0].strip()
    if not re.fullmatch(r"[A-Z][\w'-]*(?:\s+(?:of|to|for|and|the|[A-Z][\w'-]*)){0,6}", first):
        return None
    head = re.split(r"\s+(?:to|of|for)\s+", first, maxsplit=1)[0]  # "Solicitor to the Council"
    last = head.split()[-1].lower()
    heads = (
        view.lexicon.words("org-heads")
        | view.lexicon.words("meeting-heads")
        | view.lexicon.words("venue-words")
    )
    kinds, _ = attendance_headings(view.lexicon)
    if last in heads or view.orgs_in(head) or kinds.fullmatch(head):
        return None
    return first


def _role_as_written(text: str, label: str) -> str | None:
    """ "(Vice-Chair)" as the entry writes it, for the post's label."""
    m = re.search(rf"\(({re.escape(label).replace('-', '[- ]')})\)", text, re.I)
    return m.group(1) if m else None


def _parse_entry(
    view: DocView, directory: Directory, entry: _Entry
) -> tuple[Person, URIRef | None, str | None, Entity | None] | None:
    """(person, meeting role, post as written, organisation) of one attendance entry."""
    w = words(view.lexicon)
    text = entry.text.removeprefix("• ").strip().rstrip(".;,")
    cells = [c.strip() for c in text.split(" | ")] if " | " in text else None
    if cells:
        text = cells[0]
    person = None
    title_text: str | None = None
    paren_name = re.match(r"^(?P<post>[^()]{2,80}?)\s*\((?P<name>[^()]+)\)\s*$", text)
    if (
        paren_name
        and (pm := w.person_re.fullmatch(paren_name.group("name").strip()))
        and is_name(view, pm)
        and find_titles(view.reference, paren_name.group("post"))
    ):
        person = directory.person(
            pm.group("name"),
            canonical_title(view, pm.group("title")),
            Span(entry.start, entry.start + len(text)),
        )
        title_text = paren_name.group("post").strip()
        rest = ""
    else:
        plural = re.match(r"^(?:Councillors|Cllrs)\s+", text)
        body = text[plural.end() :] if plural else text
        councillors = plural is not None or entry.councillor
        pm = w.person_re.match(body)
        lone = _SURNAME_RE.match(body) if councillors else None
        title: str | None
        if lone is not None and (pm is None or pm.start() != 0 or not is_name(view, pm)):
            name = lone.group("name")  # "Councillors Ahmed (Chair), …": known by surname only
            title = "Councillor"
            rest_at = lone.end("name")
        elif pm is None or pm.start() != 0 or not is_name(view, pm):
            return None
        else:
            title = canonical_title(view, pm.group("title")) or (
                "Councillor" if councillors else None
            )
            name = pm.group("name").strip()
            rest_at = pm.end()
        person = directory.person(name, title, Span(entry.start, entry.start + len(text)))
        rest = body[rest_at:]
    role = None
    post_title = None
    chair_roles = {}
    for label in ("chair", "vice-chair"):
        got = role_of(view.reference, label)
        if got:
            chair_roles[got[0]] = label
    if cells and len(cells) > 1:
        rest = rest + " " + " ".join(re.findall(r"\([^()]+\)", cells[1]))
        cells[1] = re.sub(r"\s*\([^()]*\)", "", cells[1]).strip()
    for paren in re.findall(r"\(([^()]+)\)", rest):
        for part in (p.strip() for p in paren.split(",")):
            # "(Chair)", "(Town Mayor, in the Chair)": the meeting role, and any post
            bare = re.sub(r"^(?:in\s+the|as)\s+", "", part, flags=re.I)
            got = role_of(view.reference, bare)
            if got and got[0] in chair_roles and len(bare.split()) <= 3:
                role = got[0]
            elif got and post_title is None:
                post_title = part
    if title_text:
        got = role_of(view.reference, title_text)
        if got and got[0] in chair_roles and len(title_text.split()) <= 3:
            role = got[0]
        else:
            post_title = title_text
    tail = re.sub(r"\([^()]*\)", " ", rest)
    tail = re.sub(r"^[\s,–—:-]+", "", tail)
    if cells and len(cells) > 1:
        tail = cells[1]
        if len(cells) > 2 and role is None:
            got = role_of(view.reference, cells[2])
            if got and got[0] in chair_roles:
                role = got[0]
    org = None
    if tail and post_title is None:
        titles = find_titles(view.reference, tail)
        if titles and re.fullmatch(r"(?:[A-Z][\w-]*\s+){0,3}", tail[: titles[0].start]):
            post_title = tail[: titles[0].end].strip().rstrip(",")
            got = role_of(view.reference, post_title)
            if got and got[0] in chair_roles and len(post_title.split()) <= 3 and role is None:
                role = got[0]  # "Independent Chair": the meeting's chair, in that post
                if _bare_role(post_title, chair_roles.values()):
                    post_title = None
    if tail:
        orgs = view.orgs_in(" | ".join(cells[1:]) if cells else tail)  # an Organisation column
        org = orgs[0] if orgs else None
    if tail and post_title is None:
        post_title = _untitled_post(view, tail)
    if post_title:
        post_title = re.split(r",\s*(?=(?:NHS|[A-Z][a-z]+ (?:Council|ICB|Trust)))", post_title)[
            0
        ].strip()
        if "," in post_title:
            first = post_title.split(",")[0].strip()
            if role_of(view.reference, first):
                post_title = first
    return person, role, post_title, org


__all__ = ["AttendanceRecord", "attendance_headings", "extract_attendance"]
