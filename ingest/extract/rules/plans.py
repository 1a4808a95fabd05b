"""Strategy papers, plans and reports: numbered priorities, ambitions, enablers, objectives
and recommendations ("Priority 1: …", "Ambition 2 – …", "R3. …", a numbered list under
"Our three enablers", a recommendations table), and targets with their numbers, money and
deadlines ("two extended-access clinics in every PCN by October 2025", "£1.2m recurrent").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from ingest.extract.dates import DateMatch
from ingest.extract.document import DocView
from ingest.extract.records import Priority, Span, Target
from ingest.extract.reference import Entity
from ingest.extract.text import Line
from kg.lexicon import Lexicon

_MONEY_RE = re.compile(r"£\s?\d[\d,]*(?:\.\d+)?\s?(?:m|bn|k|million|billion|thousand)?\b", re.I)


@dataclass(frozen=True)
class PlanWords:
    element_re: re.Pattern[str]  # "Priority 1:", "Ambition two –"
    bare_re: re.Pattern[
        str
    ]  # a heading "Priority 1" (title on the next line) or "Objective 1.2 Title"
    focus_re: re.Pattern[str]  # a lead-in whose list is the plan's priorities ("we will focus on:")
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
        bare_re=re.compile(
            rf"^(?P<kind>{'|'.join(map(re.escape, singular))})\s+(?P<num>\d{{1,2}}(?:\.\d{{1,2}})?|{num_words})(?:\s*[:.]?$|\s+(?=[A-Z]))",
            re.I,
        ),
        focus_re=lexicon.pattern("priority-lead-ins"),
        kinds=kinds,
        section_re=re.compile(
            rf"\b(?P<kind>{'|'.join(map(re.escape, sorted(kinds, key=len, reverse=True)))})\b", re.I
        ),
        target_re=lexicon.pattern("target-words"),
        deadline_re=re.compile(rf"\b(?:{deadline})\s+$", re.I),
        quantity_re=re.compile(
            rf"(?<![\w£.,/])(?:\d[\d,]*(?:\.\d+)?\s?(?:%|per cent|percent)|\d[\d,]*(?:\.\d+)?(?:\s+(?:working\s+|calendar\s+)?(?:minutes|hours|days|weeks|months|years))?|(?:{num_words}))(?![\w/-]|[.,]\d)",
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
    structure = _elements(view, pw)
    targets = _targets(view, pw, structure)
    plan, title = _plan(view)
    return PlanRecord(structure.elements, targets, plan, title)


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


_Add = Callable[[str, str, int, int, "str | None"], Priority]


@dataclass
class _Context:
    """Where a line sits in a plan's structure, as the lines before it set it."""

    section: str | None = None  # the kind a heading names ("Our priorities")
    section_number: str | None = None  # that heading's own number ("3" in "3. Our priorities")
    marked: bool = False  # the section already had "Priority 1: …" lines
    lead_kind: str | None = None  # the kind a lead-in names ("We call them our enablers:")
    lead_item: str | None = None  # the line kind of the list under the lead-in
    lead_commits: bool = False  # the lead-in is a commitment ("What we will do:")
    lead_open: bool = False
    scope: Priority | None = None  # the element whose section this is ("Ambition 1 – …")
    scope_start: int = 0


@dataclass
class _Structure:
    elements: list[Priority]
    scopes: list[tuple[int, int, Priority]]  # [start, end) of each element's section
    commitments: set[int]  # starts of list lines under a commitment lead-in


_NUMBER_RE = re.compile(r"^(?P<num>R?\d{1,2}(?:\.\d{1,2})*)[.)]?\s+(?P<body>\S.*)$")
_FIRST_SENTENCE_RE = re.compile(r"(?<=[a-z0-9)’'])[.!?]\s+(?=[A-Z])")


def _title(body: str) -> str:
    """An element's title: its first sentence ("Improve same-day access. We will …")."""
    body = body.strip().rstrip(";,")
    cut = _FIRST_SENTENCE_RE.search(body)
    return body[: cut.start()] if cut else body.rstrip(".")


def _heading_like(line: Line, text: str) -> bool:
    return line.kind == "heading" or (
        line.kind in ("numbered", "para")
        and len(text.split()) <= 9
        and not text.rstrip().endswith((".", ";", ",", ":"))
    )


def _is_sibling(number: str, section_number: str | None) -> bool:
    """ "5. Governance" after "4. Enablers": the next section, not the fifth enabler."""
    if section_number is None or number.count(".") != section_number.count("."):
        return False
    head, _, last = section_number.rpartition(".")
    mine_head, _, mine_last = number.rpartition(".")
    return (
        head == mine_head and mine_last.isdigit() and last.isdigit() and int(mine_last) > int(last)
    )


