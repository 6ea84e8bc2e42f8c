"""Slack's Block Kit limits that slack_sdk does not check before sending.

slack_sdk's `models` objects refuse over-long text when the code builds blocks with them, but
raw dict blocks and the per-surface block counts go out unchecked. Slack then answers
`invalid_blocks` (messages) or `invalid_arguments` (views) with `[ERROR] ...` lines naming a JSON
pointer. These functions return such lines; an empty list means Slack would accept the blocks.
Limits are the ones in Slack's Block Kit reference.
"""

from __future__ import annotations

from typing import Any

MESSAGE_TEXT_LIMIT = 40_000
BLOCK_LIMITS = {"message": 50, "modal": 100, "home": 100}

KNOWN_BLOCK_TYPES = frozenset(
    {
        "actions",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "video",
    }
)


def _err(text: str, pointer: str) -> str:
    return f"[ERROR] {text} [json-pointer:{pointer}]"


def _text_problems(
    obj: Any, pointer: str, *, limit: int, plain_only: bool = False, required: bool = True
) -> list[str]:
    if obj is None:
        return [_err("missing required field: text", pointer)] if required else []
    if not isinstance(obj, dict):
        return [_err("must be an object", pointer)]
    problems: list[str] = []
    kind = obj.get("type")
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if kind not in allowed:
        problems.append(_err(f"must be one of {', '.join(allowed)}", f"{pointer}/type"))
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        problems.append(_err("must be more than 0 characters", f"{pointer}/text"))
    elif len(text) > limit:
        problems.append(_err(f"must be less than {limit + 1} characters", f"{pointer}/text"))
    return problems


def _length_problem(value: Any, pointer: str, limit: int) -> list[str]:
    if isinstance(value, str) and len(value) > limit:
        return [_err(f"must be less than {limit + 1} characters", pointer)]
    return []


def _element_problems(element: Any, pointer: str) -> list[str]:
    if not isinstance(element, dict):
        return [_err("must be an object", pointer)]
    problems = _length_problem(element.get("action_id"), f"{pointer}/action_id", 255)
    kind = element.get("type")
    if kind == "button":
        problems += _text_problems(
            element.get("text"), f"{pointer}/text", limit=75, plain_only=True
        )
        problems += _length_problem(element.get("value"), f"{pointer}/value", 2000)
        problems += _length_problem(element.get("url"), f"{pointer}/url", 3000)
    elif kind in ("static_select", "multi_static_select"):
        options = element.get("options")
        if isinstance(options, list) and len(options) > 100:
            problems.append(_err("must provide at most 100 items", f"{pointer}/options"))
    elif kind == "plain_text_input":
        problems += _length_problem(element.get("initial_value"), f"{pointer}/initial_value", 3000)
    return problems


def _block_problems(block: Any, pointer: str) -> list[str]:
    if not isinstance(block, dict):
        return [_err("must be an object", pointer)]
    kind = block.get("type")
    if kind not in KNOWN_BLOCK_TYPES:
        return [_err(f"unsupported type: {kind}", f"{pointer}/type")]
    problems = _length_problem(block.get("block_id"), f"{pointer}/block_id", 255)
    if kind == "section":
        fields = block.get("fields")
        if block.get("text") is None and not fields:
            problems.append(_err("must provide either text or fields", pointer))
        if block.get("text") is not None:
            problems += _text_problems(block["text"], f"{pointer}/text", limit=3000)
        if fields is not None:
            if not isinstance(fields, list) or len(fields) > 10:
                problems.append(_err("must provide at most 10 items", f"{pointer}/fields"))
            else:
                for i, field in enumerate(fields):
                    problems += _text_problems(field, f"{pointer}/fields/{i}", limit=2000)
        if block.get("accessory") is not None:
            problems += _element_problems(block["accessory"], f"{pointer}/accessory")
    elif kind == "header":
        problems += _text_problems(block.get("text"), f"{pointer}/text", limit=150, plain_only=True)
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            problems.append(_err("must provide at least 1 item", f"{pointer}/elements"))
        elif len(elements) > 25:
            problems.append(_err("must provide at most 25 items", f"{pointer}/elements"))
        else:
            for i, element in enumerate(elements):
                problems += _element_problems(element, f"{pointer}/elements/{i}")
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            problems.append(_err("must provide at least 1 item", f"{pointer}/elements"))
        elif len(elements) > 10:
            problems.append(_err("must provide at most 10 items", f"{pointer}/elements"))
    elif kind == "input":
        problems += _text_problems(
            block.get("label"), f"{pointer}/label", limit=2000, plain_only=True
        )
        problems += _text_problems(
            block.get("hint"), f"{pointer}/hint", limit=2000, plain_only=True, required=False
        )
        if block.get("element") is None:
            problems.append(_err("missing required field: element", pointer))
        else:
            problems += _element_problems(block["element"], f"{pointer}/element")
    elif kind == "image":
        problems += _length_problem(block.get("image_url"), f"{pointer}/image_url", 3000)
        problems += _length_problem(block.get("alt_text"), f"{pointer}/alt_text", 2000)
    elif kind == "markdown":
        problems += _length_problem(block.get("text"), f"{pointer}/text", 12_000)
    return problems


def block_problems(blocks: Any, *, surface: str, pointer: str = "/blocks") -> list[str]:
    """Problems Slack would report for `blocks` on `surface` ("message", "modal" or "home")."""
    if blocks is None:
        return []
    if not isinstance(blocks, list):
        return [_err("must be an array", pointer)]
    limit = BLOCK_LIMITS[surface]
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(_err(f"must provide at most {limit} items", pointer))
    for i, block in enumerate(blocks):
        problems += _block_problems(block, f"{pointer}/{i}")
    return problems


def view_problems(view: Any) -> list[str]:
    """Problems Slack would report for a modal or Home tab view object."""
    if not isinstance(view, dict):
        return [_err("must be an object", "/view")]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [_err("must be one of modal, home", "/view/type")]
    problems = block_problems(view.get("blocks"), surface=kind, pointer="/view/blocks")
    if view.get("blocks") is None:
        problems.append(_err("missing required field: blocks", "/view"))
    problems += _length_problem(view.get("callback_id"), "/view/callback_id", 255)
    problems += _length_problem(view.get("private_metadata"), "/view/private_metadata", 3000)
    problems += _length_problem(view.get("external_id"), "/view/external_id", 255)
    if kind == "modal":
        problems += _text_problems(view.get("title"), "/view/title", limit=24, plain_only=True)
        for key in ("submit", "close"):
            problems += _text_problems(
                view.get(key), f"/view/{key}", limit=24, plain_only=True, required=False
            )
        if view.get("submit") is None and _has_input(view.get("blocks")):
            problems.append(_err("must provide submit when using input blocks", "/view/submit"))
    return problems


def _has_input(blocks: Any) -> bool:
    return isinstance(blocks, list) and any(
        isinstance(block, dict) and block.get("type") == "input" for block in blocks
    )
