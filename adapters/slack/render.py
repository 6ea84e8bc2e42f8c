"""Neutral messages as Block Kit, built with `slack_sdk.models` so the SDK checks lengths.

* `message_blocks` / `fallback_text`: a `Message` as blocks (messages: at most 50 blocks; the Home
  tab: 100) plus the plain text Slack shows in notifications.
* `modal_view`: a `Form` as a modal. The form id rides in `callback_id` (``form|<id>``); where
  to answer afterwards (channel, response_url) rides in `private_metadata`.
* `form_values` / `field_errors`: a submitted modal back to the core's field ids, and the core's
  field errors as `response_action: errors`.
* Buttons: `action_id` is the core's action id; Slack wants action ids unique within a message
  or view, so a repeated id gets a ``~N`` suffix that `core_action_id` strips. The button's
  value is the core id too.

Text the core writes is shown as mrkdwn with ``&``, ``<`` and ``>`` escaped, so a member's
words can never become a mention, a channel ping or a link.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.messages import (
    Button,
    ButtonStyle,
    Card,
    Field,
    FieldKind,
    Form,
    FormField,
    Message,
)

MESSAGE_BLOCKS = 50
HOME_BLOCKS = 100
MODAL_BLOCKS = 100
SECTION_TEXT = 3000
FIELD_TEXT = 2000
HEADER_TEXT = 150
BUTTON_TEXT = 75
MODAL_TITLE = 24
FALLBACK_TEXT = 3000
INPUT_MAX = 3000
PLACEHOLDER = 150
OPTION_TEXT = 75
FIELDS_PER_SECTION = 10
BUTTONS_PER_ACTIONS = 25
FORM_CALLBACK_PREFIX = "form|"
ACTION_ID = re.compile(r"^(?P<core>[a-z]+:[a-z-]+:\d{1,18})(?:~\d{1,3})?$")


def escape(text: str) -> str:
    """Slack's three control characters, escaped for mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """What Slack sends in command text, back to what the person typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def core_action_id(action_id: str) -> str | None:
    """The core's action id inside a Slack action id, or None when it isn't one of ours."""
    match = ACTION_ID.match(action_id)
    return match["core"] if match else None


def _chunks(text: str, limit: int) -> Iterator[str]:
    """`text` in pieces of at most `limit` characters, cut at line ends where possible."""
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = limit
        yield rest[:cut]
        rest = rest[cut:].lstrip("\n")
    if rest.strip():
        yield rest


class _ActionIds:
    """Hands out action ids unique within one surface (message or view)."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def next(self, core_id: str) -> str:
        count = self._seen.get(core_id, 0) + 1
        self._seen[core_id] = count
        return core_id if count == 1 else f"{core_id}~{count}"


def _button(button: Button, ids: _ActionIds) -> ButtonElement:
    style = None if button.style is ButtonStyle.DEFAULT else button.style.value
    return ButtonElement(
        text=clip(button.label, BUTTON_TEXT),
        action_id=ids.next(button.action_id),
        value=button.action_id,
        style=style,
    )


def _buttons(buttons: tuple[Button, ...], ids: _ActionIds) -> list[Block]:
    return [
        ActionsBlock(elements=[_button(b, ids) for b in buttons[i:i + BUTTONS_PER_ACTIONS]])
        for i in range(0, len(buttons), BUTTONS_PER_ACTIONS)
    ]


def _fields(fields: tuple[Field, ...]) -> list[Block]:
    texts = [
        MarkdownTextObject(text=clip(f"*{escape(f.label)}*\n{escape(f.value) or '—'}", FIELD_TEXT))
        for f in fields
    ]
    return [
        SectionBlock(fields=texts[i:i + FIELDS_PER_SECTION])
        for i in range(0, len(texts), FIELDS_PER_SECTION)
    ]


def _text(text: str) -> list[Block]:
    return [SectionBlock(text=MarkdownTextObject(text=piece))
            for piece in _chunks(escape(text), SECTION_TEXT)]


def _card(card: Card, ids: _ActionIds) -> list[Block]:
    head = f"*{escape(card.title)}*"
    if card.subtitle:
        head += f"\n_{escape(card.subtitle)}_"
    body = f"{head}\n{escape(card.text)}" if card.text else head
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=piece))
                           for piece in _chunks(body, SECTION_TEXT)]
    blocks += _fields(card.fields)
    blocks += _buttons(card.buttons, ids)
    return blocks


def message_blocks(message: Message, limit: int = MESSAGE_BLOCKS) -> list[Block]:
    """`message` as at most `limit` blocks; cards that don't fit are counted in a last line."""
    ids = _ActionIds()
    blocks: list[Block] = []
    if message.title:
        blocks.append(HeaderBlock(text=clip(message.title, HEADER_TEXT)))
    blocks += _text(message.text)
    blocks += _fields(message.fields)
    budget = limit - -(-len(message.buttons) // BUTTONS_PER_ACTIONS)  # room for the buttons
    shown = 0
    for card in message.cards:
        card_blocks = [DividerBlock(), *_card(card, ids)]
        left_after = len(message.cards) - shown - 1
        reserve = 1 if left_after else 0
        if len(blocks) + len(card_blocks) + reserve > budget:
            break
        blocks += card_blocks
        shown += 1
    hidden = len(message.cards) - shown
    if hidden:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=f"… and {hidden} more not shown here.")]))
    blocks += _buttons(message.buttons, ids)
    return blocks[:limit]