def _elements(view: DocView, pw: PlanWords) -> _Structure:
    """Numbered and listed plan elements, read from the document's structure: a line
    marked "Priority 1:" (a heading or a paragraph), numbered headings or items under a
    heading that names a kind, the items of a list whose lead-in names one, the rows of a
    table whose column names one."""
    out = _Structure([], [], set())
    ctx = _Context()
    header: list[str] | None = None
    pending: re.Match[str] | None = None  # "Ambition 2" alone on its line

    def close_scope(at: int) -> None:
        if ctx.scope is not None:
            out.scopes.append((ctx.scope_start, at, ctx.scope))
            ctx.scope = None

    def add(kind: str, body: str, start: int, end: int, number: str | None) -> Priority:
        element = Priority(kind, _title(body), Span(start, end), number and _number(pw, number))
        out.elements.append(element)
        return element

    for line in view.lines:
        text = view.text[line.start : line.end]
        body = line.body.strip() if line.kind == "bullet" else text.strip()
        is_table = " | " in text
        if not is_table:
            header = None
        number_m = _NUMBER_RE.match(body)
        number = number_m.group("num") if number_m and line.kind != "bullet" else None
        item_kind = "numbered" if number is not None else line.kind
        heading_like = _heading_like(line, text)
        # a list under a lead-in ends where a line of another kind, or the next section, starts
        if (
            ctx.lead_open
            and ctx.lead_item is not None
            and (
                item_kind != ctx.lead_item
                or (number is not None and heading_like and _is_sibling(number, ctx.section_number))
            )
        ):
            ctx.lead_open, ctx.lead_kind, ctx.lead_commits = False, None, False
        if pending is not None:
            close_scope(line.start)
            ctx.scope = add(pw.kinds[pending.group("kind").lower()], body, line.start, line.end,
                            pending.group("num"))  # fmt: skip
            ctx.scope_start, ctx.marked, pending = line.start, True, None
            continue
        if heading_like and (bare := pw.bare_re.match(body)):
            if bare.end() == len(body) or not body[bare.end() :].strip():
                pending = bare
            else:
                close_scope(line.start)
                ctx.scope = add(pw.kinds[bare.group("kind").lower()], body[bare.end() :],
                                line.start + bare.end(), line.end, bare.group("num"))  # fmt: skip
                ctx.scope_start, ctx.marked = line.start, True
            continue
        marks = list(pw.element_re.finditer(body))
        if (marks and marks[0].start() == 0) or (marks and not heading_like):
            lead = line.start + (text.find(body) if body in text else 0)
            for i, m in enumerate(marks):
                end = marks[i + 1].start() if i + 1 < len(marks) else len(body)
                rest = body[m.end() : end].strip()
                if rest:
                    element = add(pw.kinds[m.group("kind").lower()], rest, lead + m.start(),
                                  lead + end, m.group("num"))  # fmt: skip
                    if heading_like and len(marks) == 1:
                        close_scope(line.start)
                        ctx.scope, ctx.scope_start = element, line.start
            ctx.marked = True
            continue
        if is_table:
            header = _table_row(pw, ctx, line, text, header, add)
            continue
        lead_in = text.rstrip().endswith(":")
        if (
            ctx.lead_open
            and ctx.lead_item in (None, item_kind)
            and item_kind in ("bullet", "numbered")
        ):
            ctx.lead_item = item_kind
            if ctx.lead_commits:
                out.commitments.add(line.start)
            if ctx.lead_kind is not None and number is not None:
                for num, part, offset in _inline_numbered(text):
                    add(ctx.lead_kind, _label(part), line.start + offset, line.end, num)
            elif ctx.lead_kind is not None:
                add(ctx.lead_kind, _label(body), line.body_start, line.end, None)
            continue
        if heading_like and not lead_in:
            sm = pw.section_re.search(text)
            if (
                number is not None
                and ctx.section
                and not sm
                and not _is_sibling(number, ctx.section_number)
            ):
                assert number_m is not None
                close_scope(line.start)
                ctx.scope = add(ctx.section, number_m.group("body"), line.start, line.end, number)
                ctx.scope_start = line.start
                continue
            if sm or line.kind == "heading" or number is not None:
                close_scope(line.start)
                ctx.section = pw.kinds[sm.group("kind").lower()] if sm else None
                ctx.section_number = number
                ctx.marked = False
            continue
        if lead_in:
            last = re.split(r"(?<=[.!?])\s+", text.rstrip())[-1]
            sm = pw.section_re.search(last)
            ctx.lead_open, ctx.lead_item = True, None
            ctx.lead_kind = (
                pw.kinds[sm.group("kind").lower()]
                if sm
                else (ctx.section or ("priority" if pw.focus_re.search(last) else None))
                if ctx.scope is None and not ctx.marked
                else None
            )  # "The Inquiry Group recommends that:" under "4. Recommendations"; "we will
            # focus on:" outside any element's own section
            ctx.lead_commits = bool(pw.target_re.search(last))
            continue
        if re.search(r":\s+\S", text):
            sm = pw.section_re.search(text.split(":", 1)[0])
            if sm is not None and _inline_list(pw, line, text, sm, add):
                continue
        if ctx.section is not None and item_kind in ("bullet", "numbered") and not ctx.marked:
            if number is not None:
                for num, part, offset in _inline_numbered(text):
                    add(ctx.section, part, line.start + offset, line.end, num)
            elif ctx.section in ("ambition", "objective", "priority"):
                add(ctx.section, _label(body), line.body_start, line.end, None)
            continue
        if line.kind == "para" and len(text) >= 40 and ctx.scope is None:
            ctx.section = None
    close_scope(len(view.text))
    return out


