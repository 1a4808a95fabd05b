"""govkg's exceptions. Library code raises these; only the CLI and web layer print them."""

from __future__ import annotations


class KGError(Exception):
    """Base class: a user-facing problem with a one-line message."""

    exit_code = 1


class ConfigError(KGError):
    """A setting has an invalid value or names an unknown backend."""


class UnknownBackendError(ConfigError):
    def __init__(self, kind: str, name: str, valid: list[str]) -> None:
        super().__init__(f"unknown {kind} {name!r}; valid: {', '.join(sorted(valid))}")


class DocumentError(KGError):
    """A source document cannot be loaded (empty, corrupt, unsupported, too large...)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class NotFoundError(KGError):
    """A named document, graph or saved query does not exist."""


class QueryError(KGError):
    """A SPARQL query is malformed, not allowed, or took too long."""


class QueryTimeoutError(QueryError):
    pass


class UpdateRefusedError(QueryError):
    """SPARQL UPDATE sent to a read-only endpoint."""


class NotAcceptableError(QueryError):
    """The client accepts no format in which this kind of result can be written."""


class QueryRefusedError(QueryError):
    """A query this endpoint never runs: SERVICE, too long, too deeply nested, unreadable."""


class UnreadableQueryError(QueryRefusedError):
    """The safety check could not parse the query, so it is not run (fail closed)."""


class ServiceBusyError(QueryError):
    """Every worker and queue place is taken; the client should retry after a while."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class WorkerCrashedError(QueryError):
    """A query worker process died, e.g. a query ran into the worker's memory limit."""


class StoreLockedError(KGError):
    """Another process is writing to the same KG_HOME."""


class EmptyStoreError(KGError):
    """Nothing has been ingested yet."""


class StoreDamagedError(KGError):
    """A part of the knowledge base failed its integrity check; ``kg check --repair`` fixes it."""

    def __init__(self, part: str, detail: str) -> None:
        super().__init__(f"the {part} is damaged ({detail}); run `kg check --repair`")
        self.part = part
        self.detail = detail


class DiskFullError(KGError):
    """The disk filled up during a write; what was published before is intact."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"no space left on device while {what}; nothing is half-written and what was "
            "published before is intact: free some space and run the command again"
        )
        self.what = what


class StoreError(KGError):
    """A store backend (a SPARQL or Chroma server) failed; the message names it, never its reply."""


class StoreUnavailableError(StoreError):
    """The server cannot be reached: a bad URL, a server that is down, or one that timed out."""


class WriteRefusedError(StoreError):
    """The server answered but refused a write (no permission, read-only endpoint, error)."""
