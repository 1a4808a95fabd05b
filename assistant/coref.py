"""Coreference inside a passage: who "He", "it" or "This Board" is.

A sentence that opens with a pronoun ("He confirmed that …") or a determiner and a body's
head word ("This Board would closely link …", "The Group") refers to the person, post or
body the passage (or its heading) last named before it — found with the same index of graph
names that links questions. The words are the lexicon's (``follow-up-words`` for pronouns,
``org-heads`` for head words); nothing here knows a particular document.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from assistant.entities import EntityIndex, find_mentions, name_key, tokens
from kg.lexicon import Lexicon
from kg.text import sentence_spans

PEOPLE = frozenset({"person", "post"})
BODIES = frozenset({"organisation", "programme", "strategy"})


@dataclass(frozen=True)
class Referent:
    iri: str
    label: str  # as the passage writes it
    kind: str


@lru_cache(maxsize=8)
def _words(lexicon: Lexicon) -> dict[str, frozenset[str]]:
    """Single-word pointers by kind (person, any, demonstrative), and the body head words."""
    out: dict[str, set[str]] = {"person": set(), "any": set(), "demonstrative": set()}
    for entry in lexicon.entries("follow-up-words"):
        for form in entry.forms:
            key = name_key(form)
            if len(key) == 1 and entry.notation in out:
                out[entry.notation].add(key[0])
    words = {kind: frozenset(forms) for kind, forms in out.items()}
    words["heads"] = frozenset(k[-1] for w in lexicon.words("org-heads") if (k := name_key(w)))
    return words


def opening_reference(sentence: str, lexicon: Lexicon) -> tuple[str, str | None] | None:
    """("person" | "body", head word) when ``sentence`` opens by pointing back, else None.

    "He", "She" point to a person or post; "It", "They" to a body; "This Board" (and "The
    Board": "the" is no word of a name) to the body with that head word.
    """
    words = _words(lexicon)
    toks = tokens(sentence)[:2]
    if not toks or not toks[0].raw[:1].isupper():
        return None
    first = toks[0].norm
    second = toks[1].norm if len(toks) > 1 else None
    if first in words["person"]:
        return "person", None
    if first in words["heads"] and sentence.lstrip().lower().startswith("the "):
        return "body", first
    if first in words["demonstrative"] and second in words["heads"]:
        return "body", second
    if first in words["any"]:
        return "body", None
    return None


def resolve(
    text: str,
    offset: int,
    sentence: str,
    index: EntityIndex,
    lexicon: Lexicon,
    stop: frozenset[str],
) -> Referent | None:
    """What ``sentence`` (at ``offset`` in ``text``) points back to, if it opens by pointing."""
    pointing = opening_reference(sentence, lexicon)
    if pointing is None:
        return None
    want, head = pointing
    kinds = PEOPLE if want == "person" else BODIES
    before = text[:offset]
    # the nearest sentence before it that names one, and in it the first (its subject)
    for start, end in reversed(sentence_spans(before)):
        for mention in find_mentions(index, before[start:end], stop):
            for iri in mention.iris:
                kind = index.kinds.get(iri, "")
                if kind not in kinds or (head and not _has_head(iri, head, index)):
                    continue
                return Referent(iri, mention.text, kind)
    return None


def _has_head(iri: str, head: str, index: EntityIndex) -> bool:
    return any(name_key(label)[-1:] == (head,) for label in index.labels.get(iri, []))


__all__ = ["Referent", "opening_reference", "resolve"]
