"""Shared by the SPARQL security tests: a listener that records every connection, the
SERVICE spellings of issue 10, and a Hypothesis strategy that writes new ones."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import strategies as st


class RecordingListener:
    """A TCP listener on loopback that counts every connection it accepts (any protocol)
    and answers each with an HTTP 500 whose body must never show up in our errors."""

    SECRET = b"INTERNAL-ADMIN-PAGE-SECRET"

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/internal"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            try:
                conn.settimeout(2)
                conn.recv(65536)
                body = b"<h1>" + self.SECRET + b"</h1>"
                head = b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\n"
                head += b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
                conn.sendall(head + body)
            except OSError:
                pass
            finally:
                conn.close()

    def close(self) -> None:
        self.sock.close()


@contextmanager
def recording_listener() -> Iterator[RecordingListener]:
    listener = RecordingListener()
    try:
        yield listener
    finally:
        listener.close()


def issue_spellings(url: str) -> list[str]:
    """The spellings of issue 10 and their relatives, aimed at ``url``."""
    pattern = "{ ?s ?p ?o }"
    return [
        # the issue's own: an IRI with an escape before '#', a prefixed name with '\#',
        # an IRI with an escape before "'"
        f"SELECT ?s WHERE {{ BIND(<http://e/\\u0041#x> AS ?x) SERVICE <{url}> {pattern} }}",
        f"SELECT ?s WHERE {{ ?s govid:a\\#b ?o . SERVICE <{url}> {pattern} }}",
        f"SELECT ?s WHERE {{ BIND(<http://e/\\u0041'> AS ?x) SERVICE <{url}> {pattern} }}",
        # an escaped keyword, lower case, SILENT (the generator adds variable endpoints,
        # which Oxigraph refuses to evaluate today but the guard refuses anyway)
        f"SELECT * WHERE {{ SERV\\u0049CE <{url}> {pattern} }}",
        f"select * where {{ service silent <{url}> {pattern} }}",
        # hidden in a filter, a sub-select, an ASK, a CONSTRUCT, after a comment and a
        # string that look like they swallow the rest
        f"SELECT * WHERE {{ FILTER EXISTS {{ SERVICE <{url}> {pattern} }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {pattern} }} }} }}",
        f"ASK {{ OPTIONAL {{ SERVICE <{url}> {pattern} }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {pattern} }}",
        f'SELECT * WHERE {{ # a comment "\n SERVICE <{url}> {pattern} }}',
        f"SELECT * WHERE {{ BIND('''#''' AS ?c) SERVICE <{url}> {pattern} }}",
        f"PREFIX in: <{url[: -len('internal')]}>\nSELECT * WHERE {{ SERVICE in:internal {pattern} }}",
        f"SELECT * WHERE {{ SERVICE <{url.replace('internal', chr(92) + 'u0069nternal')}> {pattern} }}",
    ]


# --- Generated spellings -------------------------------------------------------------------


def _escape(char: str, style: int) -> str:
    if style == 1:
        return f"\\u{ord(char):04X}"
    if style == 2:
        return f"\\u{ord(char):04x}"
    if style == 3:
        return f"\\U{ord(char):08X}"
    return char


@st.composite
def keyword(draw: st.DrawFn, word: str) -> str:
    """``word`` in any case, any of its letters possibly a codepoint escape."""
    out = []
    for char in word:
        char = char.upper() if draw(st.booleans()) else char.lower()
        out.append(_escape(char, draw(st.integers(0, 6))))  # escapes in 3 of 7 draws
    return "".join(out)


SPACE = st.sampled_from([" ", "\n", "\t", " # note\n", "\n#}\n", "  "])
DECOYS = st.sampled_from(
    [
        "",
        "BIND(<http://e/\\u0041#x> AS ?d1)",
        "BIND(<http://e/\\u0041'> AS ?d2)",
        "?s0 govid:a\\#b ?o0 .",
        'BIND("#" AS ?d3)',
        "BIND('\\'' AS ?d4)",
        'BIND("""a\n#""" AS ?d5)',
        "BIND(<http://e/#'\"> AS ?d6)",
        "# SERVICE <http://e/> { }\n",
        'BIND("\\u0022" AS ?d7)',
    ]
)
WRAPPERS = st.sampled_from(
    [
        "{}",
        "{{ {} }}",
        "OPTIONAL {{ {} }}",
        "FILTER EXISTS {{ {} }}",
        "FILTER NOT EXISTS {{ {} }}",
        "MINUS {{ {} }}",
        "{{ SELECT * WHERE {{ {} }} }}",
        "GRAPH ?g {{ {} }}",
        "{{ ?a ?b ?c }} UNION {{ {} }}",
        "BIND(EXISTS {{ {} }} AS ?z)",
    ]
)


@st.composite
def service_queries(draw: st.DrawFn, url: str) -> str:
    """A query that makes an engine contact ``url`` through SERVICE, spelt every which way."""
    sp = draw(SPACE)
    service = draw(keyword("SERVICE"))
    silent = draw(keyword("SILENT")) + sp if draw(st.booleans()) else ""
    prefix = ""
    target_style = draw(st.integers(0, 2))
    if target_style == 0:
        target = f"<{url}>"
    elif target_style == 1:
        prefix = f"PREFIX t: <{url.rsplit('/', 1)[0]}/>{sp}"
        target = "t:" + url.rsplit("/", 1)[1]
    else:
        target = "?endpoint"
    pattern = f"{service}{sp}{silent}{target}{sp}{{ ?s ?p ?o }}"
    if target_style == 2:
        pattern = f"VALUES ?endpoint {{ <{url}> }}{sp}{pattern}"
    for wrapper in draw(st.lists(WRAPPERS, max_size=3)):
        pattern = wrapper.format(pattern)
    body = f"{draw(DECOYS)}{sp}{pattern}"
    form = draw(st.sampled_from(["SELECT * WHERE", "ASK", "CONSTRUCT { ?s ?p ?o } WHERE"]))
    return f"{prefix}{draw(keyword(form.split()[0]))}{form[len(form.split()[0]) :]} {{ {body} }}"
