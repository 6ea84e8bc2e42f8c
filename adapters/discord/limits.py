"""Discord's size limits, and clipping text to them.

discord.py checks counts (rows, items) but not string lengths; Discord refuses an over-long
string with 400/50035 and the whole message is lost. Everything we send passes through here.
"""

from __future__ import annotations

CONTENT = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
EMBED_TOTAL = 6000
"""All titles, descriptions, field names and values of one message's embeds together."""
EMBEDS = 10
ACTION_ROWS = 5
ROW_BUTTONS = 5
BUTTON_LABEL = 80
CUSTOM_ID = 100
FILES = 10
MODAL_TITLE = 45
MODAL_COMPONENTS = 5
INPUT_LABEL = 45
LABEL_DESCRIPTION = 100
PLACEHOLDER = 100
INPUT_VALUE = 4000
TEXT_DISPLAY = 4000
CHOICES = 25
CHOICE_NAME = 100
CHOICE_VALUE = 100
THREAD_NAME = 100

ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in … when cut (at a word when one
    ends in the last fifth, so words are not split without need)."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return text[:limit]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 4 // 5:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS
