"""The Documents tab: what is in the knowledge base; for administrators, upload, remove and
re-ingest. Every changing handler checks the administrator's session itself, so the
Gradio API behind the tab is closed to everyone else too."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.app.context import AppContext
from assistant.app.manage import FileResult, add_files, reingest, remove_documents
from assistant.app.store import document_info, registered_documents
from assistant.app.widgets import action_html, action_of
from assistant.render import attr, esc, notice, table, viewer_href, viewer_link
from ingest.load import SUPPORTED_SUFFIXES
from kg.errors import KGError, NotFoundError

SIGN_IN_JS = """
async (token) => {
  const response = await fetch('/api/admin/session', {
    method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/x-www-form-urlencoded'},
    body: new URLSearchParams({token: token || ''}),
  });
  let message = '';
  try { message = (await response.json()).message || ''; } catch (e) { message = 'Sign-in failed.'; }
  return ['', message];
}
"""
SIGN_OUT_JS = """
async () => {
  await fetch('/api/admin/session', {method: 'DELETE', credentials: 'same-origin'});
  return ['', 'Signed out.'];
}
"""


def is_admin(ctx: AppContext, request: gr.Request | None) -> bool:
    if request is None:
        return False
    headers = {k.lower(): v for k, v in dict(request.headers).items()}
    return ctx.auth.is_admin(headers, dict(request.cookies))


def documents_html(ctx: AppContext, admin: bool) -> str:
    """One row per document; on narrow screens each row becomes a card (CSS)."""
    kb = ctx.kb()
    rows = []
    for doc in registered_documents(kb):
        try:
            info = document_info(kb, doc["id"])
            issued, pages = (
                info.issued or "",
                f"{len(info.page_starts)}" if info.page_starts else "",
            )
        except NotFoundError:
            issued, pages = "", ""
        title = viewer_link(viewer_href(doc["id"]), esc(doc["title"]), name=f"Open {doc['title']}")
        actions = ""
        if admin:
            actions = (
                f'<button type="button" class="kg-button" data-kg-action="reingest" data-kg-arg={attr(doc["id"])}'
                f" aria-label={attr('Re-ingest ' + doc['id'])}>Re-ingest</button> "
                f'<button type="button" class="kg-button kg-danger" data-kg-action="remove" data-kg-arg={attr(doc["id"])}'
                f" data-kg-confirm={attr('Remove ' + doc['id'] + ' from the knowledge base?')}"
                f" aria-label={attr('Remove ' + doc['id'])}>Remove</button>"
            )
        cells = [
            title,
            esc(doc["id"]),
            esc(doc["type"]),
            esc(issued),
            esc(doc.get("extent") or "") + (f" · {esc(pages)} pages" if pages else ""),
            esc(doc["modified"].replace("T", " ").rstrip("Z")),
            esc(doc["source"]),
        ]
        if admin:
            cells.append(actions)
        rows.append(cells)
    if not rows:
        return notice("No documents yet. Run `kg ingest`, or sign in as administrator to upload.")
    headers = ["title", "id", "type", "date", "size", "ingested", "source"]
    if admin:
        headers.append("actions")
    return f'<p class="kg-meta">{len(rows)} documents</p>' + table(
        headers, rows, cls="kg-table kg-docs"
    )


def results_html(results: list[FileResult]) -> str:
    items = "".join(
        f'<li class="kg-result kg-{esc(r.status)}">{esc(r.line())}</li>' for r in results
    )
    return f'<ul class="kg-results-list" aria-label="What happened to each file">{items}</ul>'


def admin_note(ctx: AppContext, admin: bool, message: str = "") -> str:
    if not ctx.auth.enabled:
        return notice(
            "Read-only: document management is off on this server (an administrator sets "
            "KG_ADMIN_TOKEN to turn it on)."
        )
    if admin:
        return notice(message or "Signed in as administrator: upload, re-ingest and remove are on.")
    return notice(
        (message + " " if message else "")
        + "Read-only: sign in as administrator to upload, re-ingest or remove documents."
    )


@dataclass
class DocumentsTab:
    outputs: list[Any]  # the admin note, the upload area and the listing, in that order


def build_documents_tab(ctx: AppContext) -> DocumentsTab:
    limit = ctx.settings.upload_max_mb
    note = gr.HTML(admin_note(ctx, False), elem_id="kg-admin-note", apply_default_css=False)
    with gr.Row(visible=ctx.auth.enabled, elem_classes=["kg-admin-row"]):
        token = gr.Textbox(
            label="Administrator token",
            type="password",
            scale=3,
            elem_id="kg-admin-token",
        )
        sign_in = gr.Button("Sign in", scale=1, elem_id="kg-sign-in")
        sign_out = gr.Button("Sign out", scale=1, variant="secondary", elem_id="kg-sign-out")
    message = gr.Textbox(visible=False)
    with gr.Column(visible=False, elem_id="kg-upload-area") as upload_area:
        files = gr.File(
            label=f"Drop documents here ({', '.join(sorted(SUPPORTED_SUFFIXES))}; at most {limit} MB each)",
            file_count="multiple",
            file_types=sorted(SUPPORTED_SUFFIXES),
            elem_id="kg-upload",
        )
    outcome = gr.HTML("", elem_id="kg-upload-results", apply_default_css=False)
    listing = action_html(elem_id="kg-docs")
    refresh = gr.Button("Refresh the list", variant="secondary", elem_id="kg-docs-refresh")

    def state(text: str, request: gr.Request) -> tuple[str, Any, str]:
        admin = is_admin(ctx, request)
        return admin_note(ctx, admin, text), gr.Column(visible=admin), documents_html(ctx, admin)

    def upload(
        paths: list[str] | None, request: gr.Request, progress: gr.Progress = gr.Progress()
    ) -> tuple[str, str, None]:
        if not is_admin(ctx, request):
            return notice("Only an administrator can upload documents.", "error"), gr.skip(), None
        files_in = [(Path(p).name, Path(p)) for p in paths or []]

        def on_progress(done: int, total: int, text: str) -> None:
            progress((done, max(total, 1)), desc=text)

        try:
            outcome_lines = add_files(ctx.settings, files_in, on_progress)
        except KGError as exc:
            return notice(f"Nothing was changed: {exc}", "error"), gr.skip(), None
        return results_html(outcome_lines), documents_html(ctx, True), None

    def act(
        evt: gr.EventData, request: gr.Request, progress: gr.Progress = gr.Progress()
    ) -> tuple[str, str]:
        action, doc_id = action_of(evt)
        if action not in {"remove", "reingest"}:
            return gr.skip(), gr.skip()
        if not is_admin(ctx, request):
            return notice("Only an administrator can change documents.", "error"), gr.skip()
        try:
            if action == "remove":
                lines = remove_documents(ctx.settings, [doc_id])
            else:
                lines = [
                    reingest(
                        ctx.settings,
                        doc_id,
                        lambda d, t, text: progress((d, max(t, 1)), desc=text),
                    )
                ]
        except KGError as exc:
            return notice(f"Nothing was changed: {exc}", "error"), gr.skip()
        return results_html(lines), documents_html(ctx, True)

    outputs = [note, upload_area, listing]

    def refreshed(request: gr.Request) -> tuple[str, Any, str]:
        return load_documents(ctx, request)

    refresh.click(refreshed, None, outputs, api_name="documents")
    sign_in.click(None, [token], [token, message], js=SIGN_IN_JS).then(
        state, [message], outputs, api_visibility="private"
    )
    sign_out.click(None, None, [token, message], js=SIGN_OUT_JS).then(
        state, [message], outputs, api_visibility="private"
    )
    files.upload(upload, [files], [outcome, listing, files], api_name="upload_documents")
    listing.click(act, None, [outcome, listing], api_visibility="private")
    return DocumentsTab(outputs)


def load_documents(ctx: AppContext, request: gr.Request | None) -> tuple[str, Any, str]:
    """The tab's initial state for this browser (is it signed in already?)."""
    admin = is_admin(ctx, request)
    return admin_note(ctx, admin), gr.Column(visible=admin), documents_html(ctx, admin)
