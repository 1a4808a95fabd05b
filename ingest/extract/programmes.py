"""Programmes and strategies, and who runs them ("the PSU needs to enable delivery of the
RAFT programme"; "work has been undertaken to produce a strategy", under "The ICB's
commitment")."""

from __future__ import annotations

import re

from rdflib.namespace import PROV

from ingest.extract.context import Context
from ingest.extract.reference import Entity
from ingest.extract.text import Sentence

_RUN_RE = re.compile(
    r"\b(?:produc\w*|develop\w*|deliver\w*|run|runs|running|lead|leads|led|own|owns|oversee\w*"
    r"|implement\w*|draft\w*|present\w*|launch\w*)\b",
    re.IGNORECASE,
)
_BY_RE = re.compile(r"\b(?:led|run|delivered|owned|overseen|developed|produced) by\b")


def _runner(ctx: Context, sentence: Sentence, at: int) -> Entity | None:
    orgs = [m for m in ctx.mentions.get(sentence.start, []) if m.entity.kind == "org"]
    by = _BY_RE.search(sentence.text)
    if by:
        after = [m for m in orgs if m.start >= sentence.start + by.end()]
        if after:
            return after[0].entity
    before = [m for m in orgs if m.end <= at and not m.anaphor]
    if before and _RUN_RE.search(sentence.text):
        return before[0].entity
    if not orgs and _RUN_RE.search(sentence.text):
        heading = [
            m.entity for m in ctx.resolver.find(sentence.line.section) if m.entity.kind == "org"
        ]
        return heading[0] if heading else None
    return None


def extract_programmes(ctx: Context) -> None:
    for sentence in ctx.sentences:
        if sentence.line.kind == "numbered" or sentence.text.startswith(("A Member", "Members")):
            continue
        for mention in ctx.mentions.get(sentence.start, []):
            if mention.entity.kind not in ("programme", "strategy"):
                continue
            runner = _runner(ctx, sentence, mention.start)
            if runner is not None:
                ctx.graph.add((mention.entity.iri, PROV.wasAssociatedWith, runner.iri))
                ctx.derive(mention.entity.iri, sentence.start, sentence.end)


__all__ = ["extract_programmes"]
