"""Check request bodies against Discord's own OpenAPI description (the vendored slice).

The slice lives in ``tests/fixtures/discord/openapi_slice.json`` (see the README there). Its
schemas are OpenAPI 3.1, that is JSON Schema 2020-12, and refer to each other with
``#/components/schemas/...``; they are resolved inside the slice, never over the network.

``request_body_errors("POST", "/channels/1/messages", body)`` returns readable problems
(empty when the body is valid). Paths may be concrete (``/interactions/12/tok/callback``) or
templates as written in the spec; a leading ``/api/v10`` is ignored.

Where the description and Discord itself disagree (a field Discord takes as a string, a length
limit Discord enforces more tightly), ``ADJUSTMENTS`` changes the loaded schema and says why; the
vendored file stays as Discord published it.
"""

from __future__ import annotations

import copy
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SLICE_PATH = Path(__file__).resolve().parent.parent / "fixtures" / "discord" / "openapi_slice.json"
_BASE_URI = "urn:discord-openapi-slice"
_API_PREFIX = "/api/v10"

JSON = "application/json"
MULTIPART = "multipart/form-data"


def _also_digit_string(original: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [original, {"type": "string", "pattern": "^[0-9]+$"}]}


def _at_most_2000(original: dict[str, Any]) -> dict[str, Any]:
    return {**original, "maxLength": 2000}


def _also_integer(original: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [original, {"type": "integer", "minimum": 0}]}


Change = Callable[[dict[str, Any]], dict[str, Any]]

# Where the description and Discord itself disagree:
# (schema, property or None for the whole schema, change, reason).
ADJUSTMENTS: list[tuple[str, str | None, Change, str]] = [
    (
        "SnowflakeType",
        None,
        _also_integer,
        "Discord takes ids as JSON numbers too, and discord.py sends some that way"
        " (recipient_id, message_reference ids).",
    ),
    (
        "ApplicationCommandUpdateRequest",
        "default_member_permissions",
        _also_digit_string,
        "Discord documents this field as a string of permission bits and discord.py sends it"
        " as one; the description says integer only.",
    ),
    (
        "MessageCreateRequest",
        "content",
        _at_most_2000,
        "Discord refuses bot messages over 2000 characters (50035); the description allows 4000.",
    ),
    ("MessageEditRequestPartial", "content", _at_most_2000, "as for MessageCreateRequest"),
]


def _pointer_token(text: str) -> str:
    return text.replace("~", "~0").replace("/", "~1")


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    pattern = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{pattern}$")


def _is_wrong_variant(error: ValidationError) -> bool:
    """A discriminator mismatch (``type`` not in the variant's enum): the branch does not apply."""
    return error.validator in ("enum", "const") and error.path and error.path[-1] == "type"


def _is_not_null(error: ValidationError) -> bool:
    """The ``null`` branch of an optional value failed: rarely the interesting one."""
    return error.validator == "type" and error.validator_value in ("null", ["null"])


def _leaves(error: ValidationError) -> list[ValidationError]:
    """The errors that explain ``error``: inside anyOf/oneOf, those of the closest variant."""
    if not error.context:
        return [error]
    branches: dict[Any, list[ValidationError]] = defaultdict(list)
    for sub in error.context:
        branches[sub.relative_schema_path[0]].append(sub)
    explained = [[leaf for sub in subs for leaf in _leaves(sub)] for subs in branches.values()]

    def closeness(leaves: list[ValidationError]) -> tuple[bool, bool, int, int]:
        return (
            not any(_is_wrong_variant(leaf) for leaf in leaves),
            not all(_is_not_null(leaf) for leaf in leaves),
            min(len(leaf.absolute_path) for leaf in leaves),
            -len(leaves),
        )

    return max(explained, key=closeness)


def _format_error(error: ValidationError) -> str:
    where = error.json_path
    instance = error.instance
    limit = error.validator_value
    if error.validator in ("maxLength", "minLength") and isinstance(instance, str):
        bound = "at most" if error.validator == "maxLength" else "at least"
        return f"{where}: {len(instance)} characters, {bound} {limit} allowed"
    if error.validator in ("maxItems", "minItems") and isinstance(instance, list):
        bound = "at most" if error.validator == "maxItems" else "at least"
        return f"{where}: {len(instance)} items, {bound} {limit} allowed"
    message = error.message
    if len(message) > 300:
        message = message[:150] + " ... " + message[-100:]
    return f"{where}: {message}"


