"""What kind of answer a question wants, and whether a sentence has one."""

from __future__ import annotations

import re
from enum import Enum

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
DATE_RE = re.compile(
    rf"\b{_MONTH}\.?\s+\d{{2,4}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\b|\b(?:19|20)\d{{2}}\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b"
)
NUMBER_RE = re.compile(
    r"\b\d+(?:[.,]\d+)?\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozen)\b",
    re.IGNORECASE,
)
MONEY_RE = re.compile(
    r"£\s?\d|\$\s?\d|€\s?\d|\b\d+(?:\.\d+)?\s?(?:m|bn|k)\b|\bpounds?\b", re.IGNORECASE
)
AGENT_RE = re.compile(
    r"\b(?:Dr|Mr|Mrs|Ms|Miss|Prof|Professor|Cllr|Councillor|Sir|Dame)\.?\s+[A-Z]|"
    r"\b[A-Z][a-z]+\s+[A-Z][a-z]+\b|\b(?:Officer|Director|Chair(?:man|woman)?|Board|Committee|"
    r"Group|Council|Executive|Lead|Manager|Team|Unit|ICB|ICS|CCG|PCN)s?\b"
)


ROLE_RE = re.compile(
    r"\b(officer|director|chair(?:man|woman|person)?|vice-chair|advis[oe]r|lead|manager|executive|"
    r"councillor|clinician|coach|secretary|head|member|treasurer|commissioner|consultant)s?\b",
    re.IGNORECASE,
)


class AnswerType(Enum):
    DATE = "date"
    NUMBER = "number"
    MONEY = "money"
    AGENT = "agent"
    EXPANSION = "expansion"
    ROLE = "role"
    OTHER = "other"


_EXPANSION_RE = re.compile(
    r"\bwhat\s+(?:does|do|is)\s+(?:the\s+)?(?:acronym\s+|abbreviation\s+)?[‘'\"]?([A-Z][A-Za-z]{1,9})[’'\"]?\s+"
    r"(?:stand\s+for|mean|short\s+for)\b|\bwhat\s+is\s+([A-Z]{2,10})\s+short\s+for\b",
    re.IGNORECASE,
)


def acronym_asked(question: str) -> str | None:
    """The acronym in 'What does RAFT stand for?' style questions."""
    match = _EXPANSION_RE.search(question)
    if not match:
        return None
    token = match.group(1) or match.group(2)
    return token if token.isupper() else None


def answer_type(question: str) -> AnswerType:
    q = question.lower().strip()
    if acronym_asked(question):
        return AnswerType.EXPANSION
    if re.search(r"\b(how much|budget|cost|costs|spend|spent|funding|price|salary)\b", q):
        return AnswerType.MONEY
    if re.search(r"\bhow many\b|\bnumber of\b", q):
        return AnswerType.NUMBER
    if re.match(r"^(when|by when|since when)\b", q) or re.search(
        r"\bwhat (date|year|month|day)\b|\bwhich (date|year|month)\b", q
    ):
        return AnswerType.DATE
    if re.search(r"^what (?:is|was|are|were)\b.*\b(role|position|post|job|title)s?\b", q):
        return AnswerType.ROLE
    if re.match(r"^(who|whom|whose)\b", q) or re.search(
        r"\bwhich (body|bodies|organisation|organization|committee|team|person|people|board)\b", q
    ):
        return AnswerType.AGENT
    return AnswerType.OTHER


def has_type(kind: AnswerType, sentence: str, acronym: str | None = None) -> bool:
    if kind is AnswerType.DATE:
        return DATE_RE.search(sentence) is not None
    if kind is AnswerType.NUMBER:
        return count_in(sentence)
    if kind is AnswerType.MONEY:
        return MONEY_RE.search(sentence) is not None
    if kind is AnswerType.ROLE:
        return ROLE_RE.search(sentence) is not None
    if kind is AnswerType.AGENT:
        return AGENT_RE.search(sentence) is not None
    if kind is AnswerType.EXPANSION and acronym:
        return expansion_of(acronym, sentence) is not None
    return True


def count_in(sentence: str) -> bool:
    """A count ("12 professionals", "over a million"), not a year or a day of a date."""
    without_dates = DATE_RE.sub(" ", sentence)
    return NUMBER_RE.search(without_dates) is not None


_AUXILIARIES = frozenset(
    "is are was were does do did will has have can could would should happened".split()
)
_GENERIC_NOUNS = frozenset("one thing kind type sort way name example".split())


def asked_class(question: str) -> str | None:
    """The noun a 'which X ...' or 'what X is ...' question asks for (company, university)."""
    match = re.match(
        r"^\s*which\s+(?:(?:two|three|four|five|other|key|main)\s+)*([a-z]+)", question, re.I
    )
    if not match:
        match = re.match(
            r"^\s*what\s+([a-z]+)\s+(?:is|are|was|were|does|do|did|will|has|have|can)\b",
            question,
            re.I,
        )
    if not match:
        return None
    noun = match.group(1).lower()
    return None if noun in _AUXILIARIES or noun in _GENERIC_NOUNS else noun


def counted_noun(question: str) -> str | None:
    """'How many GP practices are there' -> 'GP practices': what the number must count."""
    match = re.search(
        r"\bhow many\s+(.+?)\s+(?:are|is|were|was|does|do|did|will|has|have|can|could|would|should)\b",
        question,
        re.IGNORECASE,
    )
    return match.group(1) if match else None


def expansion_of(acronym: str, sentence: str) -> str | None:
    """A run of capitalised words whose initials spell ``acronym`` (e.g. Right Access First Time)."""
    words = re.findall(r"[A-Za-z][\w-]*", sentence)
    n = len(acronym)
    for i in range(len(words) - n + 1):
        run = words[i : i + n]
        spelled = all(w[0].upper() == c for w, c in zip(run, acronym.upper(), strict=True))
        if spelled and run[0][0].isupper() and " ".join(run) != acronym:
            return " ".join(run)
    return None
