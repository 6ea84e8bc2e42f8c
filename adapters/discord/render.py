"""The core's neutral messages as Discord messages (content, embeds, buttons, files) and its
forms as modals, every string clipped to Discord's limits (`limits`).

A `Message` becomes one or more `Outgoing` messages: its text (as content, or as an embed
with its title and fields), one embed per card with the card's buttons on a row of their own,
then the message's buttons and files. When a message would break a limit (10 embeds, 6000
embed characters, 5 rows of buttons, 10 files), the rest continues in another message.

A `Form` becomes one modal per page of at most five fields; choices are typed (their values
are listed under the label) and matched back to a value on submit.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import discord

from adapters.discord import limits as L
from adapters.discord.limits import clip
from adapters.discord.views import modal_custom_id
from bot.messages import (
    Attachment,
    Button,
    ButtonStyle,
    Card,
    Field,
    FieldKind,
    Form,
    FormField,
    Message,
)

COLOUR = discord.Colour(0x3F7CAC)
_STYLES = {
    ButtonStyle.PRIMARY: discord.ButtonStyle.primary,
    ButtonStyle.DANGER: discord.ButtonStyle.danger,
    ButtonStyle.DEFAULT: discord.ButtonStyle.secondary,
}
_EMPTY_VALUE = "—"


# --------------------------------------------------------------------------- buttons


@dataclass(frozen=True)
class ActionSpec:
    """A core button: pressing it sends `action_id` to the core."""

    guild_id: int
    action_id: str
    label: str
    style: discord.ButtonStyle = discord.ButtonStyle.secondary

    @property
    def custom_id(self) -> str:
        return f"ib:{self.guild_id}:{self.action_id}"


@dataclass(frozen=True)
class FormSpec:
    """A button that opens page `page` of the form `form_id`."""

    guild_id: int
    page: int
    form_id: str
    label: str
    style: discord.ButtonStyle = discord.ButtonStyle.primary

    @property
    def custom_id(self) -> str:
        return f"ibf:{self.guild_id}:{self.page}:{self.form_id}"


ButtonSpec = ActionSpec | FormSpec
ACTION_ROW, BUTTON = 1, 2  # component types


class ButtonRows:
    """A message's rows of buttons as Discord components, handed to discord.py as `view=`.

    Not a `discord.ui.View`: every button is routed by its custom_id alone, through the
    `DynamicItem`s registered with the client (views.py), so nothing about a sent message
    needs remembering, and a View per reply would cost a random id, a future and an item
    object per button on the event loop (and, for an ephemeral reply, a 15-minute timeout
    task). discord.py takes any object with its `__discord_ui_view__` marker and these
    methods as a view; the adapter tests send these through the real client and check each
    body against Discord's OpenAPI description, and press the buttons."""

    __discord_ui_view__ = True
    timeout: float | None = None

    def __init__(self, components: list[dict[str, Any]]) -> None:
        self._components = components

    def to_components(self) -> list[dict[str, Any]]:
        return self._components

    def has_components_v2(self) -> bool:
        return False

    def is_finished(self) -> bool:
        return True  # nothing to listen for: presses are routed by custom_id

    def is_dispatchable(self) -> bool:
        return False


def _action(button: Button, guild_id: int, suffix: str = "") -> ActionSpec | None:
    spec = ActionSpec(
        guild_id,
        button.action_id,
        clip(f"{button.label} · {suffix}" if suffix else button.label, L.BUTTON_LABEL),
        _STYLES.get(button.style, discord.ButtonStyle.secondary),
    )
    return spec if len(spec.custom_id) <= L.CUSTOM_ID else None


def _rows(specs: Iterable[ButtonSpec | None]) -> list[list[ButtonSpec]]:
    kept = [s for s in specs if s is not None]
    return [kept[i : i + L.ROW_BUTTONS] for i in range(0, len(kept), L.ROW_BUTTONS)]


# --------------------------------------------------------------------------- messages


@dataclass
class Outgoing:
    """One Discord message, ready to send."""

    content: str = ""
    embeds: list[discord.Embed] = field(default_factory=list)
    rows: list[list[ButtonSpec]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)

    def embed_chars(self) -> int:
        return sum(len(e) for e in self.embeds)

    def is_empty(self) -> bool:
        return not (self.content or self.embeds or self.rows or self.attachments)

    def view(self) -> ButtonRows | None:
        """The message's buttons, for discord.py's `view=` (see `ButtonRows`)."""
        if not self.rows:
            return None
        components: list[dict[str, Any]] = []
        seen: set[str] = set()
        for row in self.rows:
            buttons = []
            for spec in row:
                if spec.custom_id in seen:
                    continue  # Discord refuses a custom_id used twice in one message
                seen.add(spec.custom_id)
                buttons.append({"type": BUTTON, "style": spec.style.value,
                                "label": spec.label, "custom_id": spec.custom_id})
            if buttons:
                components.append({"type": ACTION_ROW, "components": buttons})
        return ButtonRows(components)

    def files(self) -> list[discord.File]:
        """Fresh file objects (discord.py consumes them when sending)."""
        return [
            discord.File(io.BytesIO(a.content), filename=a.filename,
                         description=clip(a.title, 1024) or None)
            for a in self.attachments
        ]

    def custom_ids(self) -> list[str]:
        return [spec.custom_id for row in self.rows for spec in row]


