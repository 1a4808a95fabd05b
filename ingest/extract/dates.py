"""Dates and periods as documents write them: "Nov 22", "Mar – July 23", "21 Jun",
"February 2023", "November 2022 - January 2023", "Tuesday 14 March 2023", "Jun 23 onwards".

A period keeps its verbatim label and the precision it was given (2023-03 stays a month),
and gets inclusive ``earliest``/``latest`` day bounds for range queries. Two-digit years
and missing years are read against a :class:`DateContext` that follows the document.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\s+)?"
_ORD = r"(?:st|nd|rd|th)?"


def _atom(n: int) -> str:
    """One date: [day] Month [day,] [year]; groups suffixed by ``n`` to allow two per range."""
    return (
        rf"(?:{_WEEKDAY}(?P<d{n}>\d{{1,2}}){_ORD}\s+)?(?P<m{n}>{_MONTH})\.?"
        rf"(?:\s+(?P<e{n}>\d{{1,2}})(?:st|nd|rd|th|(?=,\s*\d{{4}})),?)?"
        rf"(?:,?\s*(?P<y{n}>(?:’|')\d{{2}}|\d{{4}}|\d{{2}})(?![\d:.]\d))?"
    )


_RANGE_SEP = r"\s*(?:–|—|-|to|until)\s*"
DATE_RE = re.compile(
    rf"(?<![\w])(?:{_atom(1)})(?:(?P<sep>{_RANGE_SEP})(?:{_atom(2)}))?(?![\w])"
    r"(?P<onwards>\s+onwards)?"
)
ISO_RE = re.compile(r"(?<![\w-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\w-])")
SLASH_RE = re.compile(r"(?<![\w/])(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})(?![\w/])")
_FORWARD_RE = re.compile(
    r"\b(?:commence|will|to be|next|planned|due|scheduled|expected|from|upcoming|future)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Period:
    """A period of time as written: label verbatim, bounds at the given precision."""

    label: str
    start: str  # "2023", "2023-03" or "2023-03-21"
    end: str | None  # None when open-ended ("Jun 23 onwards")
    earliest: date
    latest: date | None

    @property
    def is_day(self) -> bool:
        return len(self.start) == 10 and self.start == self.end


@dataclass(frozen=True)
class DateMatch:
    start: int
    end: int
    period: Period


@dataclass
class DateContext:
    """What the document has said about dates so far: a year for yearless dates."""

    year: int | None = None
    latest: date | None = None

    def update(self, period: Period) -> None:
        self.year = period.earliest.year if period.end is None else _year_of(period.end)
        if self.latest is None or period.earliest > self.latest:
            self.latest = period.earliest


def _year_of(value: str) -> int:
    return int(value[:4])


def _two_digit_year(value: str) -> int:
    number = int(value.lstrip("’'"))
    return 2000 + number if number < 70 else 1900 + number


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class _Atom:
    year: int | None
    month: int
    day: int | None

    def value(self) -> str:
        if self.year is None:
            raise ValueError("a date without a year has no value")
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def first(self) -> date:
        assert self.year is not None
        return date(self.year, self.month, self.day or 1)

    def last(self) -> date:
        assert self.year is not None
        return (
            date(self.year, self.month, self.day) if self.day else _month_end(self.year, self.month)
        )


def _valid(year: int, month: int, day: int | None) -> bool:
    return day is None or 1 <= day <= calendar.monthrange(year, month)[1]


def _read_atom(m: re.Match[str], n: int, context: DateContext, forward: bool) -> _Atom | None:
    """One date atom; ``Month NN`` is a two-digit year unless that reads as a past date in a
    forward-looking sentence, where it is the day of the month (US order: "June 22")."""
    month = _MONTHS[m.group(f"m{n}")[:3].lower()]
    day_text = m.group(f"d{n}") or m.group(f"e{n}")
    year_text = m.group(f"y{n}")
    day = int(day_text) if day_text else None
    if year_text is None:
        return (
            _Atom(context.year, month, day) if context.year is not None else _Atom(None, month, day)
        )
    if len(year_text.lstrip("’'")) == 4:
        year = int(year_text)
    else:
        year = _two_digit_year(year_text)
        if day is None and _reads_as_day(year_text, year, month, context, forward):
            return _Atom(context.year, month, int(year_text))
    return _Atom(year, month, day) if _valid(year, month, day) else None


def _reads_as_day(
    year_text: str, year: int, month: int, context: DateContext, forward: bool
) -> bool:
    if not forward or year_text[0] in "’'" or context.year is None or context.latest is None:
        return False
    number = int(year_text)
    return (
        1 <= number <= calendar.monthrange(context.year, month)[1]
        and _month_end(year, month) < context.latest
        and date(context.year, month, number) >= context.latest
    )


def _period(label: str, first: _Atom, last: _Atom | None, onwards: bool) -> Period | None:
    if first.year is None or (last is not None and last.year is None):
        return None
    end_atom = None if onwards else (last or first)
    if end_atom is not None and end_atom.last() < first.first():
        return None
    return Period(
        label=label,
        start=first.value(),
        end=end_atom.value() if end_atom else None,
        earliest=first.first(),
        latest=end_atom.last() if end_atom else None,
    )


def _range_start(first: _Atom, last: _Atom) -> _Atom:
    """The start of "Mar – July 23" takes its year from the end (a year back if it wraps)."""
    if last.year is None:
        return first
    year = (
        last.year - 1 if (first.month, first.day or 1) > (last.month, last.day or 1) else last.year
    )
    return _Atom(year, first.month, first.day)


def _from_match(m: re.Match[str], text: str, context: DateContext) -> Period | None:
    forward = bool(_FORWARD_RE.search(text))
    first = _read_atom(m, 1, context, forward)
    if first is None:
        return None
    has_second = m.group("m2") is not None
    if not has_second and first.day is None and m.group("y1") is None:
        return None  # a bare month name ("May") is not a date
    label = m.group(0).strip()
    if has_second:
        last = _read_atom(m, 2, context, forward)
        if last is None or (last.year is None and m.group("y2") is None and context.year is None):
            return None
        if m.group("y1") is None:
            first = _range_start(first, last)
        return _period(label, first, last, bool(m.group("onwards")))
    return _period(label, first, None, bool(m.group("onwards")))


def _numeric(text: str) -> list[DateMatch]:
    found: list[DateMatch] = []
    for pattern in (ISO_RE, SLASH_RE):
        for m in pattern.finditer(text):
            year, month, day = int(m.group("y")), int(m.group("m")), int(m.group("d"))
            if 1 <= month <= 12 and _valid(year, month, day):
                atom = _Atom(year, month, day)
                period = _period(m.group(0), atom, None, False)
                if period is not None:
                    found.append(DateMatch(m.start(), m.end(), period))
    return found


def find_dates(text: str, context: DateContext | None = None, offset: int = 0) -> list[DateMatch]:
    """Every date or period in ``text``, in order; updates ``context`` as it reads."""
    context = context if context is not None else DateContext()
    matches = [(m.start(), m.end(), m) for m in DATE_RE.finditer(text)]
    numeric = {(d.start, d.end): d for d in _numeric(text)}
    found: list[DateMatch] = []
    for start, end in sorted({(s, e) for s, e, _ in matches} | set(numeric)):
        if (start, end) in numeric:
            period: Period | None = numeric[(start, end)].period
        else:
            m = next(match for s, e, match in matches if (s, e) == (start, end))
            period = _from_match(m, text, context)
        if period is None:
            continue
        label_end = start + len(period.label)
        found.append(DateMatch(offset + start, offset + label_end, period))
        context.update(period)
    return found


def parse_period(text: str, context: DateContext | None = None) -> Period | None:
    """The first period in ``text``, or None."""
    found = find_dates(text, context)
    return found[0].period if found else None


__all__ = ["DateContext", "DateMatch", "Period", "find_dates", "parse_period"]
