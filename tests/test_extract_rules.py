"""Extraction rules on small texts written for each form the issue lists: one behaviour
per test, read through the typed records (``extract_records``) and, where the pattern
matters, through the RDF."""

from __future__ import annotations

import pytest
from rdflib import URIRef
from rdflib.namespace import SKOS

from ingest.extract import extract_facts, extract_records, load_reference
from ingest.extract.names import long_form
from ingest.extract.records import Extraction, Person, Post
from ingest.loaders.clean import normalize_text
from ingest.segment import segment
from kg.model import Document
from tests.extract_helpers import ONTOLOGY


def _doc(text: str, doc_type: str = "document", title: str = "Test") -> Document:
    text = normalize_text(text)
    return Document("t", "t.txt", text, "0" * 64, title, doc_type)


def _records(text: str, doc_type: str = "document", ner: bool = False) -> Extraction:
    return extract_records(_doc(text, doc_type), load_reference(ONTOLOGY), ner=ner)


def _name(agent: object) -> str:
    if isinstance(agent, Person):
        return agent.name
    if isinstance(agent, Post):
        return agent.holder.name if agent.holder else agent.title
    return getattr(agent, "label", "")


MINUTES = """Northvale Adult Social Care Scrutiny Panel

Minutes of the meeting held on Wednesday 3 July 2024 at 2.00 pm in Room 4, Council House

Present: Councillor Anne Rudd (Chair), Councillor Tom Price (Vice-Chair), Councillors Joy Amadi and Bilal Chaudhry

In attendance: Ms Priya Shah, Head of Primary Care Contracting, NHS Northvale Integrated Care Board (the ICB)

Apologies: Councillor Lynne Shaw

1. Declarations of interest

There were no declarations of interest.

2. Minutes

The minutes of the meeting held on 24 April 2024 were approved as a correct record.

6. Community pharmacy closures

Ms Priya Shah, Head of Primary Care Contracting, presented the report.

Councillor Joy Amadi asked what support there was for housebound patients. The Head of Primary Care Contracting replied that the ICB would write to every pharmacy.

RESOLVED – (i) That the report be noted;

(ii) That the Panel requests an update in January 2025.

Action: Priya Shah to circulate the pharmacy list by 31 July 2024.
"""


@pytest.fixture(scope="module")
def minutes() -> Extraction:
    return _records(MINUTES, "minutes")


def test_meeting_date_time_venue(minutes: Extraction) -> None:
    meeting = minutes.meeting
    assert (
        meeting is not None and meeting.body.label == "Northvale Adult Social Care Scrutiny Panel"
    )
    assert meeting.date is not None and meeting.date.period.start == "2024-07-03"
    assert meeting.time == "14:00" and meeting.venue and "Room 4" in meeting.venue


def test_attendance_with_roles_posts_and_apologies(minutes: Extraction) -> None:
    seen = {(a.person.name, a.status) for a in minutes.attendance}
    assert seen == {
        ("Anne Rudd", "present"), ("Tom Price", "present"), ("Joy Amadi", "present"),
        ("Bilal Chaudhry", "present"), ("Priya Shah", "in-attendance"), ("Lynne Shaw", "apologies"),
    }  # fmt: skip
    roles = {a.person.name: a.role for a in minutes.attendance if a.role}
    assert str(roles["Anne Rudd"]).endswith("/chair") and str(roles["Tom Price"]).endswith(
        "/vice-chair"
    )
    shah = next(a for a in minutes.attendance if a.person.name == "Priya Shah")
    assert shah.post == "Head of Primary Care Contracting"


def test_declarations_none_and_minutes_approval(minutes: Extraction) -> None:
    assert [d.text for d in minutes.declarations] == ["none"]
    approvals = [d for d in minutes.decisions if d.is_minutes_approval]
    assert len(approvals) == 1 and approvals[0].approves_minutes_of is not None
    assert approvals[0].approves_minutes_of.period.start == "2024-04-24"


def test_presenter_question_reply_resolved_through_the_post(minutes: Extraction) -> None:
    assert [_name(p.who) for p in minutes.presenters] == ["Priya Shah"]
    (question,) = minutes.questions
    assert _name(question.author) == "Joy Amadi"
    assert [_name(a.author) for a in question.answers] == ["Priya Shah"]


def test_numbered_resolutions_and_action(minutes: Extraction) -> None:
    numbered = [(d.number, str(d.verb).rsplit("/", 1)[-1]) for d in minutes.decisions if d.number]
    assert numbered == [("i", "noted"), ("ii", "requested")]
    (action,) = minutes.actions
    assert _name(action.owner) == "Priya Shah" and action.due is not None
    assert action.due.period.start == "2024-07-31"


def test_the_icb_is_the_board_the_document_names(minutes: Extraction) -> None:
    icbs = {m.entity.label for m in minutes.mentions if m.text in ("ICB", "the ICB")}
    assert icbs == {"NHS Northvale Integrated Care Board"}


def test_bsol_alias_applies_where_the_document_is_about_bsol() -> None:
    text = (
        "Birmingham and Solihull update\n\nThe ICB met GP leaders across Birmingham and Solihull."
    )
    found = _records(text)
    assert {m.entity.iri for m in found.mentions if m.text == "ICB"} == {
        URIRef("https://w3id.org/govkg/id/org/icb")
    }
    elsewhere = _records("Northvale update\n\nThe ICB met GP leaders across Northvale.")
    assert not [
        m for m in elsewhere.mentions if m.entity.iri == URIRef("https://w3id.org/govkg/id/org/icb")
    ]


def test_name_variants_share_one_iri() -> None:
    text = (
        "The Fenwick Health Care Partnership (FHP) met.\n\n"
        "The Fenwick Healthcare Partnership agreed its plan. FHP will report in June 2024."
    )
    found = _records(text)
    iris = {m.entity.iri for m in found.mentions if "Fenwick" in m.text or m.text == "FHP"}
    assert len(iris) == 1


@pytest.mark.parametrize(
    ("before", "acronym", "expected"),
    [
        ("the Ashworth Health Care Partnership", "AHP", "Ashworth Health Care Partnership"),
        ("Eastmoor and Kestrel Vale Hospitals NHS Foundation Trust", "EKVH",
         "Eastmoor and Kestrel Vale Hospitals NHS Foundation Trust"),
        ("heard from NHS Ashworth and Tameside Integrated Care Board", "ATICB",
         "NHS Ashworth and Tameside Integrated Care Board"),
        ("is hosted by the", "GP", None),
    ],
)  # fmt: skip
def test_acronyms_whose_letters_skip_words(before: str, acronym: str, expected: str | None) -> None:
    assert long_form(before, acronym) == expected


def test_acronym_heading_spelled_out_on_the_next_line() -> None:
    text = "Background\n\nUTC\n\nUrgent Treatment Centre\n\nThe UTC opened in November 2021."
    found = _records(text)
    assert ("UTC", "Urgent Treatment Centre") in {
        (a.acronym, a.entity.label) for a in found.acronyms
    }


def test_priorities_and_targets() -> None:
    text = (
        "Kestrel Vale Primary Care Strategy 2024–2027\n\n"
        "Our priorities\n\n"
        "Priority 1: Improve same-day access. We will deliver two extended-access clinics in "
        "every PCN by October 2025 and increase appointments by 8% by March 2026.\n\n"
        "Priority 2: Grow the workforce. We will fund a £1.2m recurrent retention scheme."
    )
    found = _records(text, "strategy paper")
    assert [(p.kind, p.number) for p in found.priorities] == [("priority", "1"), ("priority", "2")]
    deadlines = {t.deadline.period.start for t in found.targets if t.deadline}
    assert deadlines == {"2025-10", "2026-03"}
    assert any(t.money == "£1.2m" for t in found.targets)


def test_composition_count() -> None:
    text = "The Kestrel Vale Primary Care Collaborative was formed in 2023. Its board consisted of 12 front-line clinicians elected by their peers."
    found = _records(text)
    seats = [(p.org.label if p.org else None, p.seats) for p in found.posts if p.seats]
    assert seats == [("Kestrel Vale Primary Care Collaborative", 12)]


def test_hosting_from_a_date() -> None:
    text = "From 1 April 2024 the Marshbrook GP Federation will host the enhanced access hubs."
    found = _records(text)
    (relation,) = [r for r in found.relations if r.kind == "hosts"]
    assert relation.subject.label == "Marshbrook GP Federation"
    assert relation.since is not None and relation.since.period.start == "2024-04-01"


