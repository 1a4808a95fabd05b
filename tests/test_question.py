"""Question analysis: names linked through the graph, what is asked, the relation, follow-ups.

Most tests use the shipped corpus (the real graph and lexicon); the token and key functions
are checked with Hypothesis because they parse any text a user types.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.answer import Answerer
from assistant.entities import name_key, tokens
from assistant.model import Conversation, LinkedEntity, Turn
from assistant.relations import bind, load_relations
from kg.errors import ConfigError
from kg.settings import REPO_ROOT

PSU = "https://w3id.org/govkg/id/org/psu"
STEERING = "https://w3id.org/govkg/id/org/psu-steering-group"
GPB = "https://w3id.org/govkg/id/org/gp-partnership-board"


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_tokens_are_slices_of_the_text(text: str) -> None:
    import unicodedata

    normal = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    for tok in tokens(text):
        assert normal[tok.start : tok.end].rstrip("'") == tok.raw
        assert tok.norm and tok.norm != "the"


NAMES = st.sampled_from(
    ["GP Partnership Board", "PSU Steering Group", "Integrated Neighbourhood Teams", "RAFT"]
)


@given(NAMES, st.sampled_from(["", "the ", "The "]), st.sampled_from(["", "'s", "’s"]))
@settings(max_examples=60, deadline=None)
def test_name_keys_ignore_case_the_and_possessives(name: str, article: str, owner: str) -> None:
    assert name_key(f"{article}{name}{owner}") == name_key(name)
    assert name_key(name.upper()) == name_key(name.lower())


def test_plurals_fold_to_the_singular() -> None:
    assert name_key("Integrated Neighbourhood Teams") == name_key("integrated neighbourhood team")
    assert name_key("PCNs") == name_key("PCN")


@pytest.mark.parametrize(
    "question",
    [
        "Who chairs the PSU steering group?",
        "who chairs the psu steering group",
        "Who chairs the GP PSU Steering Group?",
        "Who is the chair of the PSU Steering Group's?",
    ],
)
def test_one_entity_by_any_of_its_names(question: str, answerer: Answerer) -> None:
    q = answerer.understand(question)
    assert [e.iri for e in q.entities] == [STEERING]


@pytest.mark.parametrize("name", ["GP PSU", "GPPSU", "PSU", "the PSU's", "Provider Support Unit"])
def test_the_psu_by_every_spelling(name: str, answerer: Answerer) -> None:
    q = answerer.understand(f"What is {name} for?")
    assert PSU in [e.iri for e in q.entities]


def test_a_surname_after_a_title_names_the_person(answerer: Answerer) -> None:
    q = answerer.understand("Which posts does Dr Suleman hold?")
    assert [e.kind for e in q.entities] == ["person"]


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Who set up the GP PSU Steering Group?", "agent"),
        ("When did the steering group first meet?", "date"),
        ("How many people sit on the GP Partnership Board?", "number"),
        ("How much does the PSU cost to run?", "money"),
        ("What does RAFT stand for?", "expansion"),
        ("what's RAFT", "expansion"),
        ("Why did the ICB set up the PSU?", "reason"),
        ("Which committee endorsed the themes?", "body"),
        ("and when?", "date"),
    ],
)
def test_what_is_asked_for(question: str, asks: str, answerer: Answerer) -> None:
    assert answerer.understand(question).asks == asks


@pytest.mark.parametrize(
    ("question", "relation"),
    [
        ("Who chairs the PSU steering group?", "post-holders"),
        ("Who set up the GP PSU Steering Group?", "changes"),
        ("What is the GP Provider Support Unit for?", "purposes"),
        ("How many people sit on the GP Partnership Board?", "composition"),
        ("Which bodies is the GP Partnership Board linked with?", "links"),
        ("What did the scrutiny committee decide?", "decisions"),
        ("Who presented the report?", "presenters"),
        ("What did members ask about websites?", "questions"),
        ("What happened in March 2023?", "events"),
        ("What does RAFT stand for?", "acronym"),
        ("Which two teams did the ICB incorporate?", "changes"),
    ],
)
def test_the_relation_the_words_point_to(question: str, relation: str, answerer: Answerer) -> None:
    q = answerer.understand(question)
    assert q.relations and q.relations[0].relation.name == relation


def test_a_role_word_becomes_the_role_parameter(answerer: Answerer) -> None:
    q = answerer.understand("Who is the vice-chair of the PSU steering group?")
    choice = q.relations[0]
    assert choice.params["role"] == ["https://w3id.org/govkg/id/role/vice-chair"]


def test_generic_decision_words_do_not_narrow_the_verb(answerer: Answerer) -> None:
    resolve = answerer.understand("What did the committee resolve?").relations[0]
    endorse = answerer.understand("Which committee endorsed the themes?").relations[0]
    assert resolve.params["verb"] == []
    assert endorse.params["verb"] == ["https://w3id.org/govkg/id/decision-verb/endorsed"]


@pytest.mark.parametrize(
    "question",
    [
        "committee committee committee committee",
        "the the the",
        "asdf qwerty zxcv",
        "purple monkey dishwasher",
    ],
)
def test_nonsense(question: str, answerer: Answerer) -> None:
    assert answerer.understand(question).nonsense


def test_a_real_question_is_not_nonsense(answerer: Answerer) -> None:
    assert answerer.understand("Who chairs the PSU steering group?").nonsense is None


def _turn(question: str, *entities: LinkedEntity, answered: tuple[LinkedEntity, ...] = ()) -> Turn:
    return Turn(question, tuple(entities), answered, "changes", "agent")


def test_it_is_the_last_questions_body(answerer: Answerer) -> None:
    conversation = Conversation()
    steering = LinkedEntity(STEERING, "PSU Steering Group", "PSU Steering Group", "organisation")
    board = LinkedEntity(GPB, "GP Partnership Board", "GP Partnership Board", "organisation")
    conversation.add(_turn("Who set up the PSU Steering Group?", steering, answered=(board,)))
    q = answerer.understand("and who chairs it?", conversation)
    assert q.follow_up and [e.iri for e in q.entities] == [STEERING]


def test_she_is_the_last_person_named(answerer: Answerer) -> None:
    conversation = Conversation()
    steering = LinkedEntity(STEERING, "PSU Steering Group", "x", "organisation")
    person = LinkedEntity(
        "https://w3id.org/govkg/id/person/subeena-suleman", "Subeena Suleman", "x", "person"
    )
    conversation.add(_turn("Who chairs the PSU Steering Group?", steering, answered=(person,)))
    q = answerer.understand("what other role does she have?", conversation)
    assert [e.kind for e in q.entities] == ["person"]


def test_a_question_naming_its_own_subject_is_no_follow_up(answerer: Answerer) -> None:
    conversation = Conversation()
    conversation.add(_turn("Who set up the PSU Steering Group?"))
    q = answerer.understand("How many people sit on the GP Partnership Board?", conversation)
    assert not q.follow_up and [e.iri for e in q.entities] == [GPB]


def test_conversation_keeps_the_recent_turns() -> None:
    conversation = Conversation(max_turns=2)
    for n in range(4):
        conversation.add(_turn(f"q{n}"))
    assert [t.question for t in conversation.turns] == ["q2", "q3"]


def test_every_relation_file_parses_and_binds_only_iris() -> None:
    relations = load_relations(REPO_ROOT / "ontology")
    assert {r.name for r in relations} >= {
        "post-holders",
        "person-posts",
        "changes",
        "purposes",
        "composition",
        "links",
        "decisions",
        "presenters",
        "questions",
        "acronym",
        "events",
        "programmes",
        "attendance",
        "actions",
        "plan-elements",
    }
    for relation in relations:
        assert relation.says and relation.facts and relation.subject_kinds
        bound = bind(relation.query, {"subject": [PSU]})
        assert "urn:govkg:param" not in bound and f"<{PSU}>" in bound
    with pytest.raises(ValueError):
        bind(relations[0].query, {"subject": ["not an IRI> } DROP ALL {"]})


def test_a_relation_without_sentences_is_a_config_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from assistant.relations import parse_relation

    path = tmp_path / "broken.rq"
    path.write_text("# subject: organisation\nSELECT ?x WHERE { ?x ?p ?o }\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        parse_relation(path)


# ---- informal questions: read as the documents write, the relation from the ontology --------


@pytest.mark.parametrize(
    ("question", "acronym"),
    [("what does psu stand for", "PSU"), ("whats raft", "RAFT"), ("what does gppsu mean", "GPPSU")],
)
def test_a_lower_case_acronym_is_read_as_the_documents_write_it(
    question: str, acronym: str, answerer: Answerer
) -> None:
    q = answerer.understand(question)
    assert (q.asks, q.acronym) == ("expansion", acronym)


def test_a_common_word_is_no_acronym(answerer: Answerer) -> None:
    assert answerer.understand("what does the board do").acronym is None


@pytest.mark.parametrize(
    ("question", "label"),
    [("what happened in april 2023", "April 2023"), ("what happened in nov 22", "Nov 22")],
)
def test_a_lower_case_month_is_a_date(question: str, label: str, answerer: Answerer) -> None:
    assert [p.label for p in answerer.understand(question).periods] == [label]


def test_may_the_verb_is_no_month(answerer: Answerer) -> None:
    assert answerer.understand("who may attend the board").periods == []


def test_with_no_cue_the_kind_named_picks_the_relation(answerer: Answerer) -> None:
    q = answerer.understand("who is subeena suleman")
    assert q.relations and q.relations[0].relation.name == "person-posts"
    assert q.relations[0].why == "by kind: person"


def test_a_lower_case_surname_after_a_title_is_a_name(answerer: Answerer) -> None:
    q = answerer.understand("what does dr suleman do")
    assert [e.kind for e in q.entities] == ["person"]


def test_a_follow_up_with_no_words_of_its_own_asks_of_the_last_turn(answerer: Answerer) -> None:
    conversation = Conversation()
    answerer.ask("Who chairs the PSU steering group?", conversation)
    q = answerer.understand("and what else does she do?", conversation)
    assert q.nonsense is None
    assert [e.kind for e in q.entities] == ["person"]
