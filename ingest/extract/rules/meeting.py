"""A meeting's record: the meeting (body, date, time, venue), who attended and how (present,
in attendance, apologies, with their post and their role such as Chair), declarations of
interest (or that there were none), and the agenda items in every numbering form
("Agenda item 5:", "Item 4a", "12/24", "TB 14/24", "31.", headings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from rdflib import URIRef

from ingest.extract.dates import DateMatch, find_times
from ingest.extract.document import DocView
from ingest.extract.records import Attendance, Declaration, Item, Meeting, Person, Post, Span
from ingest.extract.reference import Entity
from ingest.extract.rules.people import (
    Directory,
    canonical_title,
    find_titles,
    is_name,
    role_of,
    words,
)
from ingest.extract.text import Line
from kg.lexicon import Lexicon

_NUMBER = r"\d{1,3}(?:[a-z]|\s?\([a-z]\))?|(?:[A-Z]{1,5}\s+)?\d{1,3}/\d{2,4}"


@dataclass(frozen=True)
class _ItemForms:
    item: re.Pattern[str]  # "Item 4a Title", "Minute 24/031: Title", "12/24 Title", "31. Title"
    bare: re.Pattern[str]  # "Agenda item 5" alone on its line, the title on the next
    labelled: re.Pattern[str]  # a line that starts with an item label or a number


@cache
def _item_forms(lexicon: Lexicon) -> _ItemForms:
    """Agenda item numbering, with the labels ("Item", "Minute", "Agenda item") from the
    lexicon, so a new label is a word in ``item-labels``, not a change here."""
    labels = "|".join(
        re.escape(f).replace(r"\ ", r"\s+").replace(r"\.", r"\.?")
        for f in sorted(lexicon.words("item-labels"), key=len, reverse=True)
    )
    label = rf"(?:{labels})\.?"
    return _ItemForms(
        re.compile(
            rf"^(?:{label}\s+(?P<n1>{_NUMBER})(?!\w)\s*[.:)–—-]?\s*"
            r"|(?P<n2>(?:[A-Z]{1,5}\s+)?\d{1,3}/\d{2,4})\.?:?\s+"
            r"|(?P<n3>\d{1,3}[a-z]?)(?:[.:)]\s*|\s+(?=[A-Z])))"
            r"(?P<title>[A-Z(‘'\"].{1,140})$",
            re.IGNORECASE,
        ),
        re.compile(rf"^{label}\s+(?P<n>{_NUMBER})\s*[.:]?$", re.IGNORECASE),
        re.compile(rf"^(?:{label}\s|[A-Z]{{1,5}}\s+\d|\d{{1,3}}/\d|\d{{1,3}}[.:)]?\s)", re.I),
    )


_HEADER_LINES = 15


@cache
def _attendance_re(lexicon: Lexicon) -> tuple[re.Pattern[str], dict[str, str]]:
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
class MeetingRecord:
    meeting: Meeting | None = None
    attendance: list[Attendance] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    item_lines: dict[int, list[Line]] = field(default_factory=dict)  # item position → lines
    declarations: list[Declaration] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)  # chair, vice-chair and member posts

    def item_at(self, offset: int) -> Item | None:
        found = None
        for item in self.items:
            if item.span.start <= offset:
                found = item
        return found


def extract_meeting(view: DocView, directory: Directory) -> MeetingRecord:
    record = MeetingRecord()
    if view.body is None or not view.is_record:
        return record
    record.meeting = _meeting(view)
    _attendance(view, directory, record)
    record.items, record.item_lines = _items(view)
    record.declarations = _declarations(view, directory, record)
    return record


# ---- the meeting ---------------------------------------------------------------------------


def _meeting(view: DocView) -> Meeting:
    assert view.body is not None
    limit = _header_end(view)
    header = [ln for ln in view.lines[:_HEADER_LINES] if ln.start < limit] or view.lines[:3]
    line = view.body_line or view.lines[0]
    date: DateMatch | None = None
    date_line: Line | None = None
    for candidate in sorted(header, key=lambda ln: (_header_rank(view, ln), ln.index)):
        days = [d for d in view.dates_in(candidate) if d.period.is_day]
        if days:
            date, date_line = days[0], candidate
            break
    time = venue = None
    if date_line is not None:
        time, venue = _time_and_venue(view, date_line, date)
    if time is None:  # "Time: 6.00 pm" on a line of its own
        time = next(
            (
                t[2]
                for ln in header
                if re.match(r"(?i)\s*(?:time|start(?:ing)? time|commencing)\b", ln.text)
                for t in find_times(view.cased[ln.start : ln.end], ln.start)
            ),
            None,
        )
    if venue is None:
        venue = _venue_line(view, header)
    return Meeting(view.body, Span(line.start, line.end), date, time, venue)


def _header_rank(view: DocView, line: Line) -> int:
    """Where a meeting's date is: a "held on" line, then the body's line, then others."""
    if re.search(r"\b(?:held|date of meeting|date)\b", line.text, re.I):
        return 0
    if line is view.body_line:
        return 1
    return 2 if re.search(r"\b(?:meeting|minutes)\b", line.text, re.I) else 3


def _time_and_venue(
    view: DocView, line: Line, date: DateMatch | None
) -> tuple[str | None, str | None]:
    """ "… on Tuesday 12 March 2024 at 2.00pm in the Council Chamber, Town Hall" ."""
    end = line.end
    nxt = next((ln for ln in view.lines if ln.index == line.index + 1), None)
    if (
        nxt is not None
        and nxt.kind == "para"
        and not re.search(r":\s", nxt.text[:20])
        and not nxt.text.rstrip().endswith(":")
        and not _is_attendance_line(view, nxt.text.strip())
        and len(nxt.text) < 120
    ):
        end = nxt.end  # a header wrapped onto a second line
    text = view.cased[line.start : end].replace("\n", " ")
    base = line.start
    times = [t for t in find_times(text, base) if date is None or t[0] >= date.start]
    time = times[0][2] if times else None
    after = (times[0][1] if times else (date.end if date else base)) - base
    rest = text[after:]
    # the end of a time range: "- 4.30pm", "to 12 noon", "until 3pm"
    rest = re.sub(
        r"^\s*(?:(?:[-–—]|to|until)\s*(?:\d{1,2}(?:[.:]\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s*noon)?|noon|midday))?",
        "",
        rest,
        flags=re.I,
    )
    m = re.match(
        r"^[\s,.]*(?:(?:held\s+)?(?:in|at|via)\s+(?:the\s+)?|,\s*)(?P<venue>[A-Z][^.;\n]{3,120})",
        rest,
    )
    if m is None:
        m = re.search(
            r"\bheld (?:at|in) (?:the\s+)?(?P<venue>[A-Z][^;\n]{3,80}?)(?:,?\s+on\b|\.|$)", text
        )
    venue = m.group("venue").strip().rstrip(",.") if m else None
    if venue and re.match(r"(?i)venue\b", venue):
        venue = None
    return time, venue


def _venue_line(view: DocView, header: list[Line]) -> str | None:
    for line in header:
        m = re.search(
            r"\b(?:Venue|Location|Place)\s*[:|]\s*(?P<v>[^\n|]+?)(?:\.\s|\.$|\s*\||$)",
            line.text,
            re.I,
        )
        if m:
            return m.group("v").strip().rstrip(".")
    return None


# ---- attendance ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    text: str
    start: int
    status: str


def _blocks(view: DocView) -> list[_Entry]:
    """Attendance entries: from "Present: A; B", a heading followed by list lines, an
    attendance table (a status column), or "Apologies were received from A and B"."""
    pattern, kinds = _attendance_re(view.lexicon)
    text = view.text
    limit = _header_end(view)
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
    entries.extend(_table_entries(view, kinds))
    return entries


def _header_end(view: DocView) -> int:
    """Where the attendance part ends: the first agenda item (or a third of the text)."""
    for line in view.lines:
        if line.index > 3 and _item_match(view.lexicon, line.text) is not None:
            return line.start
    return min(len(view.text), max(4000, len(view.text) // 3))


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
            if pieces and not starts_person and not clean.startswith(("Councillors", "Cllrs")):
                at, prev = pieces[-1]
                pieces[-1] = (at, prev + " " + clean)
            else:
                pieces.append((m.start() + (len(m.group(0)) - len(m.group(0).lstrip())), clean))
    else:
        pieces = [(0, body)]
    out = []
    for at, piece in pieces:
        for sub_at, sub in _comma_split(view, piece):
            if sub.strip():
                lead = len(sub) - len(sub.lstrip())
                out.append(_Entry(sub.strip(), offset + at + sub_at + lead, status))
    return out


def _comma_split(view: DocView, piece: str) -> list[tuple[int, str]]:
    """Split "Councillor A (Chair), Councillor B, Councillors C, D and E" into people; a
    part that is no person ("Medical Director", "NHS X ICB") stays with the one before."""
    parts: list[tuple[int, str]] = []
    for m in re.finditer(r"[^,]+", piece):
        part = m.group(0)
        stripped = part.strip()
        subparts = [(m.start(), part)]
        if " and " in stripped:
            split = []
            at = 0
            for chunk in re.split(r"(\s+and\s+)", part):
                if chunk.strip() and not re.fullmatch(r"\s+and\s+", chunk):
                    split.append((m.start() + at, chunk))
                at += len(chunk)
            if all(_starts_person(view, s.strip()) for _, s in split):
                subparts = split
        for at, sub in subparts:
            s = sub.strip()
            if parts and not (_starts_person(view, s) or s.startswith(("Councillors", "Cllrs"))):
                p_at, prev = parts[-1]
                parts[-1] = (p_at, prev + "," + sub)
            else:
                parts.append((at, sub))
    return parts


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


def _table_entries(view: DocView, kinds: dict[str, str]) -> list[_Entry]:
    """Rows of an attendance table: "Name | Title | Role" under a heading, or a row whose
    last cell is a status ("Present", "Apologies")."""
    out: list[_Entry] = []
    limit = _header_end(view)
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


def _attendance(view: DocView, directory: Directory, record: MeetingRecord) -> None:
    seen: set[str] = set()
    for entry in _blocks(view):
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
    kinds, _ = _attendance_re(view.lexicon)
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
        pm = w.person_re.match(body)
        if pm is None or pm.start() != 0 or not is_name(view, pm):
            return None
        title = "Councillor" if plural else canonical_title(view, pm.group("title"))
        name = pm.group("name").strip()
        person = directory.person(name, title, Span(entry.start, entry.start + len(text)))
        rest = body[pm.end() :]
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
                role = got[0]
                post_title = None
    if tail:
        orgs = view.orgs_in(tail)
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


# ---- agenda items ----------------------------------------------------------------------------


def _item_match(lexicon: Lexicon, text: str) -> tuple[str, str] | None:
    body = text.lstrip("# ").strip()
    if body.startswith("• "):
        return None
    m = _item_forms(lexicon).item.match(body)
    if m is None:
        return None
    number = (m.group("n1") or m.group("n2") or m.group("n3") or "").strip()
    title = m.group("title").strip()
    if title.endswith((".", ";", ",")) and not title.endswith("etc."):
        return None
    if len(title.split()) > 16 or re.match(r"^\d", title):
        return None
    return number, title


def _items(view: DocView) -> tuple[list[Item], dict[int, list[Line]]]:
    starts: list[tuple[Line, str | None, str]] = []
    lines = view.lines
    forms = _item_forms(view.lexicon)
    for i, line in enumerate(lines):
        body = line.text.strip()
        bare = forms.bare.match(body)
        if (body.lower() == "agenda item" or bare) and i + 1 < len(lines):
            starts.append(
                (lines[i + 1], bare.group("n") if bare else None, lines[i + 1].text.strip())
            )
            continue
        if starts and starts[-1][0] is line:
            continue
        got = _item_match(view.lexicon, body)
        if (
            got is not None
            and (line.kind in ("heading", "numbered", "para"))
            and not _is_attendance_line(view, body)
        ):
            if line.kind == "para" and not forms.labelled.match(body):
                continue
            if re.match(r"^\d{1,3}\.\d", body):
                continue  # "1.1 The Board ..." is a numbered paragraph, not an item
            starts.append((line, got[0], got[1]))
    if not starts:
        starts = _heading_items(view)
    if not starts:
        starts = [(lines[0], None, view.doc.title)] if lines else []
    numbers = [n for _, n, _ in starts]
    numeric = all(n and n.isdigit() for n in numbers) and len(set(numbers)) == len(numbers)
    items = []
    for k, (line, number, title) in enumerate(starts, start=1):
        position = int(number) if numeric and number else k
        items.append(Item(position, title, Span(line.start, line.end), number))
    owned: dict[int, list[Line]] = {it.position: [] for it in items}
    idx = 0
    for line in lines:
        while idx + 1 < len(items) and items[idx + 1].span.start <= line.start:
            idx += 1
        if items:
            owned[items[idx].position].append(line)
    return items, owned


def _heading_items(view: DocView) -> list[tuple[Line, str | None, str]]:
    """Unnumbered agenda items: the headings after the meeting's own heading, other than
    attendance headings ("Declarations of interest", "Urgent care plan")."""
    after = view.body_line.index if view.body_line is not None else 0
    out: list[tuple[Line, str | None, str]] = []
    for line in view.lines:
        body = line.text.lstrip("# ").strip()
        if line.kind != "heading" or line.index <= after or not body:
            continue
        if _is_attendance_line(view, body) or body == view.doc.title:
            continue
        out.append((line, None, body))
    return out if len(out) >= 2 else []


def _is_attendance_line(view: DocView, text: str) -> bool:
    pattern, _ = _attendance_re(view.lexicon)
    return bool(pattern.match(text))


# ---- declarations --------------------------------------------------------------------------------


@cache
def _declaration_words(
    lexicon: Lexicon,
) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    return (
        lexicon.pattern("declaration-words"),
        lexicon.pattern("interest-words"),
        lexicon.pattern("none-words"),
    )


def _declarations(view: DocView, directory: Directory, record: MeetingRecord) -> list[Declaration]:
    declared, interest, none = _declaration_words(view.lexicon)
    out: list[Declaration] = []
    w = words(view.lexicon)
    for item in record.items:
        lines = record.item_lines.get(item.position, [])
        heading_is_declarations = bool(declared.search(item.title) and interest.search(item.title))
        for line in lines:
            for sentence in view.sentences_of(line):
                text = sentence.text
                if line.start == item.span.start:
                    continue
                has_decl = bool(declared.search(text)) and bool(
                    interest.search(text) or heading_is_declarations
                )
                bare_none = heading_is_declarations and (
                    re.fullmatch(r"\s*(?:none|nil)\.?\s*", text, re.I) or none.search(text[:12])
                )
                if not has_decl and not bare_none:
                    continue
                if none.match(text) or re.match(r"^(?:There were no|No |None)", text):
                    out.append(
                        Declaration(Span(sentence.start, sentence.end), "none", None, item.position)
                    )
                    continue
                pm = w.person_re.search(view.cased[sentence.start : sentence.end])
                person = None
                if pm and is_name(view, pm):
                    person = directory.known(pm.group("name")) or directory.person(
                        pm.group("name"),
                        canonical_title(view, pm.group("title")),
                        Span(sentence.start + pm.start(), sentence.start + pm.end()),
                    )
                if person is None and not has_decl:
                    continue
                out.append(
                    Declaration(Span(sentence.start, sentence.end), text, person, item.position)
                )
    return out


__all__ = ["MeetingRecord", "extract_meeting"]
