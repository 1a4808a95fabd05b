/* govkg: the SPARQL editor (YASQE from the locally served YASGUI build), shared by the
   /sparql query page and the app's SPARQL tab. Nothing here contacts another host:
   prefixes come from the ontology, keywords from YASQE's own grammar, terms from this
   server's endpoint. */
(function () {
  "use strict";
  const govkg = (window.govkg = window.govkg || {});
  const REFERENCE_GRAPH = "https://w3id.org/govkg/graph/reference";
  // Grammar terminals that are token classes, not keywords one would type.
  const NOT_KEYWORDS = /\d|^(IRI_REF|PNAME_|BLANK_NODE|ANON|NIL|LANGTAG|INTEGER|DECIMAL|DOUBLE|STRING_LITERAL|VAR|EXPONENT|ECHAR|WS|PN_|PLX|PERCENT|HEX|UNICODE_)/;

  govkg.escapeHtml = function (text) {
    return String(text == null ? "" : text)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  };

  govkg.exploreHref = function (iri) {
    return "/?explore=" + encodeURIComponent(iri);
  };

  govkg.compact = function (iri, prefixes) {
    for (const [prefix, ns] of Object.entries(prefixes || {})) {
      if (iri.startsWith(ns) && /^[\w.-]*$/.test(iri.slice(ns.length))) return prefix + ":" + iri.slice(ns.length);
    }
    return "<" + iri + ">";
  };

  let termsPromise = null;
  function loadTerms(endpoint, prefixes) {
    // Classes and properties the ontology labels, as prefixed names; fetched once.
    if (!termsPromise) {
      const query = "SELECT DISTINCT ?t WHERE { GRAPH <" + REFERENCE_GRAPH + "> { ?t <http://www.w3.org/2000/01/rdf-schema#label> ?l } FILTER(isIRI(?t)) }";
      termsPromise = fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json" },
        body: new URLSearchParams({ query: query }),
        credentials: "same-origin",
      })
        .then((r) => (r.ok ? r.json() : { results: { bindings: [] } }))
        .then((data) =>
          data.results.bindings
            .map((b) => govkg.compact(b.t.value, prefixes))
            .filter((name) => !name.startsWith("<") && !name.startsWith("govid:"))
            .sort()
        )
        .catch(() => []);
    }
    return termsPromise;
  }

  function registerCompleters(Yasqe, endpoint, prefixes) {
    if (Yasqe.__govkg) return;
    Yasqe.__govkg = true;
    const declarations = Object.entries(prefixes).map(([p, iri]) => p + ": <" + iri + ">");
    Yasqe.forkAutocompleter("prefixes", {
      name: "govkg-prefixes",
      get: function () { return Promise.resolve(declarations.slice().sort()); },
      persistenceId: null,
    }, false);
    Yasqe.registerAutocompleter({
      name: "govkg-keywords",
      bulk: false,
      autoShow: true,
      isValidCompletionPosition: function (yasqe) {
        const token = yasqe.getCompleteToken();
        return /^[A-Za-z_]{2,}$/.test(token.string || "");
      },
      get: function (yasqe, token) {
        const typed = (token.string || "").toUpperCase();
        const possible = (token.state && token.state.possibleCurrent) || [];
        const words = possible.filter((k) => /^[A-Z_]+$/.test(k) && !NOT_KEYWORDS.test(k) && k.startsWith(typed) && k !== typed);
        return Promise.resolve(Array.from(new Set(words)).sort());
      },
    }, false);
    Yasqe.registerAutocompleter({
      name: "govkg-terms",
      bulk: false,
      autoShow: true,
      isValidCompletionPosition: function (yasqe) {
        const token = yasqe.getCompleteToken();
        return /^[A-Za-z][\w-]*:[\w-]*$/.test(token.string || "");
      },
      get: function (yasqe, token) {
        const typed = token.string || "";
        return loadTerms(endpoint, prefixes).then((terms) => terms.filter((t) => t.startsWith(typed) && t !== typed));
      },
    }, false);
  }

  /* A YASQE editor in `host`. options: value, endpoint, prefixes, onRun(), onChange(text). */
  govkg.sparqlEditor = function (host, options) {
    const Yasgui = window.Yasgui;
    if (!Yasgui || !Yasgui.Yasqe) return null;
    const Yasqe = Yasgui.Yasqe;
    registerCompleters(Yasqe, options.endpoint || "/sparql", options.prefixes || {});
    const run = function () { if (options.onRun) options.onRun(); };
    const yasqe = new Yasqe(host, {
      value: options.value || "",
      persistenceId: null,
      consumeShareLink: null,
      createShareableLink: null,
      showQueryButton: false,
      resizeable: true,
      editorHeight: options.height || "260px",
      autocompleters: ["govkg-prefixes", "govkg-keywords", "govkg-terms", "variables"],
      requestConfig: { endpoint: options.endpoint || "/sparql", method: "POST" },
      extraKeys: Object.assign({}, Yasqe.defaults.extraKeys, {
        "Ctrl-Enter": run,
        "Cmd-Enter": run,
      }),
    });
    yasqe.query = function () { run(); return Promise.resolve(); };
    if (options.onChange) yasqe.on("change", () => options.onChange(yasqe.getValue()));
    const input = yasqe.getInputField && yasqe.getInputField();
    if (input) input.setAttribute("aria-label", options.label || "SPARQL query");
    return yasqe;
  };

  /* Save `text` as a file named `name` (a download that never leaves the page). */
  govkg.saveFile = function (name, type, text) {
    const url = URL.createObjectURL(new Blob([text], { type: type }));
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  };

  const EXTENSIONS = { csv: "csv", json: "json", tsv: "tsv", turtle: "ttl", ntriples: "nt" };

  /* Fetch `query` from `endpoint` in `format` and save it as results.<ext>. */
  govkg.download = function (endpoint, query, format) {
    return fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ query: query, format: format }),
      credentials: "same-origin",
    }).then((r) =>
      r.text().then((text) => {
        if (!r.ok) throw new Error(text.split("\n")[0]);
        govkg.saveFile("results." + EXTENSIONS[format], r.headers.get("content-type") || "text/plain", text);
      })
    );
  };

  /* The first line of an endpoint's error body, for the status line. */
  govkg.errorLine = function (status, text) {
    let message = (text || "").trim();
    try { const parsed = JSON.parse(message); message = parsed.message || parsed.error || message; } catch (e) { /* plain text */ }
    return "Query error (" + status + "): " + (message.split("\n")[0] || "no details");
  };
})();
