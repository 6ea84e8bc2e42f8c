"""Neutral messages as terminal text. Buttons get numbers that `/press N` uses."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

from bot.messages import Attachment, Button, Card, DirectMessage, Message

WIDTH = 78


class ButtonBoard:
    """Numbers every button shown, so a person (or a script) can press it by number."""

    def __init__(self) -> None:
        self._buttons: dict[int, tuple[Button, str]] = {}
        self._next = 1

    def register(self, button: Button, owner: str) -> int:
        number = self._next
        self._next += 1
        self._buttons[number] = (button, owner)
        return number

    def get(self, number: int) -> tuple[Button, str] | None:
        return self._buttons.get(number)


def _wrap(text: str, indent: str) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        if not paragraph.strip():
            lines.append(indent.rstrip())
            continue
        lines.extend(
            textwrap.wrap(paragraph, WIDTH, initial_indent=indent, subsequent_indent=indent,
                          break_long_words=True, replace_whitespace=False)
            or [indent]
        )
    return lines


def _buttons(buttons: tuple[Button, ...], board: ButtonBoard, owner: str, indent: str) -> str:
    labels = [f"[{board.register(b, owner)}] {b.label}" for b in buttons]
    return indent + "   ".join(labels)


def _card(card: Card, board: ButtonBoard, owner: str) -> list[str]:
    lines = ["  • " + card.title + (f" — {card.subtitle}" if card.subtitle else "")]
    if card.text:
        lines.extend(_wrap(card.text, "    "))
    for field in card.fields:
        lines.extend(_wrap(f"{field.label}: {field.value}", "    "))
    if card.buttons:
        lines.append(_buttons(card.buttons, board, owner, "    "))
    return lines


def render_message(
    message: Message,
    board: ButtonBoard,
    owner: str,
    save: Callable[[Attachment], Path],
) -> str:
    lines: list[str] = []
    if message.title:
        lines.append(message.title)
    lines.extend(_wrap(message.text, ""))
    for field in message.fields:
        lines.extend(_wrap(f"{field.label}: {field.value}", "  "))
    for card in message.cards:
        lines.extend(_card(card, board, owner))
    if message.buttons:
        lines.append(_buttons(message.buttons, board, owner, "  "))
    for attachment in message.attachments:
        path = save(attachment)
        lines.append(f"  📎 {attachment.filename} saved to {path}")
    return "\n".join(lines)


def render_dm(
    dm: DirectMessage, board: ButtonBoard, save: Callable[[Attachment], Path]
) -> str:
    names = ", ".join(f"{r.display_name}" for r in dm.recipients)
    owner = dm.recipients[0].platform_user_id if len(dm.recipients) == 1 else ""
    head = f"── DM to {names} " if len(dm.recipients) == 1 else f"── group DM: {names} "
    head = head + "─" * max(4, WIDTH - len(head))
    body = render_message(dm.message, board, owner, save)
    return f"{head}\n{body}"
