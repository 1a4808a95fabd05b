"""Bad input: one clear DocumentError per file, never a traceback; discovery; catalog."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.catalog import read_catalog
from ingest.load import SUPPORTED_SUFFIXES, discover, load_document
from kg.errors import DocumentError

SUPPORTED = ".docx, .htm, .html, .markdown, .md, .pdf, .txt"


def reason(path: Path, root: Path | None = None, **kwargs: int) -> str:
    with pytest.raises(DocumentError) as info:
        load_document(path, root or path.parent, {}, **kwargs)
    assert str(info.value) == f"{path}: {info.value.reason}"
    assert info.value.path == str(path)
    return info.value.reason


def test_supported_suffixes() -> None:
    assert {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"} == SUPPORTED_SUFFIXES


@pytest.mark.parametrize("name", ["empty.txt", "empty.md", "empty.html", "empty.pdf", "empty.docx"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"")
    assert reason(tmp_path / name) == "empty file"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("blank.txt", b"  \n\t\r\n \xc2\xa0 \n"),
        ("blank.md", b"---\n\n***\n"),
        ("blank.html", b"<html><head><title>x</title></head><body><nav>Menu</nav></body></html>"),
    ],
)
def test_no_text(tmp_path: Path, name: str, data: bytes) -> None:
    (tmp_path / name).write_bytes(data)
    assert reason(tmp_path / name) == "no text"


def test_unsupported_extension(tmp_path: Path) -> None:
    (tmp_path / "budget.xlsx").write_bytes(b"PK\x03\x04")
    assert (
        reason(tmp_path / "budget.xlsx") == f"unsupported file type '.xlsx'; supported: {SUPPORTED}"
    )
    (tmp_path / "README").write_text("hello")
    assert (
        reason(tmp_path / "README")
        == f"unsupported file type (no extension); supported: {SUPPORTED}"
    )


def test_random_bytes(tmp_path: Path) -> None:
    noise = os.urandom(4096)
    for name, expected in (("x.pdf", "not a valid PDF file"), ("x.docx", "not a valid DOCX file")):
        (tmp_path / name).write_bytes(noise)
        assert reason(tmp_path / name) == expected


def test_binary_named_txt(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_bytes(bytes(range(32)) * 64)
    assert reason(tmp_path / "x.txt") == "not a text file (binary content)"


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:  # sparse: no 51 MB written to disk
        handle.truncate(51 * 1024 * 1024)
    assert reason(path) == "file is 51.0 MB, over the 50 MB limit (KG_MAX_FILE_MB)"
    small = tmp_path / "small.txt"
    small.write_bytes(b"a" * (3 * 1024 * 1024 // 2))
    assert reason(small, max_bytes=1024 * 1024) == (
        "file is 1.5 MB, over the 1 MB limit (KG_MAX_FILE_MB)"
    )


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("classified")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert reason(path) == "cannot read file: permission denied"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file_for_real(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("classified")
    path.chmod(0)
    try:
        assert reason(path) == "cannot read file: permission denied"
    finally:
        path.chmod(0o644)


def test_missing_path(tmp_path: Path) -> None:
    assert reason(tmp_path / "gone.txt") == "no such file or directory"
    assert reason(tmp_path / "gone.xyz") == "no such file or directory"


def test_directory_is_not_a_document(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    assert reason(tmp_path / "folder.txt") == "is a directory, not a file"


# --- discovery ---------------------------------------------------------------------


def test_discover(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "minutes" / "2023").mkdir(parents=True)
    (corpus / ".git").mkdir()
    for name in (
        "a.txt",
        "minutes/2023/March Board.PDF",
        "minutes/b.html",
        ".hidden.txt",
        ".git/config.txt",
        "metadata.toml",
        "minutes/metadata.toml",
        "notes.xlsx",
        "same.docx",
        "same.md",
    ):
        (corpus / name).write_text("x")
    single = tmp_path / "single.md"
    single.write_text("# Hi")
    pairs, errors = discover([corpus, single, tmp_path / "missing", corpus / "a.txt"])
    assert pairs == [
        (corpus / "a.txt", corpus),
        (corpus / "minutes" / "2023" / "March Board.PDF", corpus),
        (corpus / "minutes" / "b.html", corpus),
        (corpus / "same.docx", corpus),
        (single, tmp_path),
    ]
    messages = sorted(str(error) for error in errors)
    assert messages == sorted(
        [
            f"{corpus / 'notes.xlsx'}: unsupported file type '.xlsx'; supported: {SUPPORTED}",
            f"{corpus / 'same.md'}: same document id 'same' as same.docx; rename one of them",
            f"{tmp_path / 'missing'}: no such file or directory",
        ]
    )


def test_doc_id_of_nested_path(tmp_path: Path) -> None:
    folder = tmp_path / "Minutes" / "2023"
    folder.mkdir(parents=True)
    (folder / "March Board_v2.txt").write_text("Minutes of the March board.")
    doc = load_document(folder / "March Board_v2.txt", tmp_path, {})
    assert doc.doc_id == "minutes-2023-march-board-v2"
    assert doc.path == "Minutes/2023/March Board_v2.txt"


def test_one_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("A good paper.\n\nWith two paragraphs.")
    (tmp_path / "bad.pdf").write_bytes(os.urandom(512))
    (tmp_path / "empty.md").write_bytes(b"")
    pairs, errors = discover([tmp_path])
    loaded, failed = [], list(errors)
    for path, root in pairs:
        try:
            loaded.append(load_document(path, root))
        except DocumentError as error:
            failed.append(error)
    assert [doc.doc_id for doc in loaded] == ["good"]
    assert sorted(error.reason for error in failed) == ["empty file", "not a valid PDF file"]


# --- catalog -----------------------------------------------------------------------


def test_read_catalog(tmp_path: Path) -> None:
    (tmp_path / "metadata.toml").write_text(
        '["minutes/march.pdf"]\ntitle = "March minutes"\ntype = "minutes"\n'
        "issued = 2023-03-20\n\n"
        '["paper.txt"]\ntitle = "A paper"\npublisher = "NHS BSol ICB"\n',
        encoding="utf-8",
    )
    catalog = read_catalog(tmp_path)
    assert catalog == {
        "minutes/march.pdf": {"title": "March minutes", "type": "minutes", "issued": "2023-03-20"},
        "paper.txt": {"title": "A paper", "publisher": "NHS BSol ICB"},
    }
    (tmp_path / "paper.txt").write_text("Some text.")
    doc = load_document(tmp_path / "paper.txt", tmp_path)  # catalog read from the root
    assert (doc.title, doc.publisher) == ("A paper", "NHS BSol ICB")


def test_missing_catalog_is_empty(tmp_path: Path) -> None:
    assert read_catalog(tmp_path) == {}


def test_malformed_catalog_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "metadata.toml"
    path.write_text('["a.txt"]\ntitle = "A"\ntype = minutes\n', encoding="utf-8")
    with pytest.raises(DocumentError) as info:
        read_catalog(tmp_path)
    assert info.value.path == str(path)
    assert info.value.reason.startswith("invalid TOML:")
    assert "line 3" in info.value.reason
    path.write_text('title = "not a table"\n', encoding="utf-8")
    with pytest.raises(DocumentError, match="is not a table"):
        read_catalog(tmp_path)


def test_shipped_catalog_matches_corpus() -> None:
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    catalog = read_catalog(corpus)
    pairs, errors = discover([corpus])
    assert not errors
    assert sorted(catalog) == sorted(path.relative_to(corpus).as_posix() for path, _ in pairs)


def test_root_is_the_catalog_folder(tmp_path: Path) -> None:
    """Ingesting a sub-folder or one file gives the same ids as the whole corpus."""
    corpus = tmp_path / "corpus"
    (corpus / "minutes").mkdir(parents=True)
    (corpus / "metadata.toml").write_text("")
    (corpus / "minutes" / "march.txt").write_text("Minutes.")
    for argument in (corpus, corpus / "minutes", corpus / "minutes" / "march.txt"):
        pairs, _ = discover([argument])
        assert pairs == [(corpus / "minutes" / "march.txt", corpus)], argument
        assert load_document(*pairs[0]).doc_id == "minutes-march"
