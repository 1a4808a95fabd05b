"""The `kg` command: parse, call one library function, print. Exit 0 ok, 1 error, 2 usage."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg.errors import KGError
from kg.settings import Settings, describe

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Library errors become one line on stderr and exit code 1, never a traceback."""
    try:
        yield
    except KGError as exc:
        err.print(f"[red]Error:[/red] {exc}", highlight=False, markup=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("Interrupted.")
        sys.exit(130)
    except OSError as exc:  # the environment (a disk, a permission), not a bug: one line
        err.print(f"[red]Error:[/red] {escape(_os_message(exc))}", highlight=False)
        sys.exit(1)


def _os_message(exc: OSError) -> str:
    from kg.errors import DiskFullError
    from kg.stores.files import is_disk_full

    if is_disk_full(exc):
        return str(DiskFullError(f"writing {exc.filename or 'to disk'}"))
    return f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")


def _settings(ctx: click.Context) -> Settings:
    return ctx.find_object(Settings) or Settings.from_env()


def _kb(ctx: click.Context, read_only: bool = True) -> Any:
    from kg.base import KnowledgeBase

    return KnowledgeBase(_settings(ctx), read_only=read_only)


def _query_formats() -> list[str]:
    """``kg sparql --format`` choices, from the format records."""
    from kg.sparql import formats

    return formats.cli_choices(formats.RESULTS, formats.GRAPH)


def _export_formats() -> list[str]:
    """``kg export --format`` choices: the formats that can write a whole dataset."""
    from kg.sparql import formats

    return formats.cli_choices(formats.DATASET)


ENV_HELP = "\n".join(
    f"  {name:<20} {help} (default: {default})" for name, default, help in describe()
)


@click.group(epilog="Environment variables:\n\n" + ENV_HELP.replace("\n", "\n\n"))
@click.option("--home", type=click.Path(path_type=Path), help="State folder (overrides KG_HOME).")
@click.version_option(package_name="govkg")
@click.pass_context
def cli(ctx: click.Context, home: Path | None) -> None:
    """govkg: governance documents as a knowledge graph, with cited answers."""
    with _user_errors():
        ctx.obj = Settings.from_env(home=home)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--prune", is_flag=True, help="Remove documents whose files are no longer among PATHS."
)
@click.option("--rebuild", is_flag=True, help="Drop everything and ingest again from the sources.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], prune: bool, rebuild: bool) -> None:
    """Ingest documents (default: the corpus folder); unchanged files are skipped."""
    from ingest.pipeline import ingest as run_ingest

    settings = _settings(ctx)
    with _user_errors(), _progress() as (advance, set_total):
        report = run_ingest(
            settings, list(paths) or [settings.corpus], prune, rebuild, advance, set_total
        )
    for error in report.failed:
        err.print(f"[red]failed:[/red] {error}", highlight=False)
    for problem in report.repaired:
        err.print(f"[yellow]repaired:[/yellow] {problem}", highlight=False)
    out.print(
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed, {len(report.failed)} failed; "
        f"{report.passages} passages, {report.triples} triples in {report.seconds:.1f}s",
        highlight=False,
    )
    if report.failed:
        sys.exit(1)


@contextmanager
def _progress() -> Iterator[tuple[Callable[[str, str], None], Callable[[int], None]]]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("ingesting", total=None)

        def advance(name: str, status: str) -> None:
            bar.update(task, advance=1, description=f"{status}: {Path(name).name}"[:60])

        def set_total(total: int) -> None:
            bar.update(task, total=total)

        yield advance, set_total


@cli.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question (see README).")
@click.option(
    "--explain",
    is_flag=True,
    help="Also show how the answer was found: entities, relation, SPARQL, facts, sentences.",
)
@click.pass_context
def ask(ctx: click.Context, question: str | None, as_json: bool, explain: bool) -> None:
    """Answer QUESTION with cited passages; without it, answer each line of stdin."""
    from assistant.answer import Answerer

    with _user_errors():
        answerer = Answerer(_kb(ctx))
        questions = [question] if question else (line.strip() for line in sys.stdin)
        for q in questions:
            if not q:
                continue
            answer = answerer.ask(q)
            if as_json:
                click.echo(json.dumps(answer.to_json(explain=explain), ensure_ascii=False))
            else:
                _print_answer(answer)
                if explain:
                    _print_trace(answer.trace)


def _print_trace(trace: Any) -> None:
    """The "How this answer was found" of the app, as text."""
    out.print("How this answer was found:", style="bold")
    out.print(f"  asks for: {trace.asks}", highlight=False, markup=False)
    for e in trace.entities:
        out.print(
            f"  entity: {e.matched!r} -> {e.label} <{e.iri}> ({e.kind})",
            highlight=False,
            markup=False,
        )
    for note in trace.notes:
        out.print(f"  {note}", highlight=False, markup=False)
    if trace.relation:
        out.print(f"  relation: {trace.relation}", highlight=False, markup=False)
    for f in trace.facts:
        out.print(
            f"  fact [{f.n}]: {f.subject_label} | {f.predicate_label} | {f.object_label}",
            highlight=False,
            markup=False,
        )
    if trace.sparql:
        out.print("  SPARQL:", highlight=False, markup=False)
        out.print(
            "    " + trace.sparql.strip().replace("\n", "\n    "),
            style="dim",
            highlight=False,
            markup=False,
        )
    for c in trace.chosen:
        signals = ", ".join(f"{k} {v:+.2f}" for k, v in c.signals.items())
        out.print(
            f"  sentence ({c.score:.2f}: {signals}; passed: {', '.join(c.checks)}): {c.text[:160]!r}",
            highlight=False,
            markup=False,
        )
    out.print()


def _print_answer(answer: Any) -> None:
    style = "" if answer.answered else "yellow"
    out.print(answer.answer, style=style, highlight=False)
    sources = answer.citations or answer.related
    if sources:
        out.print("\nSources:" if answer.citations else "\nRelated passages:", style="bold")
    for c in sources:
        out.print(
            f"[{c.n}] {c.title} ({c.document}, chars {c.start}-{c.end})",
            highlight=False,
            markup=False,
        )
        out.print(
            "    " + c.text.replace("\n", "\n    "), style="dim", highlight=False, markup=False
        )
    out.print()


@cli.command()
@click.argument("query", required=False)
@click.option(
    "-f", "--file", "file", type=click.Path(path_type=Path), help="Read the query from a .rq file."
)
@click.option("--saved", help="Run a saved competency query by name (see --list).")
@click.option("--list", "list_saved", is_flag=True, help="List the saved queries.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_query_formats()),
    default="table",
    help="Output format (json and xml mean JSON-LD and RDF/XML for CONSTRUCT/DESCRIBE).",
)
@click.pass_context
def sparql(
    ctx: click.Context,
    query: str | None,
    file: Path | None,
    saved: str | None,
    list_saved: bool,
    fmt: str,
) -> None:
    """Run a SPARQL query over the union of all graphs (prefixes of the ontology predeclared).

    The same service as /sparql: KG_SPARQL_TIMEOUT, KG_SPARQL_MAX_ROWS, no SERVICE, no UPDATE.
    """
    from kg import sparql as sq

    with _user_errors():
        settings = _settings(ctx)
        library = sq.saved_queries(settings.ontology / "queries")
        if list_saved:
            for name, (title, _) in library.items():
                out.print(f"{name:<32} {title}", highlight=False, markup=False)
            return
        text = _query_text(query, file, saved, library)
        response = _run_cli_query(_kb(ctx), text, fmt)
        if fmt == "table" and response.kind != "graph":
            _print_result_table(response)
        else:
            sys.stdout.buffer.write(response.body)
            sys.stdout.buffer.flush()
        if response.truncated:
            err.print(
                f"cut at {response.rows} rows (KG_SPARQL_MAX_ROWS); add a LIMIT or narrow the query",
                highlight=False,
            )


def _run_cli_query(kb: Any, text: str, fmt: str) -> Any:
    """One query through the service, in a worker of its own, then the worker stops."""
    from kg import sparql as sq
    from kg.sparql import formats
    from kg.sparql.pool import WorkerPool

    result_format: str | None
    graph_format: str | None
    if fmt == "table":  # a table is drawn here from SPARQL JSON; a graph prints as Turtle
        result_format, graph_format = "json", "turtle"
    else:
        results = formats.resolve(fmt, formats.RESULTS)
        graph = formats.resolve(fmt, formats.GRAPH)
        result_format = results.name if results else None
        graph_format = graph.name if graph else None
    pool = WorkerPool(1, kb.settings.sparql_worker_memory_mb)
    service = sq.QueryService(lambda: kb, pool=pool)
    try:
        request = sq.QueryRequest(text, result_format=result_format, graph_format=graph_format)
        return service.run(request, client="cli")
    finally:
        service.close()


def _print_result_table(response: Any) -> None:
    from kg.sparql import formats

    table = formats.read_back(response.kind, response.format, response.body)
    if table.boolean is not None:
        out.print("true" if table.boolean else "false")
        return
    _print_table(table.names, [[formats.term_text(t) for t in row] for row in table.cells])


def _query_text(
    query: str | None, file: Path | None, saved: str | None, library: dict[str, tuple[str, str]]
) -> str:
    from kg import sparql as sq
    from kg.errors import NotFoundError

    given = [x for x in (query, file, saved) if x]
    if len(given) != 1:
        raise click.UsageError("give exactly one of QUERY, -f FILE or --saved NAME")
    if file:
        return sq.read_query_file(file)
    if saved:
        if saved not in library:
            raise NotFoundError(f"no saved query {saved!r}; valid: {', '.join(library)}")
        return library[saved][1]
    return sys.stdin.read() if query == "-" else str(query)


def _print_table(names: list[str], data: list[list[str]]) -> None:
    table = Table(*names, show_lines=False)
    for row in data:
        table.add_row(*row)
    out.print(table)
    out.print(f"{len(data)} rows", style="dim")


@cli.command()
@click.option("--host", help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=int, help="Port (default 7860).")
@click.option(
    "--public",
    is_flag=True,
    default=None,
    help="Allow a non-loopback --host: everyone who reaches it can read (prints a warning).",
)
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, public: bool | None) -> None:
    """Serve the chat app and the SPARQL endpoint (/sparql).

    On an address other than loopback it refuses to start unless --public (or KG_PUBLIC)
    says so; document changes always need KG_ADMIN_TOKEN.
    """
    from assistant.server import serve as run_server

    with _user_errors():
        settings = _settings(ctx)
        run_server(
            settings.with_(
                host=host or settings.host,
                port=port or settings.port,
                public=settings.public if public is None else public,
            )
        )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def docs(ctx: click.Context, as_json: bool) -> None:
    """List the ingested documents."""
    from kg.catalog import documents

    with _user_errors():
        rows = documents(_kb(ctx))
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    _print_table(
        ["id", "type", "title", "source"],
        [[r["id"], r["type"], r["title"], r["source"]] for r in rows],
    )


