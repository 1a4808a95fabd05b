"""SHACL validation of the knowledge graph (``kg validate``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyshacl import validate as pyshacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

_MAX_VALUE_CHARS = 80


@dataclass
class ValidationResult:
    """Whether the data conforms, and one readable line per violation."""

    conforms: bool
    violations: list[str] = field(default_factory=list)


def validate(data: Graph, shapes: Graph) -> ValidationResult:
    """Validate ``data`` (a document graph plus the reference graph) against ``shapes``.

    No inference: the contract asserts every type it relies on.
    """
    conforms, report, _ = pyshacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    lines = sorted(
        _describe(report, result) for result in report.subjects(RDF.type, SH.ValidationResult)
    )
    return ValidationResult(conforms=bool(conforms), violations=lines)


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 1] + "…"


def _describe(report: Graph, result: URIRef) -> str:
    """``focus-node path: message`` on one line."""
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    message = report.value(result, SH.resultMessage)
    severity = report.value(result, SH.resultSeverity)
    level = str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation"
    where = f" {_short(path)}" if path is not None else ""
    return f"{level}: <{_short(focus)}>{where}: {' '.join(str(message).split())}"


__all__ = ["ValidationResult", "validate"]
