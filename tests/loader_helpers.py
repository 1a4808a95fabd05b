"""Checks shared by the loader tests: the clean-text contract of ``ingest.loaders.clean``."""

from __future__ import annotations

import re

_NESTED_ITEM_RE = re.compile(r"^(?:  )+(?:• |\(?[ivxlc]{1,6}\) |\(?[a-z]\) |\(?\d{1,3}[.)] |\d)")


def assert_clean(text: str) -> None:
    """The clean-text contract the segmenter relies on."""
    assert text == text.strip()
    assert "\r" not in text and "\t" not in text
    assert "\n\n\n" not in text
    for line in text.split("\n"):
        body = line.lstrip(" ")
        if body != line:  # only a nested list item is indented, two spaces a level
            assert _NESTED_ITEM_RE.match(line), repr(line)
        assert body == body.strip(), repr(line)
        assert "  " not in body, repr(line)