class OpenApiRequests:
    """Request-body schemas of one OpenAPI document, looked up by method and path."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = self._adjusted(document)
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_BASE_URI, resource)
        templates = list(self.document["paths"])
        # Literal segments (@me, @original) win over parameters: fewer parameters first.
        templates.sort(key=lambda t: (t.count("{"), -len(t)))
        self._templates: list[tuple[str, re.Pattern[str]]] = [
            (t, _template_regex(t)) for t in templates
        ]

    @staticmethod
    def _adjusted(document: dict[str, Any]) -> dict[str, Any]:
        document = copy.deepcopy(document)
        schemas = document.get("components", {}).get("schemas", {})
        for schema_name, prop, change, _reason in ADJUSTMENTS:
            if schema_name not in schemas:
                continue
            if prop is None:
                schemas[schema_name] = change(schemas[schema_name])
            else:
                properties = schemas[schema_name]["properties"]
                properties[prop] = change(properties[prop])
        return document

    def template_for(self, path: str) -> str | None:
        """The spec's path template matching a concrete path, or None."""
        path = path.split("?", 1)[0]
        if path.startswith(_API_PREFIX):
            path = path[len(_API_PREFIX) :]
        for template, regex in self._templates:
            if regex.match(path):
                return template
        return None

    def has_request_body(self, method: str, path: str) -> bool:
        template = self.template_for(path)
        if template is None:
            return False
        operation = self.document["paths"][template].get(method.lower(), {})
        return "requestBody" in operation

    def _schema_pointer(self, method: str, template: str, content_type: str) -> str | None:
        operation = self.document["paths"][template].get(method.lower())
        if operation is None or "requestBody" not in operation:
            return None
        content = operation["requestBody"]["content"]
        if content_type not in content:
            content_type = JSON if JSON in content else next(iter(content))
        return "/".join(
            [
                "#",
                "paths",
                _pointer_token(template),
                method.lower(),
                "requestBody",
                "content",
                _pointer_token(content_type),
                "schema",
            ]
        )

    def schema_for(self, method: str, path: str, content_type: str = JSON) -> dict[str, Any]:
        """A schema that validates the body of ``method path`` (refs resolved in the slice)."""
        template = self.template_for(path)
        if template is None:
            raise KeyError(f"no operation in the Discord spec slice matches {method} {path}")
        pointer = self._schema_pointer(method, template, content_type)
        if pointer is None:
            raise KeyError(f"{method.upper()} {template} has no request body in the spec slice")
        return {"$ref": f"{_BASE_URI}{pointer}"}

    def iter_errors(
        self, method: str, path: str, body: Any, content_type: str = JSON
    ) -> Iterator[ValidationError]:
        validator = Draft202012Validator(
            self.schema_for(method, path, content_type), registry=self._registry
        )
        for error in validator.iter_errors(body):
            yield from _leaves(error)

    def errors(self, method: str, path: str, body: Any, content_type: str = JSON) -> list[str]:
        """Readable problems with ``body`` as the request body of ``method path``."""
        template = self.template_for(path)
        if template is None:
            return [f"{method.upper()} {path} is not an operation of the Discord spec slice"]
        operation = self.document["paths"][template].get(method.lower())
        if operation is None:
            return [f"{method.upper()} is not an operation on {template} in the Discord spec slice"]
        if "requestBody" not in operation:
            return [] if body is None else [f"{method.upper()} {template} takes no request body"]
        if body is None:
            required = operation["requestBody"].get("required", False)
            return [f"{method.upper()} {template} needs a request body"] if required else []
        return [_format_error(e) for e in self.iter_errors(method, path, body, content_type)]


@cache
def default_requests() -> OpenApiRequests:
    """The validator over the vendored slice (loaded once)."""
    return OpenApiRequests(json.loads(SLICE_PATH.read_text(encoding="utf-8")))


def request_body_errors(method: str, path: str, body: Any, content_type: str = JSON) -> list[str]:
    """Problems with ``body`` as the request body of ``method path``; empty when valid."""
    return default_requests().errors(method, path, body, content_type)