def _embed_fields(embed: discord.Embed, fields: Sequence[Field]) -> None:
    shown = list(fields[: L.EMBED_FIELDS])
    for item in shown:
        embed.add_field(
            name=clip(item.label.strip(), L.FIELD_NAME) or _EMPTY_VALUE,
            value=clip(item.value.strip(), L.FIELD_VALUE) or _EMPTY_VALUE,
            inline=False,
        )


def _fit(embed: discord.Embed, budget: int) -> discord.Embed:
    """Shorten the description, then drop fields, until the embed has at most `budget`
    characters."""
    while len(embed) > budget and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    excess = len(embed) - budget
    if excess > 0 and embed.description:
        keep = max(len(embed.description) - excess, 1)
        embed.description = clip(embed.description, keep)
    return embed


def _head(message: Message) -> tuple[str, discord.Embed | None]:
    text = message.text.strip()
    if not message.title and not message.fields and len(text) <= L.CONTENT:
        return text, None
    embed = discord.Embed(
        title=clip(message.title.strip(), L.EMBED_TITLE) or None,
        description=clip(text, L.EMBED_DESCRIPTION) or None,
        colour=COLOUR,
    )
    _embed_fields(embed, message.fields)
    return "", _fit(embed, L.EMBED_TOTAL)


def _card_embed(card: Card) -> discord.Embed:
    parts = []
    if card.subtitle.strip():
        parts.append(f"*{card.subtitle.strip()}*")
    if card.text.strip():
        parts.append(card.text.strip())
    embed = discord.Embed(
        title=clip(card.title.strip(), L.EMBED_TITLE) or _EMPTY_VALUE,
        description=clip("\n".join(parts), L.EMBED_DESCRIPTION) or None,
        colour=COLOUR,
    )
    _embed_fields(embed, card.fields)
    return _fit(embed, L.EMBED_TOTAL)


def _short(title: str) -> str:
    return clip(title.strip(), 40)


def render_message(
    message: Message, guild_id: int, extra_rows: Sequence[Sequence[ButtonSpec]] = ()
) -> list[Outgoing]:
    """`message` as Discord messages (at least one, never empty); `extra_rows` are added
    after the message's own buttons."""
    content, head = _head(message)
    out: list[Outgoing] = [Outgoing(content=content)]
    if head is not None:
        out[0].embeds.append(head)

    def place(embed: discord.Embed | None, rows: list[list[ButtonSpec]]) -> None:
        current = out[-1]
        full = (
            (embed is not None and len(current.embeds) >= L.EMBEDS)
            or (embed is not None and current.embed_chars() + len(embed) > L.EMBED_TOTAL)
            or len(current.rows) + len(rows) > L.ACTION_ROWS
        )
        if full and not current.is_empty():
            current = Outgoing()
            out.append(current)
        if embed is not None:
            current.embeds.append(embed)
        current.rows.extend(rows[: L.ACTION_ROWS])

    labelled = sum(1 for card in message.cards if card.buttons) > 1
    for card in message.cards:
        suffix = _short(card.title) if labelled else ""
        place(_card_embed(card), _rows(_action(b, guild_id, suffix) for b in card.buttons))
    bottom = _rows(_action(b, guild_id) for b in message.buttons)
    bottom += [list(row[: L.ROW_BUTTONS]) for row in extra_rows if row]
    if bottom:
        place(None, bottom)
    attachments = list(message.attachments)
    index = 0
    while attachments:
        if index >= len(out):
            out.append(Outgoing())
        out[index].attachments.extend(attachments[: L.FILES])
        attachments = attachments[L.FILES :]
        index += 1
    for item in out:
        if item.is_empty():
            item.content = "Done."
        if not item.content and not item.embeds and item.rows and not item.attachments:
            item.content = "More:"
    return out


def text_only(text: str) -> list[Outgoing]:
    return [Outgoing(content=clip(text.strip(), L.CONTENT) or "Done.")]


# --------------------------------------------------------------------------- forms


def pages_of(form: Form) -> list[tuple[FormField, ...]]:
    """The form's fields in pages of at most five (one modal each)."""
    fields = form.fields
    size = L.MODAL_COMPONENTS
    return [fields[i : i + size] for i in range(0, len(fields), size)] or [()]


def page_of_field(form: Form, field_id: str) -> int:
    for number, page in enumerate(pages_of(form)):
        if any(f.field_id == field_id for f in page):
            return number
    return 0


def _choice_values(item: FormField) -> str:
    return ", ".join(value for value, _ in item.choices)


