"""What makes two names the same name, and which words an acronym stands for.

``name_key`` folds the ways one body is written ("NHS Kestrel Vale ICB", "Kestrel Vale
Integrated Care Board", "X Health Care Partnership" / "X Healthcare Partnership") into one
key: spellings, leading words, legal suffixes and generic head acronyms come from the
lexicon. ``long_form`` pairs an acronym with the words it abbreviates even when its letters
do not follow the words' initials (Schwartz and Hearst's algorithm: every letter of the
acronym in order, the first at the start of a word).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kg.lexicon import Lexicon

_WORD_RE = re.compile(r"[\w’'&-]+")
_SMALL = frozenset({"and", "of", "for", "the", "&", "in", "on", "to", "at"})


@dataclass(frozen=True)
class NameRules:
    spellings: tuple[tuple[re.Pattern[str], str], ...]
    prefixes: frozenset[str]
    suffixes: tuple[str, ...]  # lower-case, longest first
    head_acronyms: dict[str, str]  # "ICB" -> "integrated care board"


@cache
def name_rules(lexicon: Lexicon) -> NameRules:
    spellings = []
    for entry in lexicon.entries("spellings"):
        for form in entry.forms[1:]:
            pattern = re.compile(rf"(?<![\w-]){re.escape(form.lower())}(?![\w-])")
            spellings.append((pattern, entry.label.lower()))
    suffixes = sorted(lexicon.words("name-suffixes"), key=len, reverse=True)
    return NameRules(
        spellings=tuple(spellings),
        prefixes=lexicon.words("name-prefixes"),
        suffixes=tuple(suffixes),
        head_acronyms={
            e.label: e.forms[1].lower()
            for e in lexicon.entries("head-acronyms")
            if len(e.forms) > 1
        },
    )


def name_key(name: str, rules: NameRules) -> str:
    """Words of ``name`` that identify it, lower-case, joined by spaces."""
    words = _WORD_RE.findall(name)
    words = [rules.head_acronyms.get(w, w) for w in words]
    text = " ".join(words).lower().replace("’", "'")
    for pattern, canonical in rules.spellings:
        text = pattern.sub(canonical, text)
    for suffix in rules.suffixes:
        if text.endswith(" " + suffix):
            text = text[: -len(suffix) - 1]
            break
    parts = text.split()
    while len(parts) > 2 and parts[0] in rules.prefixes:
        parts = parts[1:]
    return " ".join(parts)


def squashed(key: str) -> str:
    """A key without spaces or hyphens: "health care" and "healthcare" meet here."""
    return re.sub(r"[^a-z0-9]", "", key)


def initials(name: str) -> str:
    return "".join(w[0] for w in _WORD_RE.findall(name) if w.lower() not in _SMALL).upper()


def long_form(before: str, acronym: str, rules: NameRules | None = None) -> str | None:
    """The words ending ``before`` that ``acronym`` abbreviates, or None.

    Schwartz and Hearst's rule: every letter of the acronym (a final plural "s" aside) is
    found in order, scanning back from the end, the first one at the start of a word; at
    most min(|A| + 5, 2|A|) words are looked at. The long form must start with a
    capitalised word, and a leading "NHS" (a name prefix in the lexicon) is kept.
    """
    core = acronym[:-1] if len(acronym) > 2 and acronym.endswith("s") else acronym
    letters = re.sub(r"[^A-Za-z0-9]", "", core).lower()
    if len(letters) < 2:
        return None
    words = _WORD_RE.findall(before.strip().strip("‘’'\"“”"))
    window = words[-min(len(letters) + 5, 2 * len(letters)) :]
    text = " ".join(window)
    found = _by_initials(letters, window)
    if found is None:
        start = _schwartz_hearst(letters, text)
        if start is None:
            return None
        found = text[start:].split()
    while found and (found[0].lower() in _SMALL or not found[0][0].isupper()):
        found = found[1:]
    if not found or found[0][0].lower() != letters[0]:
        return None
    taken = len(found)
    prefixes = rules.prefixes if rules else frozenset({"nhs"})
    if len(words) > taken and words[-taken - 1].lower() in prefixes - {"the"}:
        found.insert(0, words[-taken - 1])
    return " ".join(found)


def _by_initials(letters: str, words: list[str]) -> list[str] | None:
    """The last words whose initials spell ``letters`` exactly (small words aside): tried
    before letters inside words, so "Hollinwick Healthcare Partnership (HHP)" keeps its
    first word although "healtHcare" holds an "h" of its own."""
    taken: list[str] = []
    want = len(letters) - 1
    for word in reversed(words):
        if want < 0:
            break
        if word.lower() in _SMALL and taken:
            taken.insert(0, word)
            continue
        if word[0].lower() != letters[want]:
            return None
        taken.insert(0, word)
        want -= 1
    return taken if want < 0 else None


def _small_at(lower: str, i: int) -> bool:
    """Does a small word ("and", "of") start at ``i``? The first letter never stands for one."""
    end = lower.find(" ", i)
    return lower[i : end if end >= 0 else len(lower)] in _SMALL


def _schwartz_hearst(letters: str, text: str) -> int | None:
    """Where the long form of ``letters`` starts in ``text`` (scanning back), or None."""
    lower = text.lower()
    s, i = len(letters) - 1, len(lower) - 1
    while s >= 0:
        c = letters[s]
        while i >= 0 and (
            lower[i] != c
            or (s == 0 and i > 0 and lower[i - 1].isalnum())
            or (s == 0 and _small_at(lower, i))
        ):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    return lower.rfind(" ", 0, i + 1) + 1


__all__ = ["NameRules", "initials", "long_form", "name_key", "name_rules", "squashed"]
