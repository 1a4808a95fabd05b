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


def _settings(ctx: click.Context) -> Settings:
    return ctx.find_object(Settings) or Settings.from_env()


def _kb(ctx: click.Context, read_only: bool = True) -> Any:
    from kg.base import KnowledgeBase

    return KnowledgeBase(_settings(ctx), read_only=read_only)


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
@click.pass_context
def ask(ctx: click.Context, question: str | None, as_json: bool) -> None:
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
                click.echo(json.dumps(answer.to_json(), ensure_ascii=False))
            else:
                _print_answer(answer)


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
    type=click.Choice(["table", "json", "csv", "tsv", "xml", "turtle", "ntriples"]),
    default="table",
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
    """Run a SPARQL query over the union of all graphs (prefixes of the ontology predeclared)."""
    from kg import sparql as sq

    with _user_errors():
        settings = _settings(ctx)
        library = sq.saved_queries(settings.ontology / "queries")
        if list_saved:
            for name, (title, _) in library.items():
                out.print(f"{name:<32} {title}", highlight=False, markup=False)
            return
        text = _query_text(query, file, saved, library)
        result = sq.run_query(_kb(ctx).rdf, text)
        if fmt == "table" and result.kind == "select":
            _print_table(result.variables, sq.rows(result))
        elif fmt == "table" and result.kind == "ask":
            out.print("true" if bool(result.raw) else "false")
        else:
            sys.stdout.buffer.write(sq.serialize(result, fmt))
            sys.stdout.buffer.flush()


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
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the chat app and the SPARQL endpoint (/sparql)."""
    from assistant.server import serve as run_server

    with _user_errors():
        settings = _settings(ctx)
        run_server(settings.with_(host=host or settings.host, port=port or settings.port))


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
    "--format", "fmt", type=click.Choice(["trig", "nquads", "turtle", "ntriples"]), default="trig"
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
    """Counts of documents, passages, vectors and triples."""
    from kg.catalog import stats as kb_stats

    with _user_errors():
        data = kb_stats(_kb(ctx))
    if as_json:
        click.echo(json.dumps(data))
    else:
        for key, value in data.items():
            out.print(f"{key:<14} {value}", highlight=False)


@cli.command()
@click.option("--repair", is_flag=True, help="Remove half-written documents and rebuild BM25.")
@click.pass_context
def check(ctx: click.Context, repair: bool) -> None:
    """Check that the RDF store, texts, vectors and BM25 agree."""
    from ingest.check import check as run_check
    from kg.base import KnowledgeBase

    with _user_errors():
        backends = KnowledgeBase(_settings(ctx)).backends()
        problems = run_check(_settings(ctx), fix=repair)
    out.print(
        "backends: " + ", ".join(f"{k}={v}" for k, v in backends.items()),
        highlight=False,
        markup=False,
    )
    for problem in problems:
        out.print(("repaired: " if repair else "") + problem, highlight=False, markup=False)
    out.print("consistent" if not problems else f"{len(problems)} problems", highlight=False)
    if problems and not repair:
        sys.exit(1)


def main() -> None:
    cli(prog_name="kg")