def _input(item: FormField) -> discord.ui.Label[Any]:
    max_length = max(1, min(item.max_length, L.INPUT_VALUE))
    placeholder = item.placeholder
    description = item.hint
    if item.kind is FieldKind.CHOICE and item.choices:
        description = f"Type one of: {_choice_values(item)}"
        placeholder = placeholder or " · ".join(
            f"{value} = {label}" for value, label in item.choices
        )
    style = (discord.TextStyle.paragraph if item.kind is FieldKind.PARAGRAPH
             else discord.TextStyle.short)
    text_input: discord.ui.TextInput[Any] = discord.ui.TextInput(
        style=style,
        custom_id=item.field_id,
        required=item.required,
        max_length=max_length,
        default=clip(item.initial, max_length) or None,
        placeholder=clip(placeholder, L.PLACEHOLDER) or None,
    )
    return discord.ui.Label(
        text=clip(item.label.strip() or item.field_id.replace("_", " ").capitalize(),
                  L.INPUT_LABEL),
        description=clip(description, L.LABEL_DESCRIPTION) or None,
        component=text_input,
    )


def build_modal(form: Form, page: int, guild_id: int) -> discord.ui.Modal:
    """Page `page` of `form` as a modal. The form's intro is shown when the page has room.

    The modal is stopped before it is sent, so discord.py does not keep it: submits are
    routed by custom_id (`views.parse_modal_custom_id`), which also works after a restart.
    """
    pages = pages_of(form)
    page = min(max(page, 0), len(pages) - 1)
    title = form.title.strip() or "Introbot"
    if len(pages) > 1:
        suffix = f" ({page + 1}/{len(pages)})"
        title = clip(title, L.MODAL_TITLE - len(suffix)) + suffix
    modal = discord.ui.Modal(title=clip(title, L.MODAL_TITLE),
                             custom_id=modal_custom_id(guild_id, page, len(pages),
                                                       form.form_id))
    fields = pages[page]
    if form.intro.strip() and page == 0 and len(fields) < L.MODAL_COMPONENTS:
        modal.add_item(discord.ui.TextDisplay(clip(form.intro.strip(), L.TEXT_DISPLAY)))
    for item in fields:
        modal.add_item(_input(item))
    modal.stop()
    return modal


def submitted_values(components: Sequence[Any]) -> dict[str, str]:
    """Text-input values of a modal submit (``data.components``), by custom_id."""
    values: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            if node.get("type") == 4 and isinstance(node.get("custom_id"), str):
                values[node["custom_id"]] = str(node.get("value") or "")
            walk(node.get("components"))
            walk(node.get("component"))

    walk(list(components))
    return values


def normalise_choice(item: FormField, raw: str) -> str:
    """A typed choice as the value the core expects: the value itself, or the value of the
    choice whose label (or the start of it) was typed, any case. Anything else is left for
    the core to refuse."""
    typed = " ".join(raw.split()).casefold()
    if not typed:
        return raw
    for value, label in item.choices:
        if typed in (value.casefold(), label.casefold()):
            return value
    starts = [value for value, label in item.choices if label.casefold().startswith(typed)]
    return starts[0] if len(starts) == 1 else raw


def page_values(form: Form, page: int, values: dict[str, str]) -> dict[str, str]:
    """The values of one page's fields as the core takes them (choices normalised)."""
    clean: dict[str, str] = {}
    for item in pages_of(form)[page]:
        raw = values.get(item.field_id, "")
        clean[item.field_id] = normalise_choice(item, raw) if item.choices else raw
    return clean


def with_values(form: Form, values: dict[str, str]) -> Form:
    """The form again with `values` as its initial values (to fix a refused submit)."""
    fields = tuple(
        replace(f, initial=values[f.field_id]) if f.field_id in values else f
        for f in form.fields
    )
    return replace(form, fields=fields)


def form_prompt(
    form: Form, guild_id: int, note: Message | None, page: int = 0, label: str = ""
) -> list[Outgoing]:
    """A message with a button that opens `form` (when a modal can't be the answer)."""
    text = note.text.strip() if note is not None and note.text.strip() else ""
    intro = form.intro.strip()
    if not text:
        text = intro or f"Next: {form.title}."
    elif intro and intro not in text:
        text = f"{text}\n\n{intro}"
    button = FormSpec(guild_id, page, form.form_id,
                      clip(label or "Open the form", L.BUTTON_LABEL))
    base = note if note is not None else Message(text="")
    return render_message(replace(base, text=text), guild_id, extra_rows=[[button]])


def field_errors_prompt(
    form: Form | None, errors: dict[str, str], guild_id: int, form_id: str
) -> list[Outgoing]:
    """What was wrong with a submitted form, and a button to fix it."""
    labels = {f.field_id: f.label for f in form.fields} if form is not None else {}
    fields = tuple(Field(labels.get(key, key.replace("_", " ").capitalize()), message)
                   for key, message in errors.items())
    page = page_of_field(form, next(iter(errors), "")) if form is not None else 0
    message = Message(text="Almost there — please check this and send it again:",
                      fields=fields)
    if form is None:
        return render_message(message, guild_id)
    fix = FormSpec(guild_id, page, form_id, "Fix it")
    return render_message(message, guild_id, extra_rows=[[fix]])
