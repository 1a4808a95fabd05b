"""A deterministic synthetic corpus in the style of ``corpus/``, with questions it can answer.

Three kinds of document rotate: committee minutes (agenda item, presenter, members'
questions and replies, numbered resolutions), strategy papers (priorities, a governance
board with its chair and size) and PSU pages (purposes and a dated timeline). Every
document is built around a unique codename, so a question that names it has exactly one
right passage even at 10,000 documents.

``questions.jsonl`` follows ``/work/shared/eval/qa-dev.jsonl`` (id, question, must,
evidence, answerable) plus ``doc`` (the file name) and ``quote`` (the verbatim sentence
holding the answer), which the runner uses to locate the gold span.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ONSETS = [
    "Ash",
    "Brack",
    "Cal",
    "Dun",
    "Elm",
    "Fern",
    "Gold",
    "Hal",
    "Ire",
    "Kel",
    "Lang",
    "Mar",
    "Nor",
    "Oak",
    "Pen",
    "Quin",
    "Rav",
    "Sel",
    "Thorn",
    "Ul",
    "Ver",
    "Wex",
    "Yar",
    "Zel",
    "Bram",
    "Cor",
    "Del",
    "Fal",
    "Gar",
    "Hol",
]
MIDDLES = ["a", "e", "i", "o", "u", "ar", "er", "en", "in", "on"]
ENDINGS = [
    "brook",
    "bury",
    "combe",
    "dale",
    "field",
    "ford",
    "gate",
    "ham",
    "hurst",
    "leigh",
    "mere",
    "moor",
    "stead",
    "ton",
    "well",
    "wick",
    "worth",
    "by",
    "cott",
    "den",
]
FIRST = [
    "Aisha",
    "Ben",
    "Chloe",
    "Daniel",
    "Esther",
    "Farid",
    "Grace",
    "Hamza",
    "Imogen",
    "James",
    "Kavita",
    "Liam",
    "Maya",
    "Nadia",
    "Owen",
    "Priya",
    "Rosa",
    "Samuel",
    "Tariq",
    "Una",
    "Victor",
    "Wendy",
    "Yusuf",
    "Zara",
    "Amir",
    "Bella",
    "Carl",
    "Dina",
    "Ewan",
    "Fatima",
]
SURNAMES = [
    "Adeyemi",
    "Bhatt",
    "Clarke",
    "Dlamini",
    "Evans",
    "Fraser",
    "Gill",
    "Hussain",
    "Iqbal",
    "Jenkins",
    "Khan",
    "Lowe",
    "Mensah",
    "Nowak",
    "Okafor",
    "Patel",
    "Quinn",
    "Rahman",
    "Singh",
    "Turner",
    "Usman",
    "Vance",
    "Walsh",
    "Xu",
    "Young",
    "Zaman",
    "Brennan",
    "Chowdhury",
    "Doyle",
    "Ellis",
]
POSTS = (
    "Director of Finance",
    "Chief Medical Officer",
    "Chief Nursing Officer",
    "Director of Public Health",
    "Director of Strategy",
    "Chief Officer for Primary Care",
    "Director of Digital Transformation",
    "Head of Commissioning",
    "Director of Workforce",
    "Chief Operating Officer",
)
ORG_KINDS = ("ICB", "City Council", "NHS Foundation Trust", "Community Health Partnership")
COMMITTEES = (
    "Health and Wellbeing Board",
    "Health Overview and Scrutiny Committee",
    "Audit and Risk Committee",
    "Quality and Safety Committee",
    "Finance and Performance Committee",
    "Place Committee",
)
TOPICS = (
    ("Community Diagnostics", "diagnostic waiting times"),
    ("Urgent Care Navigation", "urgent care attendances"),
    ("Winter Resilience", "winter bed capacity"),
    ("Mental Health Crisis Support", "crisis response times"),
    ("Dental Access Recovery", "routine dental appointments"),
    ("Childhood Immunisation", "immunisation uptake"),
    ("Estates Rationalisation", "surplus clinical estate"),
    ("Digital Front Door", "online consultation requests"),
    ("Pharmacy First", "community pharmacy referrals"),
    ("Workforce Retention", "staff turnover"),
    ("Elective Recovery", "elective waiting lists"),
    ("Frailty Pathway", "hospital admissions for frail residents"),
)
VERBS = (
    ("Endorsed", "the recommendations of the {title} report"),
    ("Requested", "a further update on {measure} at a future meeting"),
    ("Noted", "the risks to {measure} set out in the report"),
    ("Agreed", "that the {codename} steering group would report quarterly"),
    ("Approved", "the {codename} funding envelope of £{money} million"),
    ("Deferred", "a decision on the {codename} procurement until the next meeting"),
)
CONCERNS = (
    "how residents without internet access would be supported",
    "whether the plan had been tested with carers",
    "the timetable for reducing {measure}",
    "how progress would be reported to the public",
    "the cost of the {codename} pilot",
)
PURPOSES = (
    ("Corporate stability", "To promote the sustainability of {codename} practices"),
    ("Change leadership", "To support {codename} practices through complex change"),
    ("Singular representation", "To present a unified voice for {codename} general practice"),
    ("Innovation", "To spread quality improvement methods across {codename} neighbourhoods"),
    ("System contribution", "To help {codename} practices lead system-wide change"),
)
EVENTS = (
    "Options appraisal of the {codename} hosting arrangements",
    "{codename} scoping meeting with all PCN directors",
    "Launch of the {codename} programme group",
    "Engagement with localities on {codename} support",
    "Transfer of {codename} commissioning functions",
)
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
KINDS = ("minutes", "strategy", "psu")
UNANSWERABLE = (
    "What is the annual budget of the {codename} Provider Support Unit?",
    "Who is the leader of {place} Council?",
    "How many beds does the {codename} Community Hospital have?",
    "When will the {codename} Integrated Care Hub open?",
)


@dataclass
class Question:
    """A generated question with the sentence that answers it."""

    question: str
    must: list[list[str]]
    quote: str
    doc: str
    answerable: bool = True


@dataclass
class GeneratedDoc:
    """One synthetic document: its file name, catalog entry, text and questions."""

    name: str
    title: str
    doc_type: str
    publisher: str
    issued: str
    text: str
    questions: list[Question] = field(default_factory=list)


def norm(text: str) -> str:
    """Lower-case, punctuation to spaces: the comparison used by the eval scorer."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(re.sub(r"[^a-z0-9%]+", " ", text).split())