def _label(body: str) -> str:
    """ "Our people: a workforce that is skilled …", "Best start – giving every child …"
    → the element's name before the colon or dash."""
    head = re.split(r":\s|\s[–—-]\s", body, maxsplit=1)[0]
    return head if head != body and len(head.split()) <= 6 else body


def _inline_list(pw: PlanWords, line: Line, text: str, sm: re.Match[str], add: _Add) -> bool:
    """ "Delivery depends on four enablers: digital and data; estates; and research." """
    colon = text.index(":", sm.end() - 1 if sm.end() > 0 else 0)
    if len(text[:colon].split()) - len(text[: sm.start()].split()) > 2:
        return False  # the kind word must end the lead-in ("… four enablers:")
    rest = text[colon + 1 :].strip().rstrip(".")
    parts = (
        re.split(r";\s*(?:and\s+)?", rest)
        if ";" in rest
        else re.split(r",\s*(?:and\s+)?|\s+and\s+", rest)
    )
    parts = [p.strip() for p in parts if p.strip()]
    if len(parts) < 2 or any(len(p.split()) > 8 for p in parts):
        return False
    kind = pw.kinds[sm.group("kind").lower()]
    at = colon + 1
    for part in parts:
        start = text.find(part, at)
        at = start + len(part)
        add(kind, part, line.start + start, line.start + at, None)
    return True


def _table_row(
    pw: PlanWords,
    ctx: _Context,
    line: Line,
    text: str,
    header: list[str] | None,
    add: _Add,
) -> list[str]:
    """A table whose header names a kind ("Enabler | What it means | Lead"): each row's
    cell in that column is an element, unless it is a number (a reference to one)."""
    cells = [c.strip() for c in text.split(" | ")]
    numbered = cells[0].rstrip(".").isdigit() and len(cells) > 1
    if header is None and not numbered:
        return cells  # the header row
    kinds = [pw.section_re.fullmatch(h.strip()) for h in header or ()]
    column = next((i for i, k in enumerate(kinds) if k is not None), None)
    if column is not None and column < len(cells):
        kind, cell = kinds[column], cells[column]
        if kind is not None and cell and not cell.rstrip(".").isdigit():
            add(
                pw.kinds[kind.group("kind").lower()],
                cell,
                line.start + text.find(cell),
                line.end,
                None,
            )
    elif ctx.section is not None and numbered:
        add(ctx.section, cells[1], line.start, line.end, cells[0].rstrip("."))
    return header or []


def _inline_numbered(text: str) -> list[tuple[str, str, int]]:
    """ "1. Workforce, led by X; 2. Digital, led by Y" → one element per number."""
    marks = list(re.finditer(r"(?:^|(?<=[;.]\s))(?P<num>R?\d{1,2})[.)]\s+", text))
    out = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        out.append((m.group("num"), text[m.end() : end].strip(), m.start()))
    return out


