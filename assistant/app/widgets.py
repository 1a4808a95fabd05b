"""The app's one custom widget: a ``gr.HTML`` whose links and buttons send actions to Python.

An element with ``data-kg-explore="IRI"`` sends ``("explore", IRI)``; one with
``data-kg-action="NAME" data-kg-arg="…"`` sends ``(NAME, arg)``. The handler receives
them through :func:`action_of`. A click with a modifier key is left to the browser, so
an entity link still opens in a new tab (``/?explore=IRI``) when asked to.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

ACTION_JS = """
element.addEventListener('click', (event) => {
  const el = event.target.closest('[data-kg-action], [data-kg-explore]');
  if (!el || !element.contains(el)) return;
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  const confirmText = el.getAttribute('data-kg-confirm');
  if (confirmText && !window.confirm(confirmText)) return;
  if (el.hasAttribute('data-kg-explore')) {
    trigger('click', {action: 'explore', arg: el.getAttribute('data-kg-explore')});
  } else {
    trigger('click', {action: el.getAttribute('data-kg-action'), arg: el.getAttribute('data-kg-arg') || ''});
  }
});
"""


def action_html(value: str = "", **kwargs: Any) -> gr.HTML:
    """A ``gr.HTML`` showing trusted, already-escaped HTML, with the action handler."""
    return gr.HTML(value, js_on_load=ACTION_JS, apply_default_css=False, **kwargs)


def action_of(evt: gr.EventData) -> tuple[str, str]:
    """(action, argument) sent by a click in an :func:`action_html`; ("", "") otherwise."""
    data = getattr(evt, "_data", None) or {}
    return str(data.get("action") or ""), str(data.get("arg") or "")
