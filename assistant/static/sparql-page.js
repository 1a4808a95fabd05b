/* govkg: the /sparql query page. YASQE to write, YASR to show results (IRIs open the
   entity in the app's Explore tab), downloads in every format the endpoint writes.
   Without the YASGUI build it falls back to a plain text box and a plain table. */
(function () {
  "use strict";
  const govkg = window.govkg;
  const config = JSON.parse(document.getElementById("kg-sparql-config").textContent);
  const status = document.getElementById("kg-status");
  const results = document.getElementById("kg-results");
  const downloads = document.getElementById("kg-downloads");
  const about = document.getElementById("kg-saved-about");
  const fallback = document.getElementById("kg-query-fallback");
  const Yasgui = window.Yasgui;
  let yasqe = null;
  let yasr = null;
  let lastQuery = "";

  function currentQuery() { return yasqe ? yasqe.getValue() : fallback.value; }
  function setQuery(text) { if (yasqe) yasqe.setValue(text); else fallback.value = text; }

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("kg-error", !!isError);
    status.setAttribute("role", isError ? "alert" : "status");
  }

  function queryForm(text) {
    // The query form from YASQE's parser when present, else the first form keyword.
    if (yasqe && yasqe.getQueryType) return (yasqe.getQueryType() || "").toUpperCase();
    const m = /\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i.exec(text.replace(/#.*$/gm, ""));
    return m ? m[1].toUpperCase() : "SELECT";
  }

  function showDownloads(form) {
    const graph = form === "CONSTRUCT" || form === "DESCRIBE";
    downloads.hidden = false;
    downloads.querySelectorAll("button").forEach((b) => {
      const graphFormat = b.dataset.format === "turtle" || b.dataset.format === "ntriples";
      b.hidden = graph ? !graphFormat : graphFormat || (form === "ASK" && b.dataset.format !== "json");
    });
  }

  function plainTable(data) {
    // Fallback renderer (no YASR): SPARQL JSON results as an escaped table.
    if (typeof data.boolean === "boolean") return "<p>" + (data.boolean ? "true" : "false") + "</p>";
    const vars = data.head.vars;
    const head = vars.map((v) => "<th scope=\"col\">" + govkg.escapeHtml(v) + "</th>").join("");
    const rows = data.results.bindings.map((b) => "<tr>" + vars.map((v) => {
      const t = b[v];
      if (!t) return "<td></td>";
      if (t.type === "uri") return "<td><a href=\"" + govkg.escapeHtml(govkg.exploreHref(t.value)) + "\" target=\"_blank\" rel=\"noopener\">" + govkg.escapeHtml(govkg.compact(t.value, config.prefixes)) + "</a></td>";
      return "<td>" + govkg.escapeHtml(t.value) + "</td>";
    }).join("") + "</tr>").join("");
    return "<table class=\"kg-table\"><thead><tr>" + head + "</tr></thead><tbody>" + rows + "</tbody></table>";
  }

  function run() {
    const query = currentQuery();
    if (!query.trim()) { say("Write a query first.", true); return; }
    lastQuery = query;
    const form = queryForm(query);
    const graph = form === "CONSTRUCT" || form === "DESCRIBE";
    say("Running…");
    downloads.hidden = true;
    const started = performance.now();
    fetch(config.endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: graph ? "text/turtle" : "application/sparql-results+json",
      },
      body: new URLSearchParams({ query: query }),
      credentials: "same-origin",
    }).then((r) => r.text().then((text) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      if (!r.ok) {
        // One clear line, and no grid left over from an earlier result.
        results.hidden = true;
        say(govkg.errorLine(r.status, text), true);
        return;
      }
      results.hidden = false;
      const rows = r.headers.get("X-KG-Rows");
      const cut = r.headers.get("X-KG-Truncated") === "true";
      say((rows !== null ? rows + (graph ? " triples" : " rows") : "Done") + " in " + seconds + " s" +
          (cut ? " (cut at the row limit; add a LIMIT or narrow the query)" : ""));
      showDownloads(form);
      if (yasr) {
        yasr.setResponse({ data: text, contentType: r.headers.get("content-type"), status: r.status, executionTime: Number(seconds) * 1000 });
      } else {
        results.innerHTML = graph ? "<pre>" + govkg.escapeHtml(text) + "</pre>" : plainTable(JSON.parse(text));
      }
    })).catch((e) => { results.hidden = true; say("The endpoint could not be reached: " + e.message, true); });
  }

  function linkIrisToExplore() {
    // YASR links an IRI to the IRI itself (another host); ours open the entity in Explore.
    const Table = Yasgui.Yasr.plugins.table;
    Table.prototype.getUriLinkFromBinding = function (binding, prefixes) {
      const label = govkg.compact(binding.value, Object.assign({}, config.prefixes, prefixes || {}));
      return "<a class=\"iri\" target=\"_blank\" rel=\"noopener\" title=\"" + govkg.escapeHtml(binding.value) +
        "\" href=\"" + govkg.escapeHtml(govkg.exploreHref(binding.value)) + "\">" + govkg.escapeHtml(label) + "</a>";
    };
  }

  function setUp() {
    const host = document.getElementById("kg-editor");
    if (Yasgui && govkg.sparqlEditor) {
      fallback.hidden = true;
      yasqe = govkg.sparqlEditor(host, { value: fallback.value, endpoint: config.endpoint, prefixes: config.prefixes, onRun: run, height: "300px" });
      linkIrisToExplore();
      yasr = new Yasgui.Yasr(results, {
        persistenceId: null,
        prefixes: config.prefixes,
        pluginOrder: ["table", "response"],
        defaultPlugin: "table",
      });
    } else {
      host.hidden = true;
      fallback.setAttribute("aria-label", "SPARQL query");
      fallback.addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); } });
    }
    // The form posts to the endpoint without script; with it, results show on this page.
    document.getElementById("kg-form").addEventListener("submit", (e) => { e.preventDefault(); run(); });
    document.querySelectorAll(".kg-saved").forEach((button) => button.addEventListener("click", () => {
      const saved = config.saved[button.dataset.name];
      setQuery(saved.query);
      about.textContent = saved.title + (saved.description ? ": " + saved.description : "");
      document.querySelectorAll(".kg-saved").forEach((b) => b.removeAttribute("aria-current"));
      button.setAttribute("aria-current", "true");
    }));
    downloads.querySelectorAll("button").forEach((button) => button.addEventListener("click", () => {
      govkg.download(config.endpoint, lastQuery || currentQuery(), button.dataset.format)
        .catch((e) => say("Download failed: " + e.message, true));
    }));
    const fromHash = /^#query=(.*)$/.exec(location.hash);
    if (fromHash) setQuery(decodeURIComponent(fromHash[1]));
  }

  setUp();
})();
