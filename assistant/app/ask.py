"""The Ask tab: a conversation in which every answer keeps its own cited passages."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant import answer as answer_model
from assistant.app.context import AppContext
from assistant.app.turns import Turn, conversation_html, error_record, turn_record
from assistant.app.widgets import action_html
from kg.errors import KGError

EXAMPLES = [
    "Who set up the GP PSU Steering Group?",
    "What does RAFT stand for?",
    "What did the Joint Health Overview and Scrutiny Committee resolve?",
]


@dataclass
class AskTab:
    chat: gr.HTML
    turns: gr.JSON
    conversation: gr.State
    box: gr.Textbox


def new_conversation() -> Any:
    """The answer model's conversation context (follow-ups), when it has one."""
    factory = getattr(answer_model, "Conversation", None)
    return factory() if factory is not None else None


def _ask(ctx: AppContext, question: str, conversation: Any) -> Any:
    """Ask with the conversation when the answerer takes one (seam 3), else alone."""
    ask: Any = ctx.answerer.ask
    if conversation is not None and "conversation" in inspect.signature(ask).parameters:
        return ask(question, conversation=conversation)
    return ask(question)


def _next_conversation(conversation: Any, answer: Any) -> Any:
    """The context for the next turn: the one the answer hands back, if it does, else the
    same object (which the answerer updates in place)."""
    factory = getattr(answer_model, "Conversation", None)
    handed_back = getattr(answer, "conversation", None)
    if factory is not None and isinstance(handed_back, factory):
        return handed_back
    return conversation


def respond(
    ctx: AppContext, message: str, turns: list[Turn] | None, conversation: Any
) -> tuple[str, list[Turn], str, Any]:
    """Answer ``message`` as the next turn; returns (conversation HTML, turns, box, context)."""
    turns = list(turns or [])
    message = (message or "").strip()
    if not message:
        return conversation_html(turns, ctx.term_labels()), turns, "", conversation
    if conversation is None:
        conversation = new_conversation()
    answer = None
    with ctx.lock:
        kb = ctx.kb()
        try:
            answer = _ask(ctx, message, conversation)
            turns.append(turn_record(kb, message, answer))
        except KGError as exc:
            turns.append(error_record(message, f"Error: {exc}"))
    conversation = _next_conversation(conversation, answer)
    return conversation_html(turns, ctx.term_labels()), turns, "", conversation


def build_ask_tab(ctx: AppContext) -> AskTab:
    chat = action_html(
        conversation_html([], {}),
        elem_id="kg-chat",
        elem_classes=["kg-chat"],
        autoscroll=True,
    )
    turns = gr.JSON([], visible=False)
    conversation = gr.State(None)
    with gr.Row(elem_classes=["kg-ask-row"]):
        box = gr.Textbox(
            label="Your question",
            placeholder="Ask about the documents…",
            lines=1,
            max_lines=4,
            scale=8,
            elem_id="kg-question",
        )
        with gr.Column(scale=2, min_width=160, elem_classes=["kg-ask-buttons"]):
            send = gr.Button("Ask", variant="primary", elem_id="kg-ask")
            clear = gr.Button("New conversation", variant="secondary", elem_id="kg-new")
    gr.Examples(EXAMPLES, inputs=box, label="Examples")

    def on_respond(message: str, history: list[Turn] | None, context: Any) -> tuple:
        return respond(ctx, message, history, context)

    def on_clear() -> tuple[str, list[Turn], str, Any]:
        return conversation_html([], {}), [], "", None

    inputs, outputs = [box, turns, conversation], [chat, turns, box, conversation]
    box.submit(on_respond, inputs, outputs, api_name="respond")
    send.click(on_respond, inputs, outputs, api_visibility="private")
    clear.click(on_clear, None, [chat, turns, box, conversation], api_name="new_conversation")
    return AskTab(chat, turns, conversation, box)