def fallback_text(message: Message) -> str:
    """The plain text of a message (notifications, screen readers, old clients)."""
    parts = [message.title, message.text]
    parts += [f"• {card.title}" for card in message.cards]
    return clip("\n".join(p for p in parts if p), FALLBACK_TEXT) or "Introbot"


def ephemeral_reply(message: Message) -> dict[str, Any]:
    """The keyword arguments of `ack()` / `respond()` for a reply only the actor sees."""
    return {
        "text": fallback_text(message),
        "blocks": message_blocks(message),
        "response_type": "ephemeral",
    }


def home_view(message: Message) -> View:
    return View(type="home", blocks=message_blocks(message, limit=HOME_BLOCKS))


# --------------------------------------------------------------------------- modals


@dataclass(frozen=True)
class FormContext:
    """Where the answer to a submitted modal goes: the channel and response_url it was
    opened from (a command or a message button), or nowhere (the Home tab: answer by DM)."""

    channel_id: str = ""
    response_url: str = ""

    def encode(self) -> str:
        return json.dumps({"c": self.channel_id, "r": self.response_url},
                          separators=(",", ":"))

    @staticmethod
    def decode(text: str) -> FormContext:
        try:
            data = json.loads(text) if text else {}
        except json.JSONDecodeError:
            return FormContext()
        if not isinstance(data, dict):
            return FormContext()
        channel, url = data.get("c", ""), data.get("r", "")
        return FormContext(channel_id=channel if isinstance(channel, str) else "",
                           response_url=url if isinstance(url, str) else "")


def _element(field: FormField) -> Any:
    placeholder = clip(field.placeholder, PLACEHOLDER) or None
    if field.kind is FieldKind.CHOICE and field.choices:
        options = [Option(value=value, label=clip(label, OPTION_TEXT))
                   for value, label in field.choices]
        initial = next((o for o, (value, _) in zip(options, field.choices, strict=True)
                        if value == field.initial), None)
        return StaticSelectElement(action_id=field.field_id, options=options,
                                   initial_option=initial, placeholder=placeholder)
    if field.kind is FieldKind.NUMBER:
        initial_number = field.initial.strip() if field.initial.strip().isdigit() else None
        return NumberInputElement(action_id=field.field_id, is_decimal_allowed=False,
                                  initial_value=initial_number, placeholder=placeholder)
    max_length = max(1, min(field.max_length, INPUT_MAX))
    return PlainTextInputElement(
        action_id=field.field_id,
        multiline=field.kind is FieldKind.PARAGRAPH or None,
        max_length=max_length,
        initial_value=field.initial[:max_length] or None,
        placeholder=placeholder,
    )


def modal_view(form: Form, context: FormContext, note: str = "") -> View:
    """`form` as a modal; `note` (e.g. the core's reply) is shown above the form's intro."""
    blocks: list[Block] = []
    for text in (note, form.intro):
        if text:
            blocks += _text(text)
    for field in form.fields:
        blocks.append(InputBlock(
            block_id=field.field_id,
            label=clip(field.label, FIELD_TEXT),
            element=_element(field),
            optional=not field.required,
            hint=clip(field.hint, FIELD_TEXT) or None,
        ))
    return View(
        type="modal",
        callback_id=FORM_CALLBACK_PREFIX + form.form_id,
        private_metadata=context.encode(),
        title=clip(form.title, MODAL_TITLE) or "Introbot",
        submit=clip(form.submit_label, MODAL_TITLE) or "Submit",
        close="Cancel",
        blocks=blocks[:MODAL_BLOCKS],
    )


def form_id_of(callback_id: str) -> str | None:
    if not callback_id.startswith(FORM_CALLBACK_PREFIX):
        return None
    return callback_id[len(FORM_CALLBACK_PREFIX):] or None


def form_values(state_values: Mapping[str, Any]) -> dict[str, str]:
    """A view's `state.values` as {field id: text}: one input per block, block id = field id."""
    values: dict[str, str] = {}
    for block_id, actions in state_values.items():
        if not isinstance(actions, Mapping):
            continue
        for action in actions.values():
            if isinstance(action, Mapping):
                values[str(block_id)] = _input_value(action)
                break
    return values


def _input_value(action: Mapping[str, Any]) -> str:
    value = action.get("value")
    if isinstance(value, str):
        return value
    selected = action.get("selected_option")
    if isinstance(selected, Mapping):
        return str(selected.get("value", ""))
    many = action.get("selected_options")
    if isinstance(many, list):
        return ",".join(str(o.get("value", "")) for o in many if isinstance(o, Mapping))
    for key in ("selected_date", "selected_time", "selected_user", "selected_channel"):
        if isinstance(action.get(key), str):
            return str(action[key])
    return ""


def input_block_ids(view: Mapping[str, Any]) -> list[str]:
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        return []
    return [str(b["block_id"]) for b in blocks
            if isinstance(b, Mapping) and b.get("type") == "input" and b.get("block_id")]


def field_errors(errors: Mapping[str, str], view: Mapping[str, Any]) -> dict[str, str]:
    """The core's field errors keyed by the view's input block ids. An error for a field the
    view doesn't show lands on its first input, so it is never lost."""
    blocks = input_block_ids(view)
    shown: dict[str, str] = {}
    for field, text in errors.items():
        target = field if field in blocks else (blocks[0] if blocks else field)
        shown[target] = clip(f"{shown[target]} {text}" if target in shown else text, 2000)
    return shown
