"""Judging a query on its parsed form, before any engine runs it.

Two steps, both fail closed:

- :func:`screen` (cheap, in the calling process): bound the size, expand the codepoint
  escapes exactly once as SPARQL 1.1 §19.2 says (``\\u`` and ``\\U`` are processed before
  parsing, so even a keyword may be escaped), refuse text in which the expansion spells a
  new escape, and bound the bracket nesting that recursive parsers would choke on.
  The expanded text is what every later step sees, so the guard and the engine read the
  same characters: Oxigraph decodes escapes inside tokens only, rdflib before parsing,
  and an escape-free text gives them nothing to disagree on.
- :func:`judge` (in the sandboxed worker): parse with rdflib's SPARQL grammar and walk the
  whole syntax tree (sub-selects, EXISTS in filters, binds, ORDER BY, ...). SERVICE at any
  depth is refused; an update is refused; a text the grammar cannot read is refused.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql import parser
from rdflib.plugins.sparql.parserutils import CompValue

from kg.errors import QueryError, QueryRefusedError, UnreadableQueryError, UpdateRefusedError

# SPARQL 1.1 §19.2: exactly four or eight hex digits.
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_OPEN, _CLOSE = "{([", "})]"
# The grammar's recursion costs at most ~40 Python frames per bracket (measured over
# braces, parentheses, paths, blank nodes, EXISTS and sub-selects); 50 leaves room.
_FRAMES_PER_LEVEL = 50
_PARSE_STACK_BYTES = 32 * 1024 * 1024
_QUERY_FORMS = {
    "SelectQuery": "select",
    "ConstructQuery": "construct",
    "AskQuery": "ask",
    "DescribeQuery": "describe",
}
# Syntax-tree nodes that make the engine reach another server. LOAD is an update and is
# refused with every update; SERVICE is the only query-side operation that does.
_NETWORK_NODES = {"ServiceGraphPattern": "federated queries (SERVICE)"}


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_depth: int


@dataclass(frozen=True)
class Verdict:
    """What the guard learnt from the parse: the query form and whether it names its own
    dataset (FROM / FROM NAMED), which then wins over the union default graph."""

    form: str  # select | construct | ask | describe
    declares_dataset: bool

    @property
    def kind(self) -> str:
        """select | ask | graph: the kind of result (and of format) the query returns."""
        return "graph" if self.form in {"construct", "describe"} else self.form


# --- Screening: size, escapes, nesting --------------------------------------------------


def screen(text: str, limits: Limits) -> str:
    """The query as the engines will see it, or QueryRefusedError with one clear line."""
    if not text.strip():
        raise QueryError("the query is empty")
    size = len(text.encode("utf-8"))
    if size > limits.max_bytes:
        raise QueryRefusedError(
            f"the query is {size:,} bytes; this endpoint accepts at most {limits.max_bytes:,}"
            " (KG_SPARQL_MAX_QUERY_KB)"
        )
    expanded = expand_escapes(text)
    depth = nesting_depth(expanded)
    if depth > limits.max_depth:
        raise QueryRefusedError(
            f"the query nests brackets {depth} deep; at most {limits.max_depth} are accepted"
            " (KG_SPARQL_MAX_DEPTH)"
        )
    return expanded


def expand_escapes(text: str) -> str:
    """Replace every ``\\uXXXX`` / ``\\UXXXXXXXX`` by its character, once, as §19.2 says."""

    def character(found: re.Match[str]) -> str:
        code = int(found.group(1) or found.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryRefusedError(
                f"{found.group(0)} at character {found.start() + 1} is not a Unicode character"
            )
        return chr(code)

    expanded = _ESCAPE.sub(character, text)
    left = _ESCAPE.search(expanded)
    if left is not None:
        raise QueryRefusedError(
            f"codepoint escapes that spell another escape ({left.group(0)!r}) are refused:"
            " parsers would read such a query differently"
        )
    return expanded


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``{ ( [`` and ``<<``, counted over the whole text.

    Brackets inside strings count too: this bounds the parsers' recursion, which must
    happen before any parser runs, so it over-counts rather than under-counts.
    """
    depth = deepest = 0
    i, end = 0, len(text)
    while i < end:
        char = text[i]
        pair = text[i : i + 2]
        if pair == "<<":
            depth += 1
            i += 2
        elif pair == ">>":
            depth = max(0, depth - 1)
            i += 2
        else:
            if char in _OPEN:
                depth += 1
            elif char in _CLOSE:
                depth = max(0, depth - 1)
            i += 1
        deepest = max(deepest, depth)
    return deepest