class Names:
    """Unique codenames and places drawn without replacement from a seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def codename(self) -> str:
        """A new two-part codename such as "Kelmoor Ashworth"; never repeated."""
        while True:
            name = f"{self._word()} {self._word()}"
            if name not in self.used:
                self.used.add(name)
                return name

    def place(self) -> str:
        return self._word()

    def _word(self) -> str:
        r = self.rng
        middle = r.choice(MIDDLES) if r.random() < 0.4 else ""
        return f"{r.choice(ONSETS)}{middle}{r.choice(ENDINGS)}"

    def person(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(SURNAMES)}"


def _date(rng: random.Random) -> tuple[int, int, int]:
    return rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28)


def minutes(rng: random.Random, names: Names, index: int) -> GeneratedDoc:
    """Committee minutes: one agenda item, presenter, questions, replies, resolutions."""
    place, codename = names.place(), names.codename()
    committee = f"{place} {rng.choice(COMMITTEES)}"
    org = f"{place} {rng.choice(ORG_KINDS)}"
    post = rng.choice(POSTS)
    topic, measure = rng.choice(TOPICS)
    title = f"{codename} {topic} Review"
    year, month, day = _date(rng)
    fill = {"title": title, "measure": measure, "codename": codename, "money": rng.randint(2, 90)}
    presented = f"The {post}, {org} presented the report, outlining progress on {measure}."
    concerns = [c.format(**fill) for c in rng.sample(CONCERNS, 2)]
    reply_person = names.person()
    bullets = [
        f"  • A Member queried {concerns[0]}.",
        f"  • The {post} confirmed that {reply_person} would lead a review of {measure}.",
        f"  • A Member raised {concerns[1]}.",
        f"  • The {post} explained that the {codename} team would publish quarterly updates.",
    ]
    verbs = rng.sample(VERBS, 2)
    resolutions = [
        f"({n})  {v} {obj.format(**fill)}." for n, (v, obj) in zip(("i", "ii"), verbs, strict=True)
    ]
    text = "\n\n".join(
        [
            "Agenda item",
            f"{title}",
            f"This report sets out the {topic.lower()} programme in {place} and the work "
            f"under way on {measure} since {MONTH_NAMES[month - 1]} {year}.",
            presented,
            f"Members were informed how the {codename} team had engaged with practices, "
            f"residents and partner organisations across {place}.",
            "Member raised the following observations and queries:\n\n" + "\n".join(bullets),
            "The Chairman welcomed the report and thanked Members for the points they raised.",
            f"  The {committee}:",
            *resolutions,
            "Supporting documents:",
        ]
    )
    name = f"minutes-{index:05d}-{_slug(codename)}.txt"
    verb = verbs[0][0]
    first_resolution = resolutions[0].split(None, 1)[1].strip()
    questions = [
        Question(
            f"Who presented the {title} report to the {committee}?",
            [[post.lower()]],
            presented,
            name,
        ),
        Question(
            f"What did the {committee} resolve about the {title}?",
            [[verb.lower()]],
            first_resolution,
            name,
        ),
        Question(
            f"Who would lead the review of {measure} in the {title}?",
            [[reply_person.lower()]],
            bullets[1].strip(" •"),
            name,
        ),
    ]
    return GeneratedDoc(
        name,
        f"{committee}: {title}",
        "minutes",
        committee,
        f"{year}-{month:02d}-{day:02d}",
        text + "\n",
        questions,
    )


def strategy(rng: random.Random, names: Names, index: int) -> GeneratedDoc:
    """A strategy paper: context, priorities and a governance board."""
    place, codename = names.place(), names.codename()
    org = f"{place} {rng.choice(ORG_KINDS)}"
    chair = f"Dr {names.person()}"
    size = rng.randint(6, 24)
    topics = rng.sample(TOPICS, 3)
    year, month, _ = _date(rng)
    board = f"{codename} Partnership Board"
    governed = (
        f"The {board} is chaired by {chair} and consisted of {size} front-line "
        f"professionals, elected by their peers."
    )
    priorities = [f"  • {t}: to reduce {m} in {place}" for t, m in topics]
    text = "\n\n".join(
        [
            f"{codename} Strategy",
            "Context",
            f"{org} has agreed a strategy for {place} called the {codename} Strategy. It "
            f"reflects national priorities and the feedback heard from residents in "
            f"{MONTH_NAMES[month - 1]} {year}.",
            "Our priorities",
            f"The {codename} Strategy sets three priorities:\n" + "\n".join(priorities),
            "Governance",
            governed + f" The board reports to the {place} Place Committee and meets monthly.",
            "Next steps",
            f"The strategy will be reviewed after twelve months by the {place} Health and "
            "Wellbeing Board.",
        ]
    )
    name = f"strategy-{index:05d}-{_slug(codename)}.txt"
    first = priorities[0].strip(" •")
    questions = [
        Question(f"Who chairs the {board}?", [[chair.lower()]], governed, name),
        Question(f"How many professionals make up the {board}?", [[str(size)]], governed, name),
        Question(
            f"What is the first priority of the {codename} Strategy?",
            [[norm(topics[0][0])]],
            first,
            name,
        ),
    ]
    return GeneratedDoc(
        name,
        f"{codename} Strategy",
        "strategy paper",
        org,
        f"{year}-{month:02d}",
        text + "\n",
        questions,
    )


def psu(rng: random.Random, names: Names, index: int) -> GeneratedDoc:
    """A PSU page: purposes and a dated timeline."""
    place, codename = names.place(), names.codename()
    unit = f"{codename} Provider Support Unit"
    purposes = rng.sample(PURPOSES, 3)
    purpose_lines = [f"  • {label}: {goal.format(codename=codename)}" for label, goal in purposes]
    events = rng.sample(EVENTS, 3)
    year = rng.randint(2019, 2025)
    months = sorted(rng.sample(range(12), 3))
    timeline = [
        f"{MONTHS[m]} {year % 100:02d} : {e.format(codename=codename)}"
        for m, e in zip(months, events, strict=True)
    ]
    text = "\n\n".join(
        [
            f"{unit}, {place}",
            "About  |  Resources  |  Localities  |  Events",
            f"The {unit} supports general practice in {place} to deliver quality improvement "
            "and transformation.",
            f"What is the purpose of the {unit}?",
            "\n".join(purpose_lines),
            f"{codename} PSU : steps in our development",
            "\n".join(timeline),
            "Key Next Steps",
            "  • Locality discussions to continue informing priorities and plans",
        ]
    )
    name = f"psu-{index:05d}-{_slug(codename)}.txt"
    label, goal = purposes[0]
    event = events[1].format(codename=codename)
    when = f"{MONTHS[months[1]]} {year % 100:02d}"
    questions = [
        Question(
            f"When did the {event[0].lower() + event[1:]} happen?",
            [[norm(when)]],
            timeline[1],
            name,
        ),
        Question(
            f"What is the {label.lower()} purpose of the {unit}?",
            [[norm(goal.split("{codename}")[-1])]],
            purpose_lines[0].strip(" •"),
            name,
        ),
    ]
    return GeneratedDoc(
        name, f"{unit}: developing the role", "PSU page", unit, str(year), text + "\n", questions
    )


BUILDERS = {"minutes": minutes, "strategy": strategy, "psu": psu}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def documents(size: int, seed: int = 7) -> Iterator[GeneratedDoc]:
    """``size`` documents, the same for the same seed; kinds rotate minutes/strategy/psu."""
    rng = random.Random(seed)
    names = Names(rng)
    for index in range(size):
        yield BUILDERS[KINDS[index % len(KINDS)]](rng, names, index)


def unanswerable(rng: random.Random, names: Names, count: int) -> list[Question]:
    """Questions about entities that no generated document mentions."""
    out = []
    for n in range(count):
        template = UNANSWERABLE[n % len(UNANSWERABLE)]
        text = template.format(codename=f"{names.codename()} Vale", place=f"{names.place()}shire")
        out.append(Question(text, [], "", "", answerable=False))
    return out


def pick_questions(docs: list[GeneratedDoc], count: int, seed: int) -> list[Question]:
    """About 85 % answerable questions spread over the corpus, the rest unanswerable."""
    rng = random.Random(seed + 1)
    pool = [q for d in docs for q in d.questions]
    n_unanswerable = max(1, count * 15 // 100) if count > 1 else 0
    chosen = rng.sample(pool, min(count - n_unanswerable, len(pool)))
    return chosen + unanswerable(rng, Names(random.Random(seed + 2)), n_unanswerable)


def question_record(number: int, question: Question) -> dict[str, object]:
    """One line of questions.jsonl, in the qa-dev.jsonl format plus doc and quote."""
    return {
        "id": f"bench-{number:04d}",
        "question": question.question,
        "must": question.must,
        "evidence": [norm(question.quote)] if question.quote else [],
        "answerable": question.answerable,
        "doc": question.doc,
        "quote": question.quote,
    }


def catalog_entry(doc: GeneratedDoc) -> str:
    """One metadata.toml table for ``doc``."""
    return (
        f'["{doc.name}"]\n'
        f"title = {json.dumps(doc.title)}\n"
        f"type = {json.dumps(doc.doc_type)}\n"
        f"publisher = {json.dumps(doc.publisher)}\n"
        f"issued = {json.dumps(doc.issued)}\n"
    )


def write_corpus(root: Path, size: int, questions: int = 60, seed: int = 7) -> Path:
    """Write ``root/corpus/`` (``size`` documents and ``metadata.toml``) and
    ``root/questions.jsonl``; returns the corpus folder."""
    folder = root / "corpus"
    folder.mkdir(parents=True, exist_ok=True)
    docs = list(documents(size, seed))
    for doc in docs:
        (folder / doc.name).write_text(doc.text, encoding="utf-8")
    catalog = "# Synthetic benchmark corpus (benchmarks/generate.py).\n\n"
    (folder / "metadata.toml").write_text(
        catalog + "\n".join(catalog_entry(d) for d in docs), encoding="utf-8"
    )
    chosen = pick_questions(docs, questions, seed)
    lines = [json.dumps(question_record(i + 1, q)) for i, q in enumerate(chosen)]
    (root / "questions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def main() -> None:
    """``python -m benchmarks.generate ROOT SIZE [QUESTIONS]``."""
    import sys

    folder, size = Path(sys.argv[1]), int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 60
    print(write_corpus(folder, size, count))


if __name__ == "__main__":
    main()
