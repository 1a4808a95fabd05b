"""Score question sets per kind, follow-ups included (``context`` asked through a Conversation).

Usage::

    python -m tests.eval.run tests/eval/questions-tune.jsonl [-v] [--kind role] [--json]

Each item's ``corpus`` (``shipped`` or a folder relative to the repository) is ingested once
into a cache under the temporary directory, keyed by the corpus files, the extraction code
and the ontology, so a rerun after an answer-only change starts in seconds. An item scores
by the rules of ``/work/shared/eval/score.py`` (must / forbid / evidence / grounded; an
unanswerable item scores when it abstains); in addition every citation must be an exact
slice of its document, or the item fails.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    return " " + " ".join(re.sub(r"[^a-z0-9%]+", " ", text).split()) + " "


def contains(haystack: str, needle: str) -> bool:
    return norm(needle).strip() in norm(haystack)


@dataclass
class Outcome:
    item: dict[str, Any]
    ok: bool
    why: str
    answer: str
    seconds: float


def score(item: dict[str, Any], result: dict[str, Any], document_text: Any) -> tuple[bool, str]:
    """The shared scorer's rules, plus: every citation is its document's exact slice."""
    answered = bool(result.get("answered"))
    cites = result.get("citations") or []
    for c in cites:
        if document_text(c["document"])[c["start"] : c["end"]] != c["text"]:
            return False, f"citation {c['n']} is not an exact slice"
    if not item.get("answerable", True):
        return (not answered, "answered an unanswerable question" if answered else "")
    if not answered:
        return False, "abstained"
    answer = result.get("answer") or ""
    cited = " \n ".join(str(c.get("text", "")) for c in cites)
    why: list[str] = []
    for group in item.get("must", []):
        hit = next((alt for alt in group if contains(answer, alt)), None)
        if hit is None:
            why.append(f"answer lacks {group}")
        elif not contains(cited, hit):
            why.append(f"{hit!r} is not in the cited passages")
    why += [f"forbidden {p!r}" for p in item.get("forbid", []) if contains(answer, p)]
    evidence = item.get("evidence", [])
    if evidence and not any(contains(c.get("text", ""), q) for c in cites for q in evidence):
        why.append("no citation holds the evidence")
    return not why, "; ".join(why)


def corpus_path(name: str) -> Path:
    return REPO / "corpus" if name == "shipped" else REPO / name


def _cache_key(corpus: Path) -> str:
    """Changes when the documents, the extraction code or the ontology change."""
    digest = hashlib.sha256()
    sources = sorted(corpus.rglob("*")) + sorted((REPO / "ingest").rglob("*.py"))
    sources += sorted((REPO / "ontology").glob("*.ttl"))
    for path in sources:
        if path.is_file() and not path.name.endswith(".gold.json"):
            digest.update(str(path.relative_to(REPO)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def knowledge_base(corpus: Path) -> Any:
    """The corpus ingested into a cached KG_HOME (ingested again when its key changes)."""
    from ingest.pipeline import ingest
    from kg.base import KnowledgeBase
    from kg.settings import Settings

    home = Path(tempfile.gettempdir()) / "govkg-eval" / f"{corpus.name}-{_cache_key(corpus)}"
    done = home / ".eval-complete"
    settings = Settings.from_env(home=home)
    if not done.exists():
        files = [p for p in sorted(corpus.rglob("*")) if p.is_file() and _ingestible(p)]
        ingest(settings, files)
        done.write_text("ok", encoding="utf-8")
    return KnowledgeBase(settings)


def _ingestible(path: Path) -> bool:
    return (
        not path.name.endswith(".gold.json")
        and path.suffix in {".txt", ".md", ".html", ".htm", ".pdf", ".docx"}
        and "/." not in str(path)
    )


def run(items: list[dict[str, Any]]) -> list[Outcome]:
    from assistant.answer import Answerer, Conversation

    outcomes: list[Outcome] = []
    by_corpus: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        by_corpus[item.get("corpus", "shipped")].append(item)
    for name, group in by_corpus.items():
        kb = knowledge_base(corpus_path(name))
        answerer = Answerer(kb)
        answerer.ask("warm up")
        for item in group:
            conversation = Conversation()
            for earlier in item.get("context", []):
                answerer.ask(earlier, conversation)
            started = time.perf_counter()
            answer = answerer.ask(item["question"], conversation)
            seconds = time.perf_counter() - started
            ok, why = score(item, answer.to_json(), kb.texts.text)
            outcomes.append(Outcome(item, ok, why, answer.answer, seconds))
    return outcomes


def report(outcomes: list[Outcome], verbose: bool) -> dict[str, Any]:
    kinds: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        kinds[o.item.get("kind", "other")].append(o)
    table = {k: [sum(o.ok for o in v), len(v)] for k, v in sorted(kinds.items())}
    total = [sum(o.ok for o in outcomes), len(outcomes)]
    for kind, (ok, n) in table.items():
        print(f"{kind:16} {ok:3}/{n:<3}")
    print(f"{'total':16} {total[0]:3}/{total[1]:<3} ({100 * total[0] / max(total[1], 1):.0f}%)")
    if verbose:
        for o in outcomes:
            if not o.ok:
                print(f"\nFAIL {o.item['id']} [{o.item.get('kind')}] {o.item['question']}")
                print(f"  why: {o.why}")
                print(f"  answer: {o.answer[:400]}")
    return {"kinds": table, "total": total}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--kind", action="append", help="only items of this kind (repeatable)")
    ap.add_argument("--id", action="append", help="only the items with this id (repeatable)")
    ap.add_argument("--verbose", "-v", action="store_true", help="show every failure")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON too")
    args = ap.parse_args(argv)
    items = [
        json.loads(line)
        for path in args.files
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    if args.kind:
        items = [i for i in items if i.get("kind") in args.kind]
    if args.id:
        items = [i for i in items if i["id"] in args.id]
    summary = report(run(items), args.verbose)
    if args.json:
        print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
