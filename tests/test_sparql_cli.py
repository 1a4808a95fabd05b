"""`kg sparql` and `kg export` as an analyst runs them from a shell."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest
import rdflib

from kg.namespaces import REFERENCE_GRAPH
from tests.conftest import REPO, kg_command, subprocess_env

ORGS = "SELECT DISTINCT ?org ?name WHERE { ?org a org:Organization ; skos:prefLabel ?name }"
CONSTRUCT = (
    "CONSTRUCT { ?org skos:prefLabel ?name }"
    " WHERE { ?org a org:Organization ; skos:prefLabel ?name }"
)


def kg(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*kg_command(), *args],
        capture_output=True,
        text=True,
        env=subprocess_env(home),
        cwd=REPO,
        timeout=120,
    )


def test_table_is_the_default(corpus_home: Path) -> None:
    proc = kg(corpus_home, "sparql", ORGS)
    assert proc.returncode == 0, proc.stderr
    assert "org" in proc.stdout and "name" in proc.stdout and "rows" in proc.stdout


def test_json_csv_tsv_agree(corpus_home: Path) -> None:
    as_json = json.loads(kg(corpus_home, "sparql", ORGS, "--format", "json").stdout)
    iris = {b["org"]["value"] for b in as_json["results"]["bindings"]}
    assert len(iris) >= 3
    as_csv = kg(corpus_home, "sparql", ORGS, "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert {r["org"] for r in rows} == iris
    as_tsv = kg(corpus_home, "sparql", ORGS, "--format", "tsv").stdout.strip().splitlines()
    assert as_tsv[0].split("\t") == ["?org", "?name"]
    assert {line.split("\t")[0] for line in as_tsv[1:]} == {f"<{i}>" for i in iris}


def test_construct_as_turtle(corpus_home: Path) -> None:
    proc = kg(corpus_home, "sparql", CONSTRUCT, "--format", "turtle")
    assert proc.returncode == 0, proc.stderr
    graph = rdflib.Graph().parse(data=proc.stdout, format="turtle")
    assert len(set(graph.objects(None, rdflib.SKOS.prefLabel))) >= 3


def test_query_from_a_file(corpus_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "orgs.rq"
    path.write_text(ORGS, encoding="utf-8")
    proc = kg(corpus_home, "sparql", "-f", str(path), "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("org,name")


def test_saved_queries_by_name_and_list(corpus_home: Path) -> None:
    listing = kg(corpus_home, "sparql", "--list")
    assert listing.returncode == 0, listing.stderr
    names = [line.split()[0] for line in listing.stdout.splitlines() if line.strip()]
    saved = sorted(p.stem for p in (REPO / "ontology" / "queries").glob("*.rq"))
    assert names == saved
    proc = kg(corpus_home, "sparql", "--saved", names[0], "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "head" in json.loads(proc.stdout)
    missing = kg(corpus_home, "sparql", "--saved", "no-such-query")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr


def test_malformed_query_is_one_line_exit_1(corpus_home: Path) -> None:
    proc = kg(corpus_home, "sparql", "SELECT ?s WHERE { ?s ?p ")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "error at 1:" in proc.stderr
    assert proc.stderr.strip().startswith("Error:")


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("trig", "trig"), ("nquads", "nquads")])
def test_export_dataset_round_trips_with_its_named_graphs(
    corpus_home: Path, fmt: str, rdflib_format: str
) -> None:
    proc = subprocess.run(
        [*kg_command(), "export", "--format", fmt],
        capture_output=True,
        env=subprocess_env(corpus_home),
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    dataset = rdflib.Dataset()
    dataset.parse(data=proc.stdout.decode("utf-8"), format=rdflib_format)
    graphs = {str(g.identifier) for g in dataset.graphs()}
    assert REFERENCE_GRAPH in graphs
    assert any("/graph/doc/" in g for g in graphs)
    prov = rdflib.Namespace("http://www.w3.org/ns/prov#")
    assert any(True for _ in dataset.quads((None, prov.wasDerivedFrom, None, None)))
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    stored = kg(corpus_home, "sparql", count, "--format", "csv").stdout.split()[1]
    assert sum(1 for _ in dataset.quads()) == int(stored)  # every quad, none lost


def test_export_one_document_as_turtle(corpus_home: Path, tmp_path: Path) -> None:
    docs = json.loads(kg(corpus_home, "docs", "--json").stdout)
    doc_id = docs[0]["id"]
    out = tmp_path / "one.ttl"
    proc = kg(corpus_home, "export", "--format", "turtle", "--graph", doc_id, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    graph = rdflib.Graph().parse(out, format="turtle")
    assert len(graph) > 10
    missing = kg(corpus_home, "export", "--graph", "no-such-doc")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
