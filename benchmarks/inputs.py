"""Size ladders for loaders and the segmenter: does cost grow linearly with the input?

``python -m benchmarks.inputs`` prints, for each input size, the seconds and the peak
memory above the process's baseline, and both per MB, so super-linear growth shows as a
rising "per MB" column. Every step runs in its own process (clean peak memory) with a
time limit; a step over the limit is printed as "did not finish".

Ladders:

- ``paragraph``: a .txt file that is one paragraph of sentences (abbreviations, initials
  and numbers in it), loaded and segmented;
- ``html-nested``: an HTML page whose text sits under N nested ``<div>`` elements;
- ``ingest``: the paragraph file loaded, segmented and run through extraction (what the
  per-file time limit of ``kg ingest`` covers), without embedding.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MB = 1024 * 1024
_SENTENCES = (
    "Dr. A. Patel, Head of Primary Care Contracting, presented the report on 3 Jan. 2024",
    "The Board noted the update and asked for figures by practice, e.g. list sizes",
    "Cllr. Rudd said that No. 4 Ltd. had withdrawn, i.e. the tender would be re-run",
    "Members asked whether the £1.2m recurrent funding covered all 18 PCNs in the area",
    "St. Mary's surgery would move to the new site at approx. 9.30 am on Mon. 5 Feb.",
)


def paragraph(size: int) -> str:
    """One paragraph of about ``size`` characters: no line breaks at all."""
    sentence = ". ".join(_SENTENCES) + ". "
    return (sentence * (size // len(sentence) + 1))[:size].rstrip() + "."


def nested_html(depth: int) -> str:
    """A page whose only text is ``depth`` elements deep."""
    opening = "<div><span>" * (depth // 2)
    closing = "</span></div>" * (depth // 2)
    return f"<html><body><main>{opening}<p>{paragraph(2000)}</p>{closing}</main></body></html>"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _step(kind: str, size: int, folder: Path) -> dict[str, Any]:
    """One measurement, run in this (child) process."""
    from ingest.load import load_document
    from ingest.segment import segment

    if kind == "html-nested":
        path = folder / "deep.html"
        path.write_text(nested_html(size), encoding="utf-8")
    else:
        path = folder / "paragraph.txt"
        path.write_text(paragraph(size), encoding="utf-8")
    extract: Any = None
    if kind == "ingest":
        from ingest.extract import extract_facts, load_reference
        from kg.settings import Settings

        reference = load_reference(Settings.from_env().ontology)
        extract = (extract_facts, reference)
    base = _peak_mb()
    started = time.perf_counter()
    doc = load_document(path, folder, {})
    loaded = time.perf_counter()
    passages = segment(doc)
    segmented = time.perf_counter()
    if extract is not None:
        extract[0](doc, passages, extract[1])
    done = time.perf_counter()
    return {
        "load_s": loaded - started,
        "segment_s": segmented - loaded,
        "extract_s": done - segmented if extract is not None else None,
        "total_s": done - started,
        "peak_mb": max(0.0, _peak_mb() - base),
        "passages": len(passages),
        "bytes": path.stat().st_size,
    }


def measure(kind: str, size: int, limit: float) -> dict[str, Any] | None:
    """Run one step in a fresh process; None when it does not finish within ``limit``."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "benchmarks.inputs", "--child", kind, str(size), tmp]
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=limit)
        except subprocess.TimeoutExpired:
            return None
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": tail}
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _row(kind: str, size: int, result: dict[str, Any] | None, limit: float) -> str:
    label = f"{size:,} elements" if kind == "html-nested" else f"{size / MB:g} MB"
    if result is None:
        return f"| {kind} | {label} | did not finish in {limit:g} s | | | | |"
    if "error" in result:
        return f"| {kind} | {label} | failed: {result['error'][:80]} | | | | |"
    mb = result["bytes"] / MB
    return (
        f"| {kind} | {label} | {result['total_s']:.2f} | {result['total_s'] / mb:.2f} | "
        f"{result['peak_mb']:.0f} | {result['peak_mb'] / mb:.0f} | {result['passages']:,} |"
    )


LADDERS = {
    "paragraph": [MB // 4, MB // 2, MB, 2 * MB, 4 * MB, 10 * MB],
    "html-nested": [1_000, 10_000, 100_000],
    "ingest": [MB // 4, MB, 4 * MB],
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.inputs", description=__doc__)
    ap.add_argument("--ladder", action="append", choices=sorted(LADDERS), help="default: all")
    ap.add_argument("--sizes", help="comma-separated sizes (bytes or elements) for one ladder")
    ap.add_argument("--limit", type=float, default=300.0, help="seconds per step")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        kind, size, folder = args.child
        print(json.dumps(_step(kind, int(size), Path(folder))))
        return 0
    print("| ladder | size | seconds | s/MB | peak MB | peak MB/MB | passages |")
    print("|---|---|---|---|---|---|---|")
    for kind in args.ladder or sorted(LADDERS):
        sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else LADDERS[kind]
        for size in sizes:
            print(_row(kind, size, measure(kind, size, args.limit), args.limit), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
