"""The app's browser assets: our own files in assistant/static, npm builds in static/vendor.

`make assets` (part of `make run` and `make test`) installs the vendor files from npm,
pinned by package-lock.json. Without them the app still runs and says once, plainly, which
parts need them; nothing is ever fetched from a CDN.
"""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
EDITOR_FILES = ("yasgui.min.js", "yasgui.min.css")
GRAPH_FILES = ("cytoscape.min.js",)
MISSING_MESSAGE = (
    "The browser assets are not installed (assistant/static/vendor/): run `make assets` "
    "(npm) to get the SPARQL editor and the graph picture."
)


def editor_ready() -> bool:
    return all((VENDOR_DIR / name).is_file() for name in EDITOR_FILES)


def graph_ready() -> bool:
    return all((VENDOR_DIR / name).is_file() for name in GRAPH_FILES)


def missing() -> list[str]:
    """Vendor files that should be there and are not."""
    return [n for n in (*EDITOR_FILES, *GRAPH_FILES) if not (VENDOR_DIR / n).is_file()]
