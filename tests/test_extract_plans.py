"""Plans and bodies read from structure, not from one document's wording: numbered and
marked headings, lead-ins that name the kind of their list, tables, commitments, anaphora
and relations in layouts the shipped documents do not use."""

from __future__ import annotations

from ingest.extract import extract_records, load_reference
from ingest.extract.records import Extraction
from ingest.loaders.clean import normalize_text
from kg.model import Document
from tests.extract_helpers import ONTOLOGY


def _records(text: str, doc_type: str = "strategy paper") -> Extraction:
    doc = Document("t", "t.txt", normalize_text(text), "0" * 64, "Test", doc_type)
    return extract_records(doc, load_reference(ONTOLOGY), ner=False)


def _elements(found: Extraction) -> list[tuple[str, str | None, str]]:
    return [(p.kind, p.number, p.text) for p in found.priorities]


def test_marked_headings_open_sections_whose_commitment_lists_are_targets() -> None:
    found = _records(
        "Our ambitions\n\n"
        "Ambition 1 – Thriving neighbourhoods\n\n"
        "What we will do:\n\n"
        "• open four neighbourhood hubs by September 2025;\n"
        "• plant 10,000 street trees by the end of 2027.\n\n"
        "Ambition 2 – A fair start for every child\n\n"
        "What we will do:\n\n"
        "• create 150 new specialist school places by September 2027."
    )
    assert _elements(found) == [
        ("ambition", "1", "Thriving neighbourhoods"),
        ("ambition", "2", "A fair start for every child"),
    ]
    targets = {(t.quantity, t.deadline.period.start if t.deadline else None) for t in found.targets}
    assert targets == {("four", "2025-09"), ("10,000", "2027"), ("150", "2027-09")}
    by_priority = {t.quantity: t.priority.number if t.priority else None for t in found.targets}
    assert by_priority == {"four": "1", "10,000": "1", "150": "2"}


def test_a_bare_mark_takes_its_title_from_the_next_line() -> None:
    found = _records(
        "Priority 1\n\nBetter access to GP services\n\nPriority 2\n\nA stable workforce"
    )
    assert _elements(found) == [
        ("priority", "1", "Better access to GP services"),
        ("priority", "2", "A stable workforce"),
    ]


def test_numbered_headings_under_a_heading_that_names_the_kind() -> None:
    found = _records(
        "Our four strategic priorities\n\n"
        "1. Helping people stay well\n\n"
        "We will focus on:\n\n"
        "• finding 2,000 more people with high blood pressure every year\n\n"
        "2. Faster access to care\n\n"
        "We will focus on:\n\n"
        "• seeing 78% of people within four hours by March 2026\n\n"
        "How we will know\n\n"
        "1. Quarterly reports to the Board"
    )
    assert _elements(found) == [
        ("priority", "1", "Helping people stay well"),
        ("priority", "2", "Faster access to care"),
    ]
    assert {t.quantity for t in found.targets} == {"2,000", "78%"}


def test_the_next_numbered_section_is_not_an_element() -> None:
    found = _records(
        "3. Enablers\n\n"
        "The strategy depends on two enablers:\n\n"
        "1. Workforce, led by the Training Hub; 2. Digital and data.\n\n"
        "4. Governance and delivery\n\n"
        "The Board oversees delivery."
    )
    assert [(k, n, t.split(",")[0]) for k, n, t in _elements(found)] == [
        ("enabler", "1", "Workforce"),
        ("enabler", "2", "Digital and data"),
    ]


def test_a_lead_in_names_its_list_and_an_inline_list_after_a_colon() -> None:
    found = _records(
        "How we will get there\n\n"
        "We call them our enablers:\n\n"
        "• Our people: a workforce that is skilled and valued\n"
        "• Sound finances: a balanced budget in every year\n\n"
        "Delivery depends on three enablers: digital and data; estates; and research."
    )
    assert [p.text for p in found.priorities] == [
        "Our people",
        "Sound finances",
        "digital and data",
        "estates",
        "research",
    ]
    assert {p.kind for p in found.priorities} == {"enabler"}


def test_a_focus_lead_in_lists_priorities_outside_any_element() -> None:
    found = _records(
        "Summary\n\nOver the next three years we will focus on:\n\n"
        "• prevention and early help\n• joined-up care in neighbourhoods"
    )
    assert _elements(found) == [
        ("priority", None, "prevention and early help"),
        ("priority", None, "joined-up care in neighbourhoods"),
    ]


def test_a_table_column_that_names_the_kind_and_a_targets_table() -> None:
    found = _records(
        "Enablers\n\n"
        "Enabler | What it means | Lead\n"
        "Data | Shared data on who is missing out | The ICB\n"
        "Workforce | Staff trained in trauma-informed practice | The Trust\n\n"
        "Our priorities for the year are:\n\n"
        "1. Same-day care\n\n"
        "2. Frailty\n\n"
        "Targets\n\n"
        "Priority | What we will deliver | By when\n"
        "1 | Two extended-access clinics open in every PCN | October 2025\n"
        "2 | 1,200 frailty assessments completed | December 2025\n\n"
        "Timeline\n\n"
        "When | Milestone\n"
        "Q1 2025/26 | 3 hubs open"
    )
    assert [(p.kind, p.text) for p in found.priorities][:2] == [
        ("enabler", "Data"),
        ("enabler", "Workforce"),
    ]
    targets = {
        (t.quantity, t.deadline.period.start if t.deadline else None, t.priority.text if t.priority else None)
        for t in found.targets
    }  # fmt: skip
    assert targets == {("Two", "2025-10", "Same-day care"), ("1,200", "2025-12", "Frailty")}


