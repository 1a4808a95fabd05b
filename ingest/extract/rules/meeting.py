"""A meeting's record: the meeting (body, date, time, venue), who attended and how (present,
in attendance, apologies, with their post and their role such as Chair), declarations of
interest (or that there were none), and the agenda items in every numbering form
("Agenda item 5:", "Item 4a", "12/24", "TB 14/24", "31.", headings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from ingest.extract.dates import DateMatch, find_times
from ingest.extract.document import DocView
from ingest.extract.records import Declaration, Item, Meeting, Span
from ingest.extract.rules.attendance import attendance_headings
from ingest.extract.rules.people import (
    Directory,
    canonical_title,
    is_name,
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


@dataclass
class MeetingRecord:
    meeting: Meeting | None = None
    items: list[Item] = field(default_factory=list)
    item_lines: dict[int, list[Line]] = field(default_factory=dict)  # item position → lines
    declarations: list[Declaration] = field(default_factory=list)
    header_end: int = 0  # where the front matter (title, attendance) ends

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
    record.header_end = _header_end(view)
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


def _header_end(view: DocView) -> int:
    """Where the attendance part ends: the first agenda item (or a third of the text)."""
    for line in view.lines:
        if line.index > 3 and _item_match(view.lexicon, line.text) is not None:
            return line.start
    return min(len(view.text), max(4000, len(view.text) // 3))


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
    pattern, _ = attendance_headings(view.lexicon)
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