@cli.command()
@click.argument("doc_ids", nargs=-1, required=True)
@click.pass_context
def remove(ctx: click.Context, doc_ids: tuple[str, ...]) -> None:
    """Remove documents (by id, see `kg docs`) from every store."""
    from ingest.pipeline import remove as run_remove

    with _user_errors():
        removed = run_remove(_settings(ctx), list(doc_ids))
    out.print(f"removed {len(removed)}: {', '.join(removed)}", highlight=False)


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_export_formats()),
    default="trig",
    help="TriG and N-Quads keep the named graphs; the others merge them.",
)
@click.option("--graph", "doc_id", help="Only the graph of this document id.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Write to a file instead of stdout."
)
@click.pass_context
def export(ctx: click.Context, fmt: str, doc_id: str | None, output: Path | None) -> None:
    """Export the dataset (all named graphs, provenance included)."""
    from kg.export import export_dataset

    with _user_errors():
        data = export_dataset(_kb(ctx), fmt, doc_id)
    if output:
        output.write_bytes(data)
        err.print(f"wrote {len(data):,} bytes to {output}")
    else:
        sys.stdout.buffer.write(data)


@cli.command()
@click.pass_context
def validate(ctx: click.Context) -> None:
    """Validate the whole dataset against the SHACL shapes."""
    from kg.validation import validate_kb

    with _user_errors():
        result = validate_kb(_kb(ctx))
    for line in result.violations:
        out.print(line, highlight=False, markup=False)
    out.print(f"{len(result.violations)} violations", style="green" if result.conforms else "red")
    if not result.conforms:
        sys.exit(1)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Counts of documents, passages, vectors and triples, and the backends that hold them."""
    from kg.catalog import stats as kb_stats

    with _user_errors():
        data = kb_stats(_kb(ctx))
    if as_json:
        click.echo(json.dumps(data))
    else:
        for key, value in data.items():
            out.print(f"{key:<14} {value}", highlight=False, markup=False)


@cli.command()
@click.option("--repair", is_flag=True, help="Rebuild whatever is damaged from what is intact.")
@click.pass_context
def check(ctx: click.Context, repair: bool) -> None:
    """Verify every store against the registry (texts, graphs, vectors, BM25, snapshots)."""
    from ingest.check import check as run_check

    with _user_errors():
        report = run_check(_settings(ctx), fix=repair)
    backends = ", ".join(f"{kind} {name}" for kind, name in report.backends.items())
    generation = f"; generation {report.generation}" if report.generation else ""
    out.print(f"backends: {backends}{generation}", highlight=False, markup=False)
    for problem in report.problems:
        out.print(("found: " if repair else "") + str(problem), highlight=False, markup=False)
    for action in report.repaired:
        out.print(f"repaired: {action}", highlight=False, markup=False)
    for note in report.notes:
        err.print(note, highlight=False, markup=False)
    if repair:
        out.print("repaired" if report.repaired else "consistent", highlight=False)
        return
    out.print("consistent" if report.ok else f"{len(report.problems)} problems", highlight=False)
    if not report.ok:
        sys.exit(1)


def main() -> None:
    cli(prog_name="kg")
