"""Dates and periods as documents write them, at the precision they are written.

"Nov 22", "Mar – July 23", "21 Jun", "Thursday 2nd November 2023", "June and July 2024",
"November 2022 - January 2023", "Jun 23 onwards", "2024–2027", "2023-25", "2024/25"
(a financial year), "Q3 2024/25", "2024/25 to 2026/27", "Summer 2023", "by 2027", ISO and
day/month/year numbers. A period keeps its verbatim label and the precision it was given
(2023-03 stays a month), and gets inclusive ``earliest``/``latest`` day bounds for range
queries. Two-digit years and missing years are read against a :class:`DateContext` that
follows the document. Month, weekday and season names come from the lexicon.

Every pattern is a single forward scan; overlapping candidates are resolved longest
first, so the work is linear in the text.
"""

from __future__ import annotations

import bisect
import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from kg.lexicon import Lexicon, default_lexicon

_ORD = r"(?:st|nd|rd|th)?"
_RANGE_SEP = r"\s*(?:–|—|-|to|until|and)\s*"
_YEAR4 = r"(?:19|20)\d{2}"


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


@dataclass(frozen=True)
class _Vocabulary:
    months: dict[str, int]  # every form, lower-case → month number
    date_re: re.Pattern[str]
    season_re: re.Pattern[str]
    seasons: dict[str, tuple[int, int]]  # lower-case form → (first month, last month)
    fy_first_month: int
    forward_re: re.Pattern[str]


def _forms(lexicon: Lexicon, scheme: str) -> list[str]:
    """Every form in Title case and in capitals ("March", "MARCH"), longest first."""
    forms = {f for e in lexicon.entries(scheme) for f in e.forms}
    forms |= {f.upper() for f in forms}
    return sorted(forms, key=lambda f: (-len(f), f))


def _months_of(notation: str | None) -> tuple[int, int]:
    first, _, last = (notation or "1-12").partition("-")
    return int(first), int(last or first)


@cache
def _vocabulary(lexicon: Lexicon) -> _Vocabulary:
    months = {
        form.lower(): int(entry.notation or 0)
        for entry in lexicon.entries("months")
        for form in entry.forms
    }
    month = "(?:" + "|".join(map(re.escape, _forms(lexicon, "months"))) + ")"
    weekday = "(?:(?:" + "|".join(map(re.escape, _forms(lexicon, "weekdays"))) + r")\.?,?\s+)?"

    def atom(n: int) -> str:
        """[weekday] [day] Month [day,] [year]; groups numbered ``n`` (two per range)."""
        return (
            rf"(?:{weekday}(?P<d{n}>\d{{1,2}}){_ORD}\s+(?:of\s+)?)?(?P<m{n}>{month})\.?"
            rf"(?:\s+(?P<e{n}>\d{{1,2}})(?:st|nd|rd|th|(?=,\s*\d{{4}})),?)?"
            rf"(?:,?\s*(?P<y{n}>(?:’|')\d{{2}}|\d{{4}}|\d{{2}})(?![\d:.]\d))?"
        )

    date_re = re.compile(
        rf"(?<![\w])(?:{atom(1)})(?:(?P<sep>{_RANGE_SEP})(?:{atom(2)}))?(?![\w])"
        r"(?P<onwards>\s+onwards)?"
    )
    parts = {e.label.lower(): e for e in lexicon.entries("year-parts")}
    fy = parts.pop("financial year", None)
    seasons = {
        form.lower(): _months_of(entry.notation) for entry in parts.values() for form in entry.forms
    }
    season_names = sorted({f for e in parts.values() for f in e.forms}, key=len, reverse=True)
    season_re = re.compile(
        rf"(?<![\w])(?P<s>{'|'.join(map(re.escape, season_names)) or '(?!)'})\s+"
        rf"(?P<y>{_YEAR4})(?:/(?P<y2>\d{{2}}))?(?![\w/])",
        re.IGNORECASE,
    )
    forward = lexicon.pattern("forward-words") if "forward-words" in lexicon.scheme_names else None
    return _Vocabulary(
        months=months,
        date_re=date_re,
        season_re=season_re,
        seasons=seasons,
        fy_first_month=_months_of(fy.notation)[0] if fy else 4,
        forward_re=forward or re.compile("(?!)"),
    )


