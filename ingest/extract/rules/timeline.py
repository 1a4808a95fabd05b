"""Dated events: timeline entries ("Nov 22 : ...", "21 Jun: ...", "Spring 2024 – ...", a
timeline table's "Autumn 2023 | ...") and dated sentences."""

from __future__ import annotations

import re

from ingest.extract.document import DocView
from ingest.extract.records import Change, Event, Meeting, Span
from ingest.extract.text import Line


def _is_formal(view: DocView, line: Line, meeting: Meeting | None) -> bool:
    """Resolutions and the meeting's own header are not timeline events."""
    if line.text.startswith(("RESOLVED", "Resolved")) or (
        line.kind == "numbered" and line.number and not any(c.isdigit() for c in line.number)
    ):
        return True
    return (
        meeting is not None
        and meeting.date is not None
        and line.start <= meeting.date.start < line.end
    )


def extract_timeline(view: DocView, changes: list[Change], meeting: Meeting | None) -> list[Event]:
    """Every sentence with a date is a dated activity, unless a change event has it."""
    dated_by_change = {c.span.start for c in changes if c.dates}
    events = []
    for sentence in view.sentences:
        dates = view.dates.get(sentence.start, [])
        if (
            not dates
            or sentence.start in dated_by_change
            or _is_formal(view, sentence.line, meeting)
        ):
            continue
        entry = re.match(
            r"^\s*[:–—|-]?\s*", view.text[dates[0].end : sentence.end]
        )  # "Nov 22:", "Spring 2024 –", a table's "When | What"
        is_entry = dates[0].start == sentence.line.body_start and entry is not None
        label = sentence.text
        if is_entry and entry is not None:
            rest = view.text[dates[0].end + entry.end() : sentence.line.end].strip()
            label = rest or sentence.text
        related = tuple(m.entity for m in view.mentions.get(sentence.start, []))
        events.append(Event(label, Span(sentence.start, sentence.end), tuple(dates), related))
    return events


__all__ = ["extract_timeline"]
