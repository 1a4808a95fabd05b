/* govkg app: behaviour shared by every tab, delegated from the document.
   - a link with data-kg-view opens the document viewer in a dialog (a plain link to the
     viewer page without this script, or with a modifier key);
   - a [n] citation marker scrolls to its passage under the same answer. */
(function () {
  "use strict";
  if (window.__govkgApp) return;
  window.__govkgApp = true;

  let dialog = null;

  function viewerDialog() {
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.id = "kg-viewer-dialog";
    dialog.className = "kg-dialog";
    dialog.setAttribute("aria-label", "Document viewer");
    const bar = document.createElement("div");
    bar.className = "kg-dialog-bar";
    const newTab = document.createElement("a");
    newTab.className = "kg-newtab";
    newTab.target = "_blank";
    newTab.rel = "noopener";
    newTab.textContent = "Open in a new tab";
    const close = document.createElement("button");
    close.type = "button";
    close.className = "kg-close";
    close.setAttribute("aria-label", "Close the document viewer");
    close.textContent = "Close";
    close.addEventListener("click", () => dialog.close());
    bar.append(newTab, close);
    const body = document.createElement("div");
    body.className = "kg-dialog-body";
    dialog.append(bar, body);
    dialog.addEventListener("click", (e) => { if (e.target === dialog) dialog.close(); });
    document.body.appendChild(dialog);
    return dialog;
  }

  function embedUrl(href) {
    const url = new URL(href, location.href);
    url.searchParams.set("embed", "1");
    url.hash = "";
    return url;
  }

  function openViewer(link) {
    const url = embedUrl(link.getAttribute("href"));
    if (url.origin !== location.origin) return false;
    const d = viewerDialog();
    const body = d.querySelector(".kg-dialog-body");
    d.querySelector(".kg-newtab").href = link.getAttribute("href");
    body.textContent = "Loading the document…";
    if (!d.open) d.showModal();
    fetch(url, { credentials: "same-origin" })
      .then((r) => r.text().then((html) => ({ ok: r.ok, html: html })))
      .then(({ ok, html }) => {
        // The fragment is this server's viewer output: every piece of document text in it is escaped.
        body.innerHTML = ok ? html : "<p class=\"kg-notice kg-error\">The document could not be opened.</p>";
        const focus = body.querySelector(".kg-focus") || body.querySelector("mark.kg-hl");
        if (focus) focus.scrollIntoView({ block: "center" });
        d.querySelector(".kg-close").focus();
      })
      .catch(() => { body.textContent = "The document could not be opened."; });
    return true;
  }

  function jumpToCitation(link) {
    const target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return false;
    const details = target.closest("details");
    if (details) details.open = true;
    target.scrollIntoView({ block: "nearest" });
    target.focus({ preventScroll: true });
    target.classList.remove("kg-flash");
    void target.offsetWidth;
    target.classList.add("kg-flash");
    return true;
  }

  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest && event.target.closest("a[data-kg-view], a[data-kg-cite]");
    if (!link) return;
    const handled = link.hasAttribute("data-kg-view") ? openViewer(link) : jumpToCitation(link);
    if (handled) event.preventDefault();
  });
})();
