"""Strategy papers, plans and reports: numbered priorities, ambitions, enablers, objectives
and recommendations ("Priority 1: …", "Ambition 2 – …", "R3. …", a numbered list under
"Our three enablers", a recommendations table), and targets with their numbers, money and
deadlines ("two extended-access clinics in every PCN by October 2025", "£1.2m recurrent").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ingest.extract.dates import DateMatch
from ingest.extract.document import DocView
from ingest.extract.records import Priority, Span, Target
from ingest.extract.reference import Entity
from kg.lexicon import Lexicon

_MONEY_RE = re.compile(r"£\s?\d[\d,]*(?:\.\d+)?\s?(?:m|bn|k|million|billion|thousand)?\b", re.I)


@dataclass(frozen=True)
class PlanWords:
    element_re: re.Pattern[str]  # "Priority 1:", "Ambition two –"
    kinds: dict[str, str]  # any form → kind
    section_re: re.Pattern[str]  # a heading or lead-in naming elements
    target_re: re.Pattern[str]
    deadline_re: re.Pattern[str]
    quantity_re: re.Pattern[str]
    numbers: dict[str, str]


@cache
def plan_words(lexicon: Lexicon) -> PlanWords:
    kinds = {f.lower(): e.label for e in lexicon.entries("plan-elements") for f in e.forms}
    singular = sorted(
        {e.label for e in lexicon.entries("plan-elements")}
        | {f for f in kinds if not f.endswith("s")},
        key=len,
        reverse=True,
    )
    numbers = {
        f.lower(): e.notation or "" for e in lexicon.entries("number-words") for f in e.forms
    }
    num_words = "|".join(sorted((n for n in numbers if " " not in n), key=len, reverse=True))
    deadline = "|".join(
        map(
            re.escape,
            sorted(
                lexicon.words("deadline-words") - {"in", "to", "from", "within"},
                key=len,
                reverse=True,
            ),
        )
    )
    return PlanWords(
        element_re=re.compile(
            rf"(?<![\w])(?P<kind>{'|'.join(map(re.escape, singular))})\s+(?P<num>\d{{1,2}}|{num_words})\s*[:.–—-]\s*",
            re.I,
        ),
        kinds=kinds,
        section_re=re.compile(
            rf"\b(?P<kind>{'|'.join(map(re.escape, sorted(kinds, key=len, reverse=True)))})\b", re.I
        ),
        target_re=lexicon.pattern("target-words"),
        deadline_re=re.compile(rf"\b(?:{deadline})\s+$", re.I),
        quantity_re=re.compile(
            rf"(?<![\w£.,/])(?:\d[\d,]*(?:\.\d+)?\s?(?:%|per cent|percent)|\d[\d,]*(?:\.\d+)?(?:\s+(?:minutes|hours|days|weeks|months|years))?|(?:{num_words}))(?![\w/])",
            re.I,
        ),
        numbers=numbers,
    )


@dataclass
class PlanRecord:
    priorities: list[Priority]
    targets: list[Target]
    plan: Entity | None
    plan_title: str


def extract_plans(view: DocView) -> PlanRecord:
    pw = plan_words(view.lexicon)
    priorities = _elements(view, pw)
    targets = _targets(view, pw, priorities)
    plan, title = _plan(view)
    return PlanRecord(priorities, targets, plan, title)


def _plan(view: DocView) -> tuple[Entity | None, str]:
    """The strategy the document is (named in its title or first heading), else None."""
    heading = next((ln.body for ln in view.lines[:6] if ln.kind == "heading"), None)
    title = heading or view.doc.title
    for text in (title, view.doc.title):
        for mention in view.resolver.find(view.cased[0:0] + text):
            if mention.entity is not None and mention.entity.kind == "strategy":
                return view.resolver.current(mention.entity), title
    return None, title


def _number(pw: PlanWords, text: str) -> str:
    return pw.numbers.get(text.lower(), text)


def _elements(view: DocView, pw: PlanWords) -> list[Priority]:
    found: list[Priority] = []
    section_kind: str | None = None
    taken: set[int] = set()
    for line in view.lines:
        text = view.text[line.start : line.end]
        heading_like = (
            line.kind in ("numbered", "para")
            and len(text.split()) <= 7
            and not text.rstrip().endswith((".", ";", ","))
        )
        if (
            line.kind == "heading"
            or heading_like
            or (text.rstrip().endswith(":") and len(text) < 120)
        ):
            sm = pw.section_re.search(text)
            section_kind = (
                pw.kinds[sm.group("kind").lower()]
                if sm
                else (None if line.kind == "heading" else section_kind)
            )
            if line.kind != "heading" and not sm:
                pass
            continue
        marks = list(pw.element_re.finditer(text))
        if marks:
            for i, m in enumerate(marks):
                end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
                body = text[m.end() : end].strip()
                start = line.start + m.start()
                if body and start not in taken:
                    taken.add(start)
                    found.append(
                        Priority(
                            pw.kinds[m.group("kind").lower()],
                            body.rstrip(";"),
                            Span(start, line.start + end),
                            _number(pw, m.group("num")),
                        )
                    )
            continue
        if section_kind is None:
            continue
        rec = re.match(r"^(?P<num>R\d{1,2}|\d{1,2})[.)]\s+(?P<body>.+)$", text.removeprefix("• "))
        if rec or line.kind == "numbered":
            parts = _inline_numbered(text)
            for num, body, offset in parts:
                found.append(
                    Priority(
                        section_kind, body.rstrip(";."), Span(line.start + offset, line.end), num
                    )
                )
            continue
        if " | " in text:
            cells = [c.strip() for c in text.split(" | ")]
            if cells[0].rstrip(".").isdigit() and len(cells) > 1:
                found.append(
                    Priority(
                        section_kind, cells[1], Span(line.start, line.end), cells[0].rstrip(".")
                    )
                )
            continue
        if line.kind == "bullet" and section_kind in ("ambition", "objective"):
            found.append(
                Priority(section_kind, line.body.rstrip(";."), Span(line.body_start, line.end))
            )
            continue
        if line.kind == "para" and not text.rstrip().endswith(":"):
            section_kind = section_kind if len(text) < 40 else None
    return found


def _inline_numbered(text: str) -> list[tuple[str, str, int]]:
    """ "1. Workforce, led by X; 2. Digital, led by Y" → one element per number."""
    marks = list(re.finditer(r"(?:^|(?<=[;.]\s))(?P<num>R?\d{1,2})[.)]\s+", text))
    out = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        out.append((m.group("num"), text[m.end() : end].strip(), m.start()))
    return out


def _targets(view: DocView, pw: PlanWords, priorities: list[Priority]) -> list[Target]:
    out: list[Target] = []
    for sentence in view.sentences:
        text = sentence.text
        if re.match(r"^(?:RESOLVED|Resolved|Decision|Agreed|Action)\b", text) or " | " in text:
            continue
        if not pw.target_re.search(text):
            continue
        dates = view.dates.get(sentence.start, [])
        deadlines = [
            d
            for d in dates
            if pw.deadline_re.search(view.text[max(sentence.start, d.start - 20) : d.start])
        ]
        clauses = _clauses(sentence.start, sentence.end, deadlines)
        priority = next(
            (p for p in priorities if p.span.start <= sentence.start < p.span.end), None
        )
        for start, end, deadline in clauses:
            clause = view.text[start:end].strip(" ,;")
            money = _MONEY_RE.search(clause)
            verb = pw.target_re.search(clause)
            quantity = _quantity(pw, clause[verb.end() :] if verb else clause, dates) or _quantity(
                pw, clause, dates
            )
            at_least = re.search(
                r"\b(?:at least|no fewer than|up to|a minimum of)\s+\d", clause, re.I
            )
            if deadline is None and money is None and not at_least:
                continue
            if (
                deadline is None
                and not at_least
                and not re.search(r"\b(?:will|fund|invest|aim)", clause, re.I)
            ):
                continue
            out.append(
                Target(
                    clause,
                    Span(start, end),
                    quantity,
                    money.group(0).strip() if money else None,
                    deadline,
                    priority,
                )
            )
    return out


def _clauses(
    start: int, end: int, deadlines: list[DateMatch]
) -> list[tuple[int, int, DateMatch | None]]:
    """A sentence cut after each deadline: "deliver X by October 2025 and increase Y by
    8% by March 2026" is two targets."""
    out: list[tuple[int, int, DateMatch | None]] = []
    at = start
    for d in deadlines:
        out.append((at, d.end, d))
        at = d.end
    if end - at > 12:
        out.append((at, end, None))
    return out


def _quantity(pw: PlanWords, clause: str, dates: list[DateMatch]) -> str | None:
    for m in pw.quantity_re.finditer(clause):
        value = m.group(0)
        if re.fullmatch(r"(?:19|20)\d{2}", value) or value.lower() in (
            "first",
            "one",
            "both",
            "second",
            "single",
            "pair",
        ):
            continue
        before = clause[max(0, m.start() - 1) : m.start()]
        if before == "£" or clause[m.end() : m.end() + 1] in ("/",):
            continue
        if re.match(r"^\d{1,2}$", value) and re.match(
            r"\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)",
            clause[m.end() :],
        ):
            continue
        return value
    return None


__all__ = ["PlanRecord", "extract_plans"]