def _targets(view: DocView, pw: PlanWords, structure: _Structure) -> list[Target]:
    """Sentences that commit to a number, money or a deadline; the items of a list whose
    lead-in commits ("What we will do:") need no verb of their own; a table's rows with
    a date column are targets when they carry a number or money."""
    out: list[Target] = _table_targets(view, pw, structure)
    for sentence in view.sentences:
        text = sentence.text
        if re.match(r"^(?:RESOLVED|Resolved|Decision|Agreed|Action)\b", text) or " | " in text:
            continue
        committed = sentence.line.start in structure.commitments
        if not committed and not pw.target_re.search(text):
            continue
        dates = view.dates.get(sentence.start, [])
        deadlines = [
            d
            for d in dates
            if pw.deadline_re.search(view.text[max(sentence.start, d.start - 20) : d.start])
        ]
        leading = next(
            (
                d
                for d in deadlines
                if re.fullmatch(
                    r"\s*\w+(?:\s+the\s+end\s+of)?\s*", view.text[sentence.start : d.start]
                )
            ),
            None,
        )  # "By March 2026 we aim to …": the deadline of every clause
        clauses: list[tuple[int, int, DateMatch | None]]
        if leading is not None:
            clauses = [
                (s, e, leading) for s, e in _coordinated(view, pw, leading.end, sentence.end, dates)
            ]
        else:
            clauses = _clauses(sentence.start, sentence.end, deadlines)
        priority = _scope_of(structure, sentence.start)
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
            if deadline is None and money is None and not at_least and not (committed and quantity):
                continue
            if (
                deadline is None
                and not at_least
                and not committed
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


def _scope_of(structure: _Structure, at: int) -> Priority | None:
    """The element a sentence serves: the section it sits in, or the element's own line."""
    for start, end, element in structure.scopes:
        if start <= at < end:
            return element
    return next((p for p in structure.elements if p.span.start <= at < p.span.end), None)


def _coordinated(
    view: DocView, pw: PlanWords, start: int, end: int, dates: list[DateMatch]
) -> list[tuple[int, int]]:
    """ "supported 3,000 residents …, and to have lent 400 tablets": one target per
    coordinated clause, when each has its own number."""
    text = view.text[start:end]
    cuts = [m for m in re.finditer(r"[,;]\s+and\s+", text)]
    parts: list[tuple[int, int]] = []
    at = 0
    for m in cuts:
        parts.append((at, m.start()))
        at = m.end()
    parts.append((at, len(text)))
    if len(parts) > 1 and all(_quantity(pw, text[a:b], dates) for a, b in parts):
        return [(start + a, start + b) for a, b in parts]
    return [(start, end)]


def _table_targets(view: DocView, pw: PlanWords, structure: _Structure) -> list[Target]:
    """ "1 | Two extended-access clinics open in every PCN | October 2025 | Lead": the
    cell that is a date is the deadline, the longest other cell the target, a cell that
    is an element's number the element it serves."""
    out: list[Target] = []
    numbered = {p.number: p for p in structure.elements if p.number}
    for line in view.lines:
        text = view.text[line.start : line.end]
        if " | " not in text:
            continue
        cells: list[tuple[int, int]] = []
        at = 0
        for cell in text.split(" | "):
            cells.append((line.start + at, line.start + at + len(cell)))
            at += len(cell) + 3
        dates = [d for d in view.dates_in(line)]
        deadline = next(
            (
                d
                for d in dates
                for s, e in cells
                if s <= d.start
                and d.end <= e
                and (d.end - d.start) >= 0.6 * len(view.text[s:e].strip())
            ),
            None,
        )
        if deadline is None or deadline.start < cells[0][1]:
            continue  # a timeline ("When | Milestone") leads with its date
        rest = [(s, e) for s, e in cells if not (s <= deadline.start < e)]
        if not rest:
            continue
        s, e = max(rest, key=lambda c: len(view.text[c[0] : c[1]].split()))
        cell = view.text[s:e].strip()
        quantity = _quantity(pw, cell, dates)
        money = _MONEY_RE.search(cell)
        if quantity is None and money is None:
            continue
        ref = next(
            (
                numbered[c]
                for c in (view.text[a:b].strip().rstrip(".") for a, b in rest)
                if c in numbered
            ),
            None,
        )
        out.append(
            Target(
                cell, Span(s, e), quantity, money.group(0).strip() if money else None, deadline, ref
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
    """The number a target names; the value after "to" when it moves one ("from 14% to
    10%", "cut to 14 days")."""
    found = [m for m in pw.quantity_re.finditer(clause) if _is_quantity(m, clause)]
    goal = next(
        (m for m in found if re.search(r"\bto\s+$", clause[max(0, m.start() - 4) : m.start()])),
        None,
    )
    if goal is not None:
        return goal.group(0)
    return found[0].group(0) if found else None


def _is_quantity(m: re.Match[str], clause: str) -> bool:
    """Not a year, an ordinal, money, a day of a month or either end of a range
    ("aged 40 to 74")."""
    value = m.group(0)
    if re.match(r"\s*(?:to|-|–)\s*\d", clause[m.end() :]) or re.search(
        r"\d\s*(?:to|-|–)\s*$", clause[: m.start()]
    ):
        return False
    if re.fullmatch(r"(?:19|20)\d{2}", value) or value.lower() in _NOT_QUANTITIES:
        return False
    if clause[max(0, m.start() - 1) : m.start()] == "£" or clause[m.end() : m.end() + 1] == "/":
        return False
    return not (
        re.match(r"^\d{1,2}$", value)
        and re.match(
            r"\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)",
            clause[m.end() :],
        )
    )


_NOT_QUANTITIES = frozenset({"first", "one", "both", "second", "single", "pair"})


__all__ = ["PlanRecord", "extract_plans"]
