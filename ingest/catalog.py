"""The corpus catalog: ``metadata.toml`` beside the documents, one table per file."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from kg.errors import DocumentError

CATALOG_NAME = "metadata.toml"
KEYS = ("title", "type", "publisher", "issued", "source")


def read_catalog(root: Path) -> dict[str, dict[str, str]]:
    """Metadata by path relative to ``root`` (posix); {} when there is no catalog.

    Table names are file paths; values are strings (a TOML date becomes its ISO form).
    """
    path = Path(root) / CATALOG_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise DocumentError(str(path), f"cannot read catalog: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DocumentError(str(path), "catalog is not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DocumentError(str(path), f"invalid TOML: {exc}") from exc
    catalog: dict[str, dict[str, str]] = {}
    for name, table in data.items():
        if not isinstance(table, dict):
            raise DocumentError(
                str(path), f'entry "{name}" is not a table; write ["{name}"] then key = value'
            )
        key = Path(name).as_posix().removeprefix("./")
        catalog[key] = {k: _as_text(v) for k, v in table.items() if _as_text(v)}
    return catalog


def _as_text(value: object) -> str:
    """Catalog values as strings: dates in ISO form, lists joined, others as written."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(_as_text(item) for item in value)
    if isinstance(value, dict):
        return ""
    return str(value).strip()
