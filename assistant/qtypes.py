"""Whether a sentence holds the kind of thing a question asks for (a date, a count, money ...).

The words these tests need (months, number words, titles, role and body head words) come from
the lexicon; only the shapes of numbers and dates are written here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.lexicon import Lexicon


def _alternation(words: frozenset[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


@dataclass(frozen=True)
class Detectors:
    date: re.Pattern[str]
    number: re.Pattern[str]
    money: re.Pattern[str]
    agent: re.Pattern[str]
    role: re.Pattern[str]


@lru_cache(maxsize=8)
def detectors(lexicon: Lexicon) -> Detectors:
    """The patterns for one lexicon, compiled once."""
    month = _alternation(lexicon.words("months"))
    parts = (
        _alternation(lexicon.words("year-parts")) if "year-parts" in lexicon.scheme_names else ""
    )
    date = (
        rf"\b(?:{month})\.?\s+['’]?\d{{2,4}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{month})\b"
        rf"|\b(?:19|20)\d{{2}}\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b|\bQ[1-4]\b"
    )
    if parts:
        date += rf"|\b(?:{parts})\s+(?:19|20)\d{{2}}\b"
    numbers = _alternation(lexicon.words("number-words"))
    money_words = _alternation(lexicon.words("money-words"))
    titles = _alternation(lexicon.words("titles"))
    heads = _alternation(lexicon.words("org-heads") | lexicon.words("roles"))
    # A name starts with a capital that is not just the sentence's "The" or "This". A bare
    # acronym is not a name here ("GP access"): the acronyms of bodies are linked through
    # the entity index instead (assistant.sources.passages.names_someone).
    cap = rf"(?!(?i:{_alternation(lexicon.words('name-stop-words'))})\b)[A-Z][\w’'-]+"
    return Detectors(
        date=re.compile(date, re.IGNORECASE),
        number=re.compile(rf"\b\d+(?:[.,]\d+)*%?|\b(?:{numbers})\b", re.IGNORECASE),
        money=re.compile(
            rf"[£$€]\s?\d|\b\d+(?:\.\d+)?\s?(?:m|bn|k)\b|\b(?:{money_words})\b", re.IGNORECASE
        ),
        agent=re.compile(
            rf"\b(?:{titles})\.?\s+[A-Z]|\b{cap}\s+(?:(?:of|for|and|the)\s+)?{cap}"
            rf"|\b(?i:{heads})s?\s+(?:of|for)\s+{cap}",
        ),
        role=re.compile(rf"\b(?:{_alternation(lexicon.words('roles'))})s?\b", re.IGNORECASE),
    )


def has_type(kind: str, sentence: str, lexicon: Lexicon, acronym: str | None = None) -> bool:
    """Does ``sentence`` hold an answer of ``kind`` (a question's ``asks``)?"""
    d = detectors(lexicon)
    if kind == "date":
        return d.date.search(sentence) is not None
    if kind == "number":
        return count_in(sentence, lexicon)
    if kind == "money":
        return d.money.search(sentence) is not None
    if kind == "role":
        return d.role.search(sentence) is not None
    if kind in ("agent", "person", "body"):
        return d.agent.search(sentence) is not None
    if kind == "expansion":
        return acronym is not None and expansion_of(acronym, sentence) is not None
    return True


def count_in(sentence: str, lexicon: Lexicon) -> bool:
    """A count ("12 professionals", "over a million"), not a year or a day of a date."""
    d = detectors(lexicon)
    return d.number.search(d.date.sub(" ", sentence)) is not None


def expansion_of(acronym: str, sentence: str) -> str | None:
    """Capitalised words whose initials spell ``acronym`` ("Right Access First Time"); short
    lower-case words between them do not count ("Eastmoor and Kestrel Vale Hospitals")."""
    letters = (acronym[:-1] if acronym.endswith("s") and len(acronym) > 2 else acronym).upper()
    letters = letters.replace("&", "")
    words = re.findall(r"[A-Za-z][\w-]*", sentence)
    for i, first in enumerate(words):
        if not first[:1].isupper() or first[0].upper() != letters[0] or first == acronym:
            continue
        k, j = 0, i
        while j < len(words) and k < len(letters):
            word = words[j]
            if word[:1].isupper() and word[0].upper() == letters[k]:
                k += 1
            elif not (word.islower() and len(word) <= 3) or k == 0:
                break
            j += 1
        if k == len(letters) and j - i >= len(letters):
            return " ".join(words[i:j])
    return None


__all__ = ["Detectors", "count_in", "detectors", "expansion_of", "has_type"]