def test_the_rdf_keeps_every_spelling_as_an_alt_label() -> None:
    text = (
        "The Fenwick Health Care Partnership (FHP) met. The Fenwick Healthcare Partnership agreed."
    )
    doc = _doc(text)
    graph = extract_facts(doc, segment(doc), load_reference(ONTOLOGY), ner=False)
    labels = {str(o) for p in (SKOS.prefLabel, SKOS.altLabel) for o in graph.objects(None, p)}
    assert {"Fenwick Health Care Partnership", "Fenwick Healthcare Partnership"} <= labels


def test_ner_finds_a_person_no_rule_does() -> None:
    text = "The review was led by the council. Sarah Kemp said the plan was on track."
    with_ner = _records(text, ner=True)
    assert "Sarah Kemp" in {p.name for p in with_ner.people}


def test_post_named_in_apposition_after_its_title() -> None:
    """ "The Partnership's Place Director, Kofi Owusu, is …": the holder follows the title;
    "Clinical Directors, Wyvern North PCNs" names no person."""
    found = _records(
        "The Marshbrook Place Partnership (MPP) leads the programme. The Partnership's Place "
        "Director, Kofi Owusu, is the senior responsible officer.\n\n"
        "To: Clinical Directors, Wyvern North PCNs"
    )
    held = {(p.title, p.holder.name if p.holder else None) for p in found.posts}
    assert any(holder == "Kofi Owusu" and "Director" in title for title, holder in held)
    assert not any(p.holder and p.holder.name == "Wyvern North" for p in found.posts)


def test_signature_with_blank_lines_between_name_post_and_body() -> None:
    found = _records(
        "Dear colleagues,\n\nPlease share this letter with your teams.\n\nYours sincerely,\n\n"
        "Sarah Kemp\n\nDirector of Primary Care\n\nNHS Wyvern and Marshbrook Integrated Care Board (WMICB)",
        "letter",
    )
    post = next(p for p in found.posts if p.holder and p.holder.name == "Sarah Kemp")
    assert post.org is not None and "Integrated Care Board" in post.org.label


SURNAMES = """LICENSING PANEL

Minutes of the meeting held on Tuesday 5 March 2024 at 7.00 pm in Room 2, Town Hall

Present: Councillors Ahmed (Chair), Brooks, Chen and Davies

Also present: Councillors Tom Bright,
Ann Cole and Dr Raj Patel (Public Health Consultant)

1. Minutes

The minutes of the meeting held on 6 February 2024 were approved.
"""


def test_councillors_known_by_surname_only() -> None:
    found = _records(SURNAMES, "minutes")
    seen = {(a.person.name, a.person.title, a.status) for a in found.attendance}
    assert {(n, "Councillor", "present") for n in ("Ahmed", "Brooks", "Chen", "Davies")} <= seen
    # a councillors list wrapped onto a second line: its people stay councillors, a titled
    # person in it keeps their own title
    assert {("Tom Bright", "Councillor", "in-attendance"), ("Ann Cole", "Councillor", "in-attendance"),
            ("Raj Patel", "Dr", "in-attendance")} <= seen  # fmt: skip
    chair = next(a for a in found.attendance if a.person.name == "Ahmed")
    assert chair.role is not None and str(chair.role).endswith("/chair")


def test_post_lines_titles_of_a_body_and_acronym_initials() -> None:
    found = _records(
        "The Ambleford Healthcare Partnership (AHP) runs the hubs.\n\n"
        "Managing Director: Joanne Ellery\n\n"
        "Head of Operations – Grace Mbeki\n\n"
        "Copy to Councillor Bea Nwosu, Chair of the Ambleford Health Scrutiny Committee.\n"
    )
    posts = {
        (p.title, p.holder.name if p.holder else None, p.org.label if p.org else None)
        for p in found.posts
    }
    assert ("Managing Director", "Joanne Ellery", "Ambleford Healthcare Partnership") in posts
    assert ("Head of Operations", "Grace Mbeki", "Ambleford Healthcare Partnership") in posts
    assert ("Chair", "Bea Nwosu", "Ambleford Health Scrutiny Committee") in posts
    assert (
        long_form("The Ambleford Healthcare Partnership", "AHP")
        == "Ambleford Healthcare Partnership"
    )
