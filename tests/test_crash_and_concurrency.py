"""kill -9 during an ingest loses nothing committed and the next ingest repairs the rest;
a running server keeps answering during an ingest and sees new documents without a restart."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from assistant.answer import Answerer
from ingest.check import check
from kg.base import KnowledgeBase
from kg.settings import Settings
from tests.conftest import CORPUS, REPO, kg_command, running_server, subprocess_env

pytestmark = pytest.mark.slow

TEMPLATE = """Agenda item

{title}

The {officer} presented the {title} report to the Committee.

The Committee:

(i) Approved the {title} plan with a budget of £{amount} million.

(ii) Requested a progress report by {month} 2025.
"""
TOPICS = [
    ("Estates Strategy", "Director of Estates", 4, "March"),
    ("Digital Inclusion", "Chief Digital Officer", 2, "April"),
    ("Workforce Plan", "Director of People", 7, "May"),
    ("Winter Resilience", "Chief Operating Officer", 3, "June"),
    ("Dental Access", "Head of Dental Commissioning", 5, "July"),
    ("Pharmacy First", "Director of Pharmacy", 6, "August"),
]


def _write_corpus(folder: Path) -> None:
    shutil.copytree(CORPUS, folder)
    for title, officer, amount, month in TOPICS:
        name = title.lower().replace(" ", "-")
        text = TEMPLATE.format(title=title, officer=officer, amount=amount, month=month)
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")


def _texts_written(home: Path) -> int:
    folder = home / "texts"
    return len(list(folder.glob("*.json"))) if folder.exists() else 0


@pytest.mark.parametrize("kill_after", [0, 2, 5])
def test_kill_9_mid_ingest_then_reingest_repairs(tmp_path: Path, kill_after: int) -> None:
    corpus, home = tmp_path / "corpus", tmp_path / "home"
    _write_corpus(corpus)
    proc = subprocess.Popen(
        [*kg_command(), "ingest", str(corpus)],
        env=subprocess_env(home),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 240
    while (
        _texts_written(home) <= kill_after and proc.poll() is None and time.monotonic() < deadline
    ):
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    rerun = subprocess.run(
        [*kg_command(), "ingest", str(corpus)],
        env=subprocess_env(home),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stderr
    settings = Settings.from_env(home=home)
    assert check(settings).problems == []
    kb = KnowledgeBase(settings)
    assert len(kb.registry()) == 2 + len(TOPICS)
    assert sorted(kb.lexical.ids) == sorted(p.passage_id for p in kb.texts.all_passages())
    answer = Answerer(kb).ask("Who presented the Dental Access report to the Committee?")
    assert answer.answered and "Head of Dental Commissioning" in answer.answer


def test_check_finds_and_repairs_a_document_whose_vectors_were_lost(tmp_path: Path) -> None:
    corpus, home = tmp_path / "corpus", tmp_path / "home"
    _write_corpus(corpus)
    from ingest.pipeline import ingest

    settings = Settings.from_env(home=home)
    ingest(settings, [corpus])
    kb = KnowledgeBase(settings, read_only=False)
    kb.vectors.delete_documents(["dental-access"])  # lost from the working index
    kb.close()
    problems = [str(p) for p in check(settings).problems]
    assert len(problems) == 1 and problems[0].startswith("vector index: dental-access: ")
    repaired = check(settings, fix=True)
    assert "vector index: re-embedded 1 documents" in repaired.repaired
    assert check(settings).problems == []
    report = ingest(settings, [corpus])
    assert report.unchanged and not report.added and not report.repaired


def _count_documents(url: str) -> int:
    query = "SELECT (COUNT(?r) AS ?n) WHERE { GRAPH <https://w3id.org/govkg/graph/registry> { ?r a dcat:CatalogRecord } }"
    response = httpx.get(
        url + "/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    response.raise_for_status()
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def _ask(url: str, question: str) -> str:
    from gradio_client import Client

    client = Client(url + "/", verbose=False)
    chat, _sources, _box = client.predict(question, [], api_name="/respond")
    return json.dumps(chat)


def test_server_answers_during_an_ingest_and_sees_new_documents(tmp_path: Path) -> None:
    corpus, home = tmp_path / "corpus", tmp_path / "home"
    shutil.copytree(CORPUS, corpus)
    env = subprocess_env(home)
    subprocess.run(
        [*kg_command(), "ingest", str(corpus)],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=300,
    )
    with running_server(home) as url:
        assert _count_documents(url) == 2
        for title, officer, amount, month in TOPICS:
            name = title.lower().replace(" ", "-")
            (corpus / f"{name}.txt").write_text(
                TEMPLATE.format(title=title, officer=officer, amount=amount, month=month),
                encoding="utf-8",
            )
        ingest = subprocess.Popen(
            [*kg_command(), "ingest", str(corpus)],
            env=env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        answered_during = 0
        while ingest.poll() is None:
            assert "GP Partnership Board" in _ask(url, "Who set up the GP PSU Steering Group?")
            answered_during += 1
        assert ingest.returncode == 0, ingest.stderr.read() if ingest.stderr else ""
        assert answered_during >= 1
        assert _count_documents(url) == 2 + len(TOPICS)
        assert "Director of Pharmacy" in _ask(
            url, "Who presented the Pharmacy First report to the Committee?"
        )


def test_server_cites_the_old_version_while_a_document_is_replaced(tmp_path: Path) -> None:
    """Readers use the last published generation: during the ingest the replaced document
    is answered and cited from its old text, after it from the new one, with no restart."""
    corpus, home = tmp_path / "corpus", tmp_path / "home"
    _write_corpus(corpus)
    env = subprocess_env(home)
    subprocess.run(
        [*kg_command(), "ingest", str(corpus)], env=env, cwd=REPO, check=True, timeout=300
    )
    question = "Who presented the Dental Access report to the Committee?"
    old, new = "Head of Dental Commissioning", "Director of Dental Services"
    dental = corpus / "dental-access.txt"
    with running_server(home) as url:
        assert old in _ask(url, question)
        dental.write_text(dental.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        for n in range(12):  # more work, so that the ingest runs while we ask
            (corpus / f"filler-{n}.txt").write_text(
                TEMPLATE.format(title=f"Topic {n}", officer="Clerk", amount=n, month="May"),
                encoding="utf-8",
            )
        ingest = subprocess.Popen(
            [*kg_command(), "ingest", str(corpus)],
            env=env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        during = []
        while ingest.poll() is None:
            during.append(_ask(url, question))
        assert ingest.returncode == 0, ingest.stderr.read() if ingest.stderr else ""
        answered = [a for a in during if old in a or new in a]
        assert answered, during
        # Until the new generation was published, only the old text is cited.
        first_new = next((i for i, a in enumerate(answered) if new in a), len(answered))
        assert all(old in a and new not in a for a in answered[:first_new])
        assert all(new in a for a in answered[first_new:])
        after = _ask(url, question)
        assert new in after and old not in after
        assert _count_documents(url) == 2 + len(TOPICS) + 12


@pytest.mark.parametrize("at", ["staging", "published"])
def test_kill_9_while_publishing_leaves_a_usable_generation(tmp_path: Path, at: str) -> None:
    corpus, home = tmp_path / "corpus", tmp_path / "home"
    _write_corpus(corpus)
    env = subprocess_env(home)
    proc = subprocess.Popen(
        [*kg_command(), "ingest", str(corpus)],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    folder = home / "generations"
    deadline = time.monotonic() + 300

    def reached() -> bool:
        if at == "staging":
            return folder.exists() and any(p.name.startswith(".staging") for p in folder.iterdir())
        return (home / "generation").exists()

    while not reached() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    rerun = subprocess.run(
        [*kg_command(), "ingest", str(corpus)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stderr
    settings = Settings.from_env(home=home)
    assert check(settings).problems == []
    assert not any(p.name.startswith(".staging") for p in folder.iterdir())
    kb = KnowledgeBase(settings)
    assert len(kb.registry()) == 2 + len(TOPICS)
    answer = Answerer(kb).ask("Who presented the Pharmacy First report to the Committee?")
    assert answer.answered and "Director of Pharmacy" in answer.answer


def test_check_during_an_ingest_reports_no_false_problem(tmp_path: Path) -> None:
    corpus, home = tmp_path / "corpus", tmp_path / "home"
    _write_corpus(corpus)
    for n in range(40):  # enough work that several checks run during the ingest
        text = TEMPLATE.format(title=f"Topic {n}", officer="Clerk", amount=n, month="May")
        (corpus / f"filler-{n}.txt").write_text(text, encoding="utf-8")
    env = subprocess_env(home, KG_CHECK_SAMPLE="0")
    subprocess.run(
        [*kg_command(), "ingest", str(CORPUS)], env=env, cwd=REPO, check=True, timeout=300
    )
    ingest = subprocess.Popen(
        [*kg_command(), "ingest", str(corpus)],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    lock = home / "write.lock"
    while ingest.poll() is None and "kg ingest" not in lock.read_text():
        time.sleep(0.05)
    checked_during = 0
    while ingest.poll() is None:
        done = subprocess.run(
            [*kg_command(), "check"], env=env, cwd=REPO, capture_output=True, text=True
        )
        if ingest.poll() is None and "writing to" in done.stderr:
            checked_during += 1
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.strip().endswith("consistent")
    assert ingest.returncode == 0
    assert checked_during >= 1
