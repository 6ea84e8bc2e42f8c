"""The neutral message model: what the core says, addressed to members.

Adapters render these natively (Block Kit, Discord embeds and views, console text) and
deliver them. Buttons carry stable action ids with the entity id inside, e.g.
``intro:accept:42``, so a press is understood after any restart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ButtonStyle(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    style: ButtonStyle = ButtonStyle.DEFAULT


@dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True)
class Card:
    """One item in a list: a mentor in search results, a request in a list."""

    title: str
    subtitle: str = ""
    text: str = ""
    fields: tuple[Field, ...] = ()
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Attachment:
    """A file to hand over: a CSV export, an .ics invite."""

    filename: str
    content: bytes
    mime_type: str
    title: str = ""


@dataclass(frozen=True)
class Message:
    text: str
    title: str = ""
    fields: tuple[Field, ...] = ()
    cards: tuple[Card, ...] = ()
    buttons: tuple[Button, ...] = ()
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Recipient:
    """A member as an adapter needs them to deliver a DM."""

    member_id: int
    platform_user_id: str
    display_name: str


@dataclass(frozen=True)
class DirectMessage:
    """A DM. With several recipients it is a group conversation (an introduction)."""

    recipients: tuple[Recipient, ...]
    message: Message
    kind: str = "notice"


class FieldKind(StrEnum):
    TEXT = "text"
    PARAGRAPH = "paragraph"
    CHOICE = "choice"
    NUMBER = "number"


@dataclass(frozen=True)
class FormField:
    field_id: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = False
    max_length: int = 300
    placeholder: str = ""
    initial: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    hint: str = ""


@dataclass(frozen=True)
class Form:
    """A modal: submitted values come back to the core with ``form_id``.

    ``form_id`` is stable and carries entity ids (``request:mentor:17``).
    """

    form_id: str
    title: str
    fields: tuple[FormField, ...]
    submit_label: str = "Submit"
    intro: str = ""


@dataclass
class Outcome:
    """Everything a use case wants said: a reply to the actor, DMs, or a form to open.

    ``field_errors`` is set when a submitted form is refused: field id -> message.
    """

    reply: Message | None = None
    dms: list[DirectMessage] = field(default_factory=list)
    form: Form | None = None
    field_errors: dict[str, str] = field(default_factory=dict)
    ok: bool = True  # False when the core refused (the reply then says why)

    def add_dm(self, recipients: tuple[Recipient, ...], message: Message, kind: str) -> None:
        self.dms.append(DirectMessage(recipients=recipients, message=message, kind=kind))


def reply(text: str, **kwargs: object) -> Outcome:
    """An outcome that only answers the actor."""
    return Outcome(reply=Message(text=text, **kwargs))  # type: ignore[arg-type]