_FY_RE = re.compile(
    rf"(?<![\w/£$.])(?:(?P<q>Q[1-4])\s+)?(?P<a>{_YEAR4})/(?P<b>\d{{2}})"
    rf"(?:\s*(?:to|–|—|-)\s*(?:(?P<q2>Q[1-4])\s+)?(?P<c>{_YEAR4})/(?P<d>\d{{2}}))?(?![\w/])"
)
_YEARS_RE = re.compile(
    rf"(?<![\w/£$.,])(?P<a>{_YEAR4})\s*(?:–|—|-|to)\s*(?P<b>{_YEAR4}|\d{{2}})(?![\w/%,.]\d|[\w/%])"
)
_QUARTER_RE = re.compile(rf"(?<![\w])Q(?P<q>[1-4])\s+(?P<y>{_YEAR4})(?![\w/])")
_BARE_YEAR_RE = re.compile(
    rf"(?:(?P<prep>\b(?:[Ii]n|[Bb]y|[Ff]rom|[Uu]ntil|[Ss]ince|[Dd]uring|[Bb]efore|[Aa]fter|"
    rf"end of|[Tt]hrough|[Tt]o)\s+)|^)(?P<y>{_YEAR4})(?![\w/%-]|,\d|\.\d)(?P<onwards>\s+onwards)?",
    re.MULTILINE,
)
ISO_RE = re.compile(r"(?<![\w-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\w-])")
SLASH_RE = re.compile(r"(?<![\w/])(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})(?![\w/])")
_TIME_RE = re.compile(
    r"(?<![\w.:])(?P<h>\d{1,2})(?:[.:](?P<m>[0-5]\d))?\s*(?P<ampm>[ap]\.?m\.?)(?![\w])"
    r"|(?<![\w.:])(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)(?![\w:])",
    re.IGNORECASE,
)


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


def _read_atom(
    vocab: _Vocabulary, m: re.Match[str], n: int, context: DateContext, forward: bool
) -> _Atom | None:
    """One date atom; ``Month NN`` is a two-digit year unless that reads as a past date in a
    forward-looking sentence, where it is the day of the month (US order: "June 22")."""
    month = vocab.months[m.group(f"m{n}").lower()]
    day_text = m.group(f"d{n}") or m.group(f"e{n}")
    year_text = m.group(f"y{n}")
    day = int(day_text) if day_text else None
    if year_text is None:
        return _Atom(context.year, month, day)
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


def _from_month_match(
    vocab: _Vocabulary, m: re.Match[str], forward: bool, context: DateContext
) -> Period | None:
    first = _read_atom(vocab, m, 1, context, forward)
    if first is None:
        return None
    has_second = m.group("m2") is not None
    if not has_second and first.day is None and m.group("y1") is None:
        return None  # a bare month name ("May") is not a date
    label = m.group(0).strip()
    if has_second:
        if m.group("sep").strip() == "and" and m.group("y1") is not None and m.group("d1"):
            return None  # "3 May 2024 and 5 June 2024": two dates, not a range
        last = _read_atom(vocab, m, 2, context, forward)
        if last is None or (last.year is None and m.group("y2") is None and context.year is None):
            return None
        if m.group("y1") is None:
            first = _range_start(first, last)
        return _period(label, first, last, bool(m.group("onwards")))
    return _period(label, first, None, bool(m.group("onwards")))


def _span(label: str, first: tuple[int, int], last: tuple[int, int]) -> Period | None:
    """A period of whole months from (year, month) to (year, month)."""
    (y1, m1), (y2, m2) = first, last
    if (y2, m2) < (y1, m1):
        return None
    return Period(label, f"{y1:04d}-{m1:02d}", f"{y2:04d}-{m2:02d}", date(y1, m1, 1),
                  _month_end(y2, m2))  # fmt: skip


def _years(label: str, first: int, last: int | None, onwards: bool = False) -> Period | None:
    if last is not None and last < first:
        return None
    end = None if onwards else (last or first)
    return Period(label, f"{first:04d}", f"{end:04d}" if end else None, date(first, 1, 1),
                  date(end, 12, 31) if end else None)  # fmt: skip


def _financial_year(
    vocab: _Vocabulary, year: int, quarter: str | None
) -> tuple[tuple[int, int], tuple[int, int]]:
    """The first and last month of financial year ``year`` (or of one of its quarters)."""
    start = vocab.fy_first_month
    offset = (int(quarter[1]) - 1) * 3 if quarter else 0
    first_index = start - 1 + offset
    length = 3 if quarter else 12
    last_index = first_index + length - 1
    return (year + first_index // 12, first_index % 12 + 1), (
        year + last_index // 12,
        last_index % 12 + 1,
    )


def _fy_period(vocab: _Vocabulary, m: re.Match[str]) -> Period | None:
    first_year = int(m.group("a"))
    if (first_year + 1) % 100 != int(m.group("b")):
        return None
    first, last = _financial_year(vocab, first_year, m.group("q"))
    if m.group("c"):
        end_year = int(m.group("c"))
        if (end_year + 1) % 100 != int(m.group("d")):
            return None
        _, last = _financial_year(vocab, end_year, m.group("q2"))
    return _span(m.group(0), first, last)


