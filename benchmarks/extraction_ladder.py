"""Extraction must be linear (or close) in its input: a size ladder.

    python -m benchmarks.extraction_ladder [--steps 5] [--base 20000]

For each kind of input — ordinary minutes (a development-corpus document repeated), and
pathological text (one endless line, a capitalised run with no head word, thousands of
brackets and acronyms, a comma list of names, digits and dates) — it times loading,
segmenting and extracting at sizes base × 1, 2, 4, 8 … characters and prints the time
per 10,000 characters at each size. A kind whose last step costs more than ``--limit``
times its first step per character is reported as super-linear, and the exit code is 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "devcorpus" / "tune" / "calderbridge-hosc-2024-03-12.html"


def _minutes(size: int) -> str:
    from ingest.load import load_document

    text = load_document(SAMPLE, SAMPLE.parent).text
    return "\n\n".join([text] * (size // len(text) + 1))[:size]


def _one_line(size: int) -> str:
    words = "the committee noted the report of the Director of Finance and asked for more "
    return (words * (size // len(words) + 1))[:size]


def _capitals(size: int) -> str:
    words = "Health And Care Partnership Review Group North Vale Community Trust Services "
    return (words * (size // len(words) + 1))[:size].replace("Trust", "Plan,")


def _brackets(size: int) -> str:
    chunk = "Kestrel Vale Community Health Services (KVCHS) and the ICB (the ICB) met (at 2pm) ("
    return (chunk * (size // len(chunk) + 1))[:size]


def _names(size: int) -> str:
    chunk = "Present: Councillor Anne Rudd (Chair), Dr Sam Patel, Ms Priya Shah, Councillors Tom Price and Joyce Amadi, "
    return (chunk * (size // len(chunk) + 1))[:size]


def _numbers(size: int) -> str:
    chunk = "By 31 March 2025 2024/25 Q3 2024/25 £1.2m 8% 12/24 June 22 2023-25 at 2.00pm 3,500 "
    return (chunk * (size // len(chunk) + 1))[:size]


KINDS: dict[str, Callable[[int], str]] = {
    "minutes": _minutes,
    "one endless line": _one_line,
    "capitalised run": _capitals,
    "brackets and acronyms": _brackets,
    "comma list of names": _names,
    "numbers and dates": _numbers,
}


def _time(text: str) -> float:
    from ingest.extract import extract_facts, load_reference
    from ingest.loaders.clean import normalize_text
    from ingest.segment import segment
    from kg.model import Document
    from kg.settings import Settings

    reference = load_reference(Settings.from_env().ontology)
    doc = Document("ladder", "ladder.txt", normalize_text(text), "0" * 64, "Ladder", "minutes")
    doc = replace(doc, text=normalize_text(text))
    started = time.perf_counter()
    extract_facts(doc, segment(doc), reference)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.extraction_ladder", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--steps", type=int, default=4, help="sizes base × 1, 2, 4 … (default 4 steps)"
    )
    parser.add_argument("--base", type=int, default=20000, help="characters at the first step")
    parser.add_argument(
        "--limit", type=float, default=2.5, help="largest allowed growth of time per character"
    )
    args = parser.parse_args(argv)
    _time(_minutes(3000))  # load the NER model and compile the patterns first
    failed = []
    print(
        "| input | "
        + " | ".join(f"{args.base * 2**i:,} chars" for i in range(args.steps))
        + " | growth |"
    )
    print("|---|" + "---|" * args.steps + "---|")
    for name, make in KINDS.items():
        per = []
        for i in range(args.steps):
            size = args.base * 2**i
            per.append(_time(make(size)) / size * 10000)
        growth = per[-1] / per[0] if per[0] else 0.0
        if growth > args.limit:
            failed.append(name)
        print(
            f"| {name} | " + " | ".join(f"{p * 1000:.0f} ms" for p in per) + f" | {growth:.2f}× |"
        )
    print("\n(time per 10,000 characters at each size; growth = last / first)")
    if failed:
        print(f"super-linear: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
