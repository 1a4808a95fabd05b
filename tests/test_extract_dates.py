"""Dates as documents write them, with precision-keeping bounds."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.extract.dates import DateContext, find_dates, parse_period

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@pytest.mark.parametrize(
    ("text", "start", "end", "earliest", "latest"),
    [
        ("Nov 22 : Lift and shift", "2022-11", "2022-11", date(2022, 11, 1), date(2022, 11, 30)),
        ("Mar – July 23: Options", "2023-03", "2023-07", date(2023, 3, 1), date(2023, 7, 31)),
        ("February 2023", "2023-02", "2023-02", date(2023, 2, 1), date(2023, 2, 28)),
        (
            "during November 2022- January 2023.",
            "2022-11",
            "2023-01",
            date(2022, 11, 1),
            date(2023, 1, 31),
        ),
        (
            "November 2022 - January 2023",
            "2022-11",
            "2023-01",
            date(2022, 11, 1),
            date(2023, 1, 31),
        ),
        (
            "held on Tuesday 14 March 2023",
            "2023-03-14",
            "2023-03-14",
            date(2023, 3, 14),
            date(2023, 3, 14),
        ),
        ("Dec – Feb 23", "2022-12", "2023-02", date(2022, 12, 1), date(2023, 2, 28)),
        ("on 2023-03-14", "2023-03-14", "2023-03-14", date(2023, 3, 14), date(2023, 3, 14)),
    ],
)
def test_periods(text: str, start: str, end: str, earliest: date, latest: date) -> None:
    period = parse_period(text)
    assert period is not None
    assert (period.start, period.end, period.earliest, period.latest) == (
        start,
        end,
        earliest,
        latest,
    )


def test_open_ended_period_has_no_latest() -> None:
    period = parse_period("Jun 23 onwards: Engagement")
    assert period is not None and period.label == "Jun 23 onwards"
    assert period.end is None and period.latest is None and period.earliest == date(2023, 6, 1)


def test_year_comes_from_context() -> None:
    context = DateContext()
    find_dates("Jun 23 onwards: engagement", context)
    period = parse_period("21 Jun: Programme group launched", context)
    assert period is not None and period.start == "2023-06-21"


def test_forward_looking_month_number_reads_as_day() -> None:
    context = DateContext()
    find_dates("21 Jun: launched", DateContext(year=2023))
    find_dates("Jun 23 onwards", context)
    find_dates("21 Jun: launched", context)
    period = parse_period("Management of change to commence June 22", context)
    assert period is not None and period.start == "2023-06-22"
    past = parse_period("Nov 22 : Lift and shift", context)
    assert past is not None and past.start == "2022-11"


def test_bare_month_is_not_a_date() -> None:
    assert parse_period("May we proceed") is None
    assert parse_period("Mar") is None


@given(st.integers(0, 11), st.integers(2000, 2069))
def test_month_year_bounds(month: int, year: int) -> None:
    period = parse_period(f"{MONTHS[month]} {year}")
    assert period is not None
    assert period.earliest.day == 1 and period.earliest.month == month + 1
    assert period.latest is not None and period.latest >= period.earliest
    assert period.latest.month == month + 1 and period.start == f"{year}-{month + 1:02d}"


@given(st.integers(0, 11), st.integers(0, 11), st.integers(10, 40))
def test_ranges_are_ordered(first: int, last: int, year: int) -> None:
    period = parse_period(f"{MONTHS[first]} – {MONTHS[last]} {year}")
    assert period is not None
    assert period.latest is not None and period.earliest <= period.latest
    assert period.latest.year == 2000 + year