def test_a_leading_deadline_serves_every_coordinated_clause() -> None:
    found = _records(
        "By March 2026 we aim to have supported 3,000 residents to use the NHS App, and to "
        "have lent 400 tablets through the device library."
    )
    assert {
        (t.quantity, t.deadline.period.start if t.deadline else None) for t in found.targets
    } == {
        ("3,000", "2026-03"),
        ("400", "2026-03"),
    }


def test_the_goal_value_and_not_a_range_or_a_hyphenated_number() -> None:
    found = _records(
        "We will cut smoking from 14% to 10% by March 2028. We will raise the take-up of "
        "childcare for two-year-olds to 85% by 2026. We will offer a check to every resident "
        "aged 40 to 74."
    )
    assert {t.quantity for t in found.targets} == {"10%", "85%"}


def test_the_programme_and_it_are_the_programme_the_page_is_about() -> None:
    found = _records(
        "Digital Inclusion Programme\n\n"
        "The programme was started by the Larkhaven Health and Care Partnership Board. "
        "Until September 2024 it was hosted by Larkhaven City Council. "
        "The programme is overseen by the Digital Inclusion Steering Group.",
        "programme page",
    )
    relations = {
        (r.kind, r.subject.label, r.object.label if r.object else r.object_text)
        for r in found.relations
    }
    assert ("hosts", "Larkhaven City Council", "Digital Inclusion Programme") in relations
    assert ("leads", "Digital Inclusion Steering Group", "Digital Inclusion Programme") in relations


def test_coordinated_predicates_keep_their_subject_and_agents_no_alias_knows() -> None:
    found = _records(
        "Dunmere Place Partnership sits within NHS Northcliffe Integrated Care Board (NICB) and "
        "is accountable to the ICB through the Dunmere Place Committee. Hollinsby Voluntary "
        "Action will host the community grants scheme from 1 June 2024. The PSU is led by its "
        "Managing Director, Dr Faisal Iqbal, who reports to the PSU Steering Group."
    )
    relations = {
        (r.kind, r.subject.label, r.object.label if r.object else r.object_text)
        for r in found.relations
    }
    assert (
        "part-of",
        "Dunmere Place Partnership",
        "NHS Northcliffe Integrated Care Board",
    ) in relations
    assert (
        "reports-to",
        "Dunmere Place Partnership",
        "NHS Northcliffe Integrated Care Board",
    ) in relations
    assert ("hosts", "Hollinsby Voluntary Action", "community grants scheme") in relations
    assert not any(
        kind == "reports-to" and obj == "Dunmere Place Committee" for kind, _s, obj in relations
    )
    assert not any(obj == "PSU Steering Group" for _k, _s, obj in relations)


def test_change_events_fronted_and_restructured() -> None:
    found = _records(
        "Set up in 2023 by the Wyvern County Council, the Wyvern Prevention Board meets monthly. "
        "The Dunmere Place Committee was reset in January 2025."
    )
    changes = {
        (c.verb.lower(), c.result.label, c.actor.label if c.actor else None) for c in found.changes
    }
    assert ("set up", "Wyvern Prevention Board", "Wyvern County Council") in changes
    assert ("reset", "Dunmere Place Committee", None) in changes


def test_decimal_numbered_marks_and_dashed_labels() -> None:
    found = _records(
        "Objective 1.1 Improve access to urgent care\n\n"
        "Our priorities are:\n\n"
        "• Best start in life – giving every child a good start\n"
        "• Healthy ageing – living well for longer"
    )
    assert _elements(found) == [
        ("objective", "1.1", "Improve access to urgent care"),
        ("priority", None, "Best start in life"),
        ("priority", None, "Healthy ageing"),
    ]


def test_a_relation_starts_as_of_or_with_effect_from_a_date() -> None:
    found = _records(
        "Effective 1 April 2025 the Marshbrook GP Federation will host the enhanced access "
        "hubs. As of 1 May 2025, Wyvern County Council hosts the programme office."
    )
    since = {(r.subject.label, r.since.period.start if r.since else None) for r in found.relations}
    assert since == {
        ("Marshbrook GP Federation", "2025-04-01"),
        ("Wyvern County Council", "2025-05-01"),
    }


def test_committees_of_inverse_reporting_and_replacements() -> None:
    found = _records(
        "NHS Brackenmoor Integrated Care Board (BICB) runs the area. The Quality Committee is a "
        "committee of the ICB Board. The Brackenmoor Place Board is a joint committee of the ICB "
        "and Brackenmoor County Council. The Finance Committee receives reports from the "
        "Contracts Oversight Group and the Estates Working Group. In May 2024 the System "
        "Workforce Board was replaced by the Brackenmoor People Board, which now oversees the "
        "workforce programme. The frailty workstream is led by the Dunmere PCNs, and Dunmere "
        "Young Minds leads the mental health workstream."
    )
    relations = {
        (r.kind, r.subject.label, r.object.label if r.object else r.object_text)
        for r in found.relations
    }
    icb = "NHS Brackenmoor Integrated Care Board"
    assert {
        ("part-of", "Quality Committee", icb),
        ("part-of", "Brackenmoor Place Board", icb),
        ("part-of", "Brackenmoor Place Board", "Brackenmoor County Council"),
        ("reports-to", "Contracts Oversight Group", "Finance Committee"),
        ("reports-to", "Estates Working Group", "Finance Committee"),
        ("leads", "Brackenmoor People Board", "workforce programme"),
    } <= relations
    assert not any(
        s == "Dunmere Young Minds" and o == "The frailty workstream" for _k, s, o in relations
    )
    (change,) = [c for c in found.changes if c.verb == "replaced"]
    assert change.result.label == "Brackenmoor People Board"
    assert change.original is not None and change.original.label == "System Workforce Board"
