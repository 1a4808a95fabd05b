"""The `kg` command as a user runs it: help everywhere, JSON batches, clean errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from tests.conftest import REPO, kg_command, subprocess_env

COMMANDS = sorted(cli.commands)


def test_the_commands_of_the_design_exist() -> None:
    assert set(COMMANDS) >= {
        "ingest",
        "ask",
        "sparql",
        "serve",
        "docs",
        "remove",
        "export",
        "validate",
        "stats",
        "check",
    }


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)], ids=["kg", *COMMANDS])
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output and len(result.output) > 80


def test_usage_errors_exit_2() -> None:
    assert CliRunner().invoke(cli, ["ingest", "--no-such-flag"]).exit_code == 2
    assert CliRunner().invoke(cli, ["sparql"]).exit_code == 2


def test_asking_an_empty_store_is_a_one_line_error() -> None:
    result = CliRunner().invoke(cli, ["ask", "anything?"])
    assert result.exit_code == 1
    assert "run `kg ingest` first" in result.output
    assert "Traceback" not in result.output


def test_ask_json_batch_from_stdin(corpus_home: Path) -> None:
    questions = "What does RAFT stand for?\n\nWho is the leader of Solihull Council?\n"
    proc = subprocess.run(
        [*kg_command(), "ask", "--json"],
        input=questions,
        capture_output=True,
        text=True,
        env=subprocess_env(corpus_home),
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [x["answered"] for x in lines] == [True, False]
    assert "Right Access First Time" in lines[0]["answer"]
    assert "Traceback" not in proc.stderr


def test_ingest_reports_bad_files_and_exits_1(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.md").write_text(
        "# Title\n\nThe Board approved the plan on 3 May 2024.\n", encoding="utf-8"
    )
    (folder / "broken.docx").write_bytes(b"garbage")
    proc = subprocess.run(
        [*kg_command(), "ingest", str(folder)],
        capture_output=True,
        text=True,
        env=subprocess_env(tmp_path / "home"),
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 1
    assert "broken.docx: not a valid DOCX file" in proc.stderr
    assert "1 added" in proc.stdout
    assert "Traceback" not in proc.stderr + proc.stdout


def test_docs_stats_sparql_and_check(corpus_home: Path) -> None:
    runner = CliRunner(env={"KG_HOME": str(corpus_home)})
    docs = runner.invoke(cli, ["docs", "--json"])
    assert docs.exit_code == 0 and len(json.loads(docs.output)) == 2
    stats = json.loads(runner.invoke(cli, ["stats", "--json"]).output)
    assert stats["documents"] == 2 and stats["passages"] == stats["vectors"] > 10
    table = runner.invoke(
        cli, ["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?p a oa:SpecificResource }"]
    )
    assert table.exit_code == 0 and str(stats["passages"]) in table.output
    bad = runner.invoke(cli, ["sparql", "SELEKT * WHERE {}"])
    assert bad.exit_code == 1 and "malformed SPARQL" in bad.output
    assert runner.invoke(cli, ["check"]).output.strip().endswith("consistent")