# --- Judging the parsed form ----------------------------------------------------------------


_CACHED_CHARS = 16 * 1024  # verdicts of shorter texts are remembered (saved queries, dashboards)


def judge(text: str, *, max_depth: int, allow_service: bool = False) -> Verdict:
    """Parse a screened query and refuse updates, network access and what cannot be read.

    The parse costs 2–40 ms for everyday queries; a text judged before is not parsed again.
    """
    if len(text) <= _CACHED_CHARS:
        return _judge_cached(text, max_depth, allow_service)
    return _judge(text, max_depth, allow_service)


@functools.lru_cache(maxsize=256)
def _judge_cached(text: str, max_depth: int, allow_service: bool) -> Verdict:
    return _judge(text, max_depth, allow_service)


def _judge(text: str, max_depth: int, allow_service: bool) -> Verdict:
    if _ESCAPE.search(text) is not None:  # judge only what screen() produced
        raise QueryRefusedError("the query was not screened: it still holds codepoint escapes")
    tree = _parse(parser.parseQuery, text, max_depth, update_check=True)
    query = tree[-1]
    if not allow_service:
        for name in _node_names(tree):
            if name in _NETWORK_NODES:
                raise QueryRefusedError(
                    f"{_NETWORK_NODES[name]} are refused: this endpoint never contacts"
                    " other servers"
                )
    form = _QUERY_FORMS.get(getattr(query, "name", ""))
    if form is None:
        raise UnreadableQueryError("the safety check found no SELECT, CONSTRUCT, ASK or DESCRIBE")
    # CompValue.get returns the key itself when it is missing: ask the dict.
    return Verdict(form, bool(dict.get(query, "datasetClause")))


def _parse(
    parse: Callable[[str], Any], text: str, max_depth: int, update_check: bool = False
) -> Any:
    try:
        return _deep_call(parse, text, max_depth)
    except RecursionError:
        raise QueryRefusedError("the query is nested too deeply for the safety check") from None
    except (ParseBaseException, ValueError) as exc:
        if update_check and _is_update(text, max_depth):
            raise UpdateRefusedError(
                "this endpoint is read-only: SPARQL UPDATE (INSERT, DELETE, LOAD, DROP, ...)"
                " is refused"
            ) from None
        raise UnreadableQueryError(_one_line(exc)) from None


def _is_update(text: str, max_depth: int) -> bool:
    """True when the text parses as a SPARQL Update with at least one operation."""
    try:
        tree = _deep_call(parser.parseUpdate, text, max_depth)
    except (ParseBaseException, ValueError, RecursionError):
        return False
    return bool(tree.get("request"))


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _node_names(tree: Any) -> Iterator[str]:
    """Every syntax-tree node name, at any depth (iterative: trees may be deep)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node.name
            stack.extend(node.values())
        elif isinstance(node, ParseResults | list | tuple):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())


# --- Parsing deep inputs ---------------------------------------------------------------------
# pyparsing recurses once per grammar rule: ~40 Python frames per bracket level. The parse
# runs on one thread with a large stack and a recursion limit sized from the depth limit,
# so every query screen() lets through can be parsed.

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _deep_call(parse: Callable[[str], Any], text: str, max_depth: int) -> Any:
    needed = 1000 + _FRAMES_PER_LEVEL * max_depth
    if sys.getrecursionlimit() < needed:
        sys.setrecursionlimit(needed)
    return _parser_thread().submit(parse, text).result()


def _parser_thread() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            previous = threading.stack_size(_PARSE_STACK_BYTES)
            try:
                executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sparql-guard")
                executor.submit(int).result()  # start its one thread now, with this stack
            finally:
                threading.stack_size(previous)
            _executor = executor
        return _executor
