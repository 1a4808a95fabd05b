"""Query texts from files: a ``.rq`` given on the command line and the saved queries."""

from __future__ import annotations

from pathlib import Path

from kg.errors import NotFoundError, QueryError


def read_query_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFoundError(f"no query file {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"cannot read {path}: {exc}") from None


def saved_queries(folder: Path) -> dict[str, tuple[str, str]]:
    """name -> (title, query text) for every ``*.rq`` in the ontology's queries folder."""
    out: dict[str, tuple[str, str]] = {}
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        title = next(
            (
                line.split(":", 1)[1].strip()
                for line in text.splitlines()
                if line.lower().startswith("# title:")
            ),
            path.stem,
        )
        out[path.stem] = (title, text)
    return out