def _year_range(m: re.Match[str]) -> Period | None:
    first, second = int(m.group("a")), m.group("b")
    last = int(second) if len(second) == 4 else (first // 100) * 100 + int(second)
    return _years(m.group(0), first, last) if first < last <= first + 30 else None


def _season(vocab: _Vocabulary, m: re.Match[str]) -> Period | None:
    first_month, last_month = vocab.seasons[m.group("s").lower()]
    year = int(m.group("y"))
    end_year = year + 1 if last_month < first_month else year
    return _span(m.group(0), (year, first_month), (end_year, last_month))


def _quarter(m: re.Match[str]) -> Period | None:
    q, year = int(m.group("q")), int(m.group("y"))
    return _span(m.group(0), (year, 3 * q - 2), (year, 3 * q))


def _numeric(m: re.Match[str]) -> Period | None:
    year, month, day = int(m.group("y")), int(m.group("m")), int(m.group("d"))
    if not (1 <= month <= 12 and _valid(year, month, day)):
        return None
    atom = _Atom(year, month, day)
    return _period(m.group(0), atom, None, False)


def find_dates(
    text: str,
    context: DateContext | None = None,
    offset: int = 0,
    lexicon: Lexicon | None = None,
) -> list[DateMatch]:
    """Every date or period in ``text``, in order; updates ``context`` as it reads."""
    vocab = _vocabulary(lexicon or default_lexicon())
    context = context if context is not None else DateContext()
    candidates: list[tuple[int, int, str, re.Match[str]]] = []
    for kind, pattern in (
        ("month", vocab.date_re),
        ("fy", _FY_RE),
        ("years", _YEARS_RE),
        ("season", vocab.season_re),
        ("quarter", _QUARTER_RE),
        ("iso", ISO_RE),
        ("slash", SLASH_RE),
        ("year", _BARE_YEAR_RE),
    ):
        for m in pattern.finditer(text):
            start = m.start("y") if kind == "year" else m.start()
            if kind == "year" and not (m.group("prep") or m.group("onwards") or start == 0):
                continue
            candidates.append((start, m.end(), kind, m))
    chosen = non_overlapping(candidates)
    forward = bool(vocab.forward_re.search(text)) if chosen else False
    found: list[DateMatch] = []
    for start, _end, kind, m in chosen:
        period = _read(vocab, kind, m, forward, context)
        if period is None:
            continue
        label = period.label.strip()
        found.append(DateMatch(offset + start, offset + start + len(label), period))
        context.update(period)
    return found


def non_overlapping(candidates: list[tuple[int, int, Any, Any]]) -> list[tuple[int, int, Any, Any]]:
    """The longest candidates that do not overlap (ties: the earliest), in text order.

    Bisection over the spans already taken, so n candidates cost O(n log n)."""
    starts: list[int] = []
    ends: list[int] = []
    chosen = []
    for cand in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
        start, end = cand[0], cand[1]
        i = bisect.bisect_left(starts, start)
        if i < len(starts) and starts[i] < end:
            continue
        if i > 0 and ends[i - 1] > start:
            continue
        starts.insert(i, start)
        ends.insert(i, end)
        chosen.append(cand)
    return sorted(chosen, key=lambda c: c[0])


def _read(
    vocab: _Vocabulary, kind: str, m: re.Match[str], forward: bool, context: DateContext
) -> Period | None:
    if kind == "month":
        return _from_month_match(vocab, m, forward, context)
    if kind == "fy":
        return _fy_period(vocab, m)
    if kind == "years":
        return _year_range(m)
    if kind == "season":
        return _season(vocab, m)
    if kind == "quarter":
        return _quarter(m)
    if kind == "year":
        year = int(m.group("y"))
        label = m.group("y") + (m.group("onwards") or "")
        return _years(label, year, None, onwards=bool(m.group("onwards")))
    return _numeric(m)


def find_times(text: str, offset: int = 0) -> list[tuple[int, int, str]]:
    """Clock times ("2.00 pm", "2pm", "13:30") as (start, end, "HH:MM")."""
    found = []
    for m in _TIME_RE.finditer(text):
        if m.group("h24") is not None:
            hour, minute = int(m.group("h24")), int(m.group("m24"))
        else:
            hour, minute = int(m.group("h")), int(m.group("m") or 0)
            if not 1 <= hour <= 12:
                continue
            pm = m.group("ampm").lower().startswith("p")
            hour = (hour % 12) + (12 if pm else 0)
        found.append((offset + m.start(), offset + m.end(), f"{hour:02d}:{minute:02d}"))
    return found


def parse_period(text: str, context: DateContext | None = None) -> Period | None:
    """The first period in ``text``, or None."""
    found = find_dates(text, context)
    return found[0].period if found else None


__all__ = [
    "DateContext",
    "DateMatch",
    "Period",
    "find_dates",
    "find_times",
    "parse_period",
]
