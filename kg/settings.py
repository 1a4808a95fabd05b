"""One settings object: defaults with help text, overridable by ``KG_*`` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from kg.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent


def _setting(default: Any, help: str, secret: bool = False) -> Any:
    """A setting with its help text; a secret one is kept out of repr() and so out of logs."""
    return field(default=default, metadata={"help": help}, repr=not secret)


@dataclass(frozen=True)
class Settings:
    home: Path = _setting(Path(".kg"), "Directory holding all state (RDF store, Chroma, BM25).")
    corpus: Path = _setting(Path("corpus"), "Default folder that `kg ingest` reads.")
    ontology: Path = _setting(REPO_ROOT / "ontology", "Folder with the ontology and vocabularies.")
    embedder: str = _setting("minilm", "Embedding backend name (see kg.embed.EMBEDDERS).")
    embed_model: str = _setting("", "Path of a local sentence-transformers model; empty: bundled.")
    embed_batch: int = _setting(64, "Sentences per embedding batch.")
    rdf_store: str = _setting(
        "oxigraph",
        "RDF store backend (kg.stores.RDF_STORES): oxigraph (embedded) or sparql (a server).",
    )
    top_k: int = _setting(8, "Passages retrieved per question.")
    max_citations: int = _setting(3, "Most sentences an answer is built from.")
    abstain_below: float = _setting(0.42, "Evidence score under which the assistant abstains.")
    max_file_mb: int = _setting(50, "Largest source file `kg ingest` accepts, in MB.")
    sparql_timeout: float = _setting(10.0, "Seconds a SPARQL query may run.")
    sparql_max_rows: int = _setting(10000, "Most result rows a SPARQL query returns.")
    cors_origins: str = _setting("", "Comma-separated origins allowed to call /sparql ('*' = any).")
    sparql_workers: int = _setting(4, "Most SPARQL worker processes (one query each at a time).")
    sparql_client_concurrency: int = _setting(
        2, "Most queries one client runs at once (at most KG_SPARQL_WORKERS - 1)."
    )
    sparql_queue: int = _setting(16, "Most SPARQL queries waiting for a worker; then HTTP 503.")
    sparql_client_queue: int = _setting(4, "Most queries one client may have waiting; then 503.")
    sparql_worker_memory_mb: int = _setting(1024, "Address-space cap of each SPARQL worker, MB.")
    sparql_max_query_kb: int = _setting(256, "Longest SPARQL query accepted, in KB.")
    sparql_max_depth: int = _setting(64, "Deepest bracket nesting a SPARQL query may have.")
    sparql_max_body_kb: int = _setting(1024, "Largest /sparql request body, in KB (then 413).")
    host: str = _setting("127.0.0.1", "Address `kg serve` binds.")
    port: int = _setting(7860, "Port `kg serve` listens on.")
    answer_candidate_passages: int = _setting(5, "Retrieved passages whose sentences may answer.")
    answer_min_coverage: float = _setting(
        0.3, "Share of the question's terms a quoted sentence must cover."
    )
    answer_weight_similarity: float = _setting(
        0.45, "Sentence score: weight of its embedding similarity to the question."
    )
    answer_weight_coverage: float = _setting(
        0.45, "Sentence score: weight of the question terms it (3/4) and its passage (1/4) cover."
    )
    answer_weight_passage: float = _setting(
        0.1, "Sentence score: weight of its passage's dense retrieval score."
    )
    answer_weight_type: float = _setting(
        0.08, "Sentence score: bonus for holding the kind of answer asked for, penalty for not."
    )
    answer_weight_expansion: float = _setting(
        0.1, "Sentence score: bonus for spelling out the acronym asked about."
    )
    answer_weight_resolution: float = _setting(
        0.1, "Sentence score: bonus for a numbered resolution when asked what was decided."
    )
    answer_weight_only_asks: float = _setting(
        0.15, "Sentence score: penalty for only reporting a member's question (no reply)."
    )
    answer_embedded_sentences: int = _setting(
        4,
        "Sentences per question whose embedding similarity is computed (the leaders on "
        "every other signal); the rest take the lowest of theirs.",
    )
    answer_runner_up: float = _setting(
        0.9, "A further sentence is quoted when it scores at least this share of the best."
    )
    answer_soft_floor: float = _setting(
        0.55, "Word cosine under which a question word the documents never use earns no credit."
    )
    answer_soft_span: float = _setting(
        0.25, "Word cosine span over which that credit grows from none to full."
    )
    answer_fact_min_coverage: float = _setting(
        0.5, "Share of the question's topic terms a graph fact's passage must cover."
    )
    answer_fact_anchor: float = _setting(
        0.2, "Graph fact score: bonus when the question itself names the fact's subject."
    )
    answer_fact_rank: float = _setting(
        0.1, "Graph fact score: bonus for a fact whose passage ranks high in retrieval."
    )
    answer_max_facts: int = _setting(12, "Most graph facts one answer lists.")
    answer_entity_candidates: int = _setting(
        8, "Graph entities one name in a question may stand for (best first)."
    )
    answer_max_relations: int = _setting(3, "Relations tried per question, strongest first.")
    answer_document_subject_chars: int = _setting(
        300,
        "Opening characters of a document (masthead, title) naming what all its passages are "
        "about: a body named there counts as named by each passage (a body's own web page).",
    )
    vector_store: str = _setting(
        "chroma",
        "Vector index backend (kg.stores.VECTOR_STORES): chroma (embedded) or chroma-http.",
    )
    lexical_store: str = _setting("bm25", "Lexical index backend (kg.stores.LEXICAL_STORES): bm25.")
    check_sample: int = _setting(
        32, "Passages `kg check` re-embeds to compare with their stored vectors (0: none)."
    )
    ner: bool = _setting(True, "Run spaCy's English NER beside the extraction rules during ingest.")
    admin_token: str = _setting(
        "",
        "Token (password) administrators give in the app to upload, remove or re-ingest "
        "documents; empty: the Documents tab is read-only. Never logged.",
        secret=True,
    )
    upload_max_mb: int = _setting(20, "Largest file an administrator may upload in the app, in MB.")
    admin_session_hours: float = _setting(8.0, "Hours an administrator's sign-in lasts.")
    public: bool = _setting(
        False, "Let `kg serve` listen on a non-loopback address (same as `kg serve --public`)."
    )
    explore_max_nodes: int = _setting(40, "Most neighbours Explore draws around an entity.")
    sparql_display_rows: int = _setting(
        500, "Most result rows the SPARQL tab shows (the downloads have every row)."
    )
    file_timeout: float = _setting(
        300.0, "Seconds one file may take to load, segment and extract before it is skipped."
    )
    file_memory_mb: int = _setting(
        4096, "Memory (MB) the process reading one file may use before the file is skipped."
    )
    sparql_url: str = _setting("", "SPARQL 1.1 query endpoint when KG_RDF_STORE=sparql.")
    sparql_update_url: str = _setting(
        "", "SPARQL 1.1 update endpoint when KG_RDF_STORE=sparql; empty: KG_SPARQL_URL."
    )
    sparql_user: str = _setting("", "User for the SPARQL server (HTTP basic or digest); optional.")
    sparql_password: str = _setting("", "Password of KG_SPARQL_USER; never printed.", secret=True)
    sparql_write_timeout: float = _setting(
        300.0, "Seconds one update request (a batch of documents) may take on a SPARQL server."
    )
    chroma_host: str = _setting("127.0.0.1", "Chroma server host when KG_VECTOR_STORE=chroma-http.")
    chroma_port: int = _setting(8000, "Chroma server port when KG_VECTOR_STORE=chroma-http.")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``KG_<NAME>`` variables, then explicit overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"KG_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.name, f.default, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @property
    def rdf_dir(self) -> Path:
        return self.home / "rdf"

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def lexical_dir(self) -> Path:
        return self.home / "lexical"

    @property
    def texts_dir(self) -> Path:
        return self.home / "texts"

    @property
    def lock_path(self) -> Path:
        return self.home / "write.lock"

    @property
    def generation_path(self) -> Path:
        return self.home / "generation"


def _coerce(name: str, default: Any, raw: str) -> Any:
    try:
        if isinstance(default, bool):
            return raw.lower() in {"1", "true", "yes", "on"}
        if isinstance(default, Path):
            return Path(raw)
        return type(default)(raw)
    except ValueError as exc:
        raise ConfigError(
            f"KG_{name.upper()}={raw!r} is not a valid {type(default).__name__}"
        ) from exc


def describe() -> list[tuple[str, str, str]]:
    """(variable, default, help) rows for the README and `kg --help`."""
    return [(f"KG_{f.name.upper()}", str(f.default), f.metadata["help"]) for f in fields(Settings)]
