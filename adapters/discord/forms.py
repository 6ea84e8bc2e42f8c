"""Modals that stand for a command: filled in, they become the command's text for the core.

Discord users expect a form where a command needs a free-form value such as a time, so
`/intro schedule` without a time opens one. Nothing is decided here: the submitted values
are written into the command's text form and the core parses and checks them as if typed.
"""

from __future__ import annotations

import re

from bot.messages import FieldKind, Form, FormField

PREFIX = "cmd:"
_SCHEDULE = re.compile(r"cmd:schedule:(?P<id>[0-9]{1,18})")


def is_command_form(form_id: str) -> bool:
    return form_id.startswith(PREFIX)


def schedule_form(request_id: int) -> Form:
    return Form(
        form_id=f"{PREFIX}schedule:{request_id}",
        title=f"Schedule intro #{request_id}",
        intro="Record the time you both agreed. You'll each get a calendar invite.",
        submit_label="Save",
        fields=(
            FormField("when", "When you meet", required=True, max_length=100,
                      placeholder="tomorrow 15:00, or 2026-05-04 09:30"),
            FormField("minutes", "How many minutes (optional)", kind=FieldKind.NUMBER,
                      max_length=3, placeholder="15"),
        ),
    )


def command_text(form_id: str, values: dict[str, str]) -> tuple[str, str] | None:
    """The ``(root, text)`` a command form's values stand for; None for other forms."""
    match = _SCHEDULE.fullmatch(form_id)
    if match is None:
        return None
    when = " ".join(values.get("when", "").split())
    minutes = values.get("minutes", "").strip()
    length = f"for {minutes}min" if minutes else ""
    return "intro", " ".join(p for p in ("schedule", match["id"], when, length) if p)
