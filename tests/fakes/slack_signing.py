"""Requests as Slack sends them to an app: payload builders and signed HTTP requests.

The payload functions build what Slack delivers (slash command fields, block_actions,
view_submission, event_callback); Socket Mode carries them as an envelope's `payload`
(`fake.socket_send("slash_commands", slash_command_payload(...))`). `SlackRequestSigner` wraps the
same payloads into the HTTP bodies Bolt's HTTP mode reads, with Slack's v0 signature:

    signer = SlackRequestSigner("signing-secret")
    request = signer.slash_command("/intro", "help", user_id="U1", channel_id="C1")
    reply = await request.post(app_url)
    assert reply.status == 200
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

DEFAULT_TEAM_ID = "T0FAKETEAM"
DEFAULT_TEAM_DOMAIN = "fake-alumni"
DEFAULT_APP_ID = "A0FAKEAPP"
VERIFICATION_TOKEN = "fake-verification-token"
STALE_SECONDS = 10 * 60


def _user(user_id: str, user_name: str, team_id: str) -> dict[str, Any]:
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id}


def _team(team_id: str) -> dict[str, Any]:
    return {"id": team_id, "domain": DEFAULT_TEAM_DOMAIN}


def slash_command_payload(
    command: str,
    text: str = "",
    *,
    user_id: str,
    channel_id: str,
    user_name: str = "member",
    team_id: str = DEFAULT_TEAM_ID,
    channel_name: str = "general",
    response_url: str = "",
    trigger_id: str = "",
    api_app_id: str = DEFAULT_APP_ID,
) -> dict[str, str]:
    """The form fields of a slash command (Socket Mode sends the same as a JSON object)."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": DEFAULT_TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def block_actions_payload(
    action_id: str,
    *,
    user_id: str,
    value: str | None = None,
    block_id: str = "actions",
    action_type: str = "button",
    user_name: str = "member",
    team_id: str = DEFAULT_TEAM_ID,
    channel_id: str | None = None,
    message: Mapping[str, Any] | None = None,
    view: Mapping[str, Any] | None = None,
    response_url: str | None = None,
    trigger_id: str = "",
    api_app_id: str = DEFAULT_APP_ID,
) -> dict[str, Any]:
    """A button (or other element) click, on a message (give `channel_id` and `message`, as
    chat.postMessage returned it) or in a view (give the `view` dict the fake stored)."""
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id,
        "type": action_type,
        "action_ts": f"{time.time():.6f}",
    }
    if value is not None:
        action["value"] = value
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, user_name, team_id),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "team": _team(team_id),
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [action],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view["id"]}
        payload["view"] = dict(view)
    else:
        if channel_id is None or message is None:
            raise ValueError("a message click needs channel_id and message")
        payload["container"] = {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": "general"}
        payload["message"] = dict(message)
        payload["state"] = {"values": {}}
    if response_url is not None:
        payload["response_url"] = response_url
    return payload


def text_input_values(values: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """`{"block": {"action": "typed text"}}` as a view's `state.values` of plain_text_inputs."""
    return {
        block_id: {
            action_id: {"type": "plain_text_input", "value": text}
            for action_id, text in actions.items()
        }
        for block_id, actions in values.items()
    }


def view_submission_payload(
    view: Mapping[str, Any],
    *,
    user_id: str,
    values: Mapping[str, Any] | None = None,
    user_name: str = "member",
    team_id: str = DEFAULT_TEAM_ID,
    trigger_id: str = "",
    api_app_id: str = DEFAULT_APP_ID,
) -> dict[str, Any]:
    """A modal's submit: `view` is the stored view (e.g. `fake.views[view_id]`), `values` its
    `state.values` (see `text_input_values`)."""
    submitted = dict(view)
    submitted["state"] = {"values": dict(values or {})}
    return {
        "type": "view_submission",
        "team": _team(team_id),
        "user": _user(user_id, user_name, team_id),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "view": submitted,
        "response_urls": [],
        "enterprise": None,
        "is_enterprise_install": False,
    }


def event_callback_payload(
    event: Mapping[str, Any],
    *,
    team_id: str = DEFAULT_TEAM_ID,
    bot_user_id: str = "U0FAKEBOT",
    api_app_id: str = DEFAULT_APP_ID,
    event_id: str | None = None,
    event_time: int | None = None,
) -> dict[str, Any]:
    """An Events API `event_callback` wrapping `event` (which needs at least `type`)."""
    now = int(time.time())
    inner = dict(event)
    inner.setdefault("event_ts", f"{now}.000100")
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": inner,
        "type": "event_callback",
        "event_id": event_id or "Ev" + secrets.token_hex(5).upper(),
        "event_time": event_time or now,
        "authed_users": [bot_user_id],
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


@dataclass(frozen=True)
class HttpReply:
    status: int
    text: str
    headers: Mapping[str, str]

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass(frozen=True)
class SignedRequest:
    """A request body, its headers (signature included) and the payload it carries."""

    body: str
    headers: Mapping[str, str]
    payload: Mapping[str, Any]

    async def post(self, url: str) -> HttpReply:
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=self.body.encode(), headers=dict(self.headers)) as response,
        ):
            return HttpReply(
                status=response.status, text=await response.text(), headers=dict(response.headers)
            )


class SlackRequestSigner:
    """Signs bodies the way Slack does (`v0:{timestamp}:{body}`, HMAC-SHA256)."""

    def __init__(self, signing_secret: str, *, clock: Callable[[], float] = time.time) -> None:
        self.signing_secret = signing_secret
        self._clock = clock

    def sign(
        self, body: str, *, timestamp: int | None = None, forged: bool = False, stale: bool = False
    ) -> dict[str, str]:
        """Headers for `body`: `forged` signs with a wrong secret, `stale` is 10 minutes old."""
        if timestamp is None:
            timestamp = int(self._clock()) - (STALE_SECONDS if stale else 0)
        secret = self.signing_secret + "-forged" if forged else self.signing_secret
        signature = SignatureVerifier(secret).generate_signature(
            timestamp=str(timestamp), body=body
        )
        if signature is None:
            raise ValueError("slack_sdk made no signature")
        return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature}

    def _form(
        self, fields: Mapping[str, str], payload: Mapping[str, Any], **options: Any
    ) -> SignedRequest:
        body = urlencode(fields)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            **self.sign(body, **options),
        }
        return SignedRequest(body=body, headers=headers, payload=payload)

    def slash_command(
        self,
        command: str,
        text: str = "",
        *,
        forged: bool = False,
        stale: bool = False,
        **fields: Any,
    ) -> SignedRequest:
        payload = slash_command_payload(command, text, **fields)
        return self._form(payload, payload, forged=forged, stale=stale)

    def interactive(
        self, payload: Mapping[str, Any], *, forged: bool = False, stale: bool = False
    ) -> SignedRequest:
        """Any interactivity payload, sent as the single form field `payload=<json>`."""
        return self._form({"payload": json.dumps(payload)}, payload, forged=forged, stale=stale)

    def block_actions(
        self, action_id: str, *, forged: bool = False, stale: bool = False, **fields: Any
    ) -> SignedRequest:
        return self.interactive(
            block_actions_payload(action_id, **fields), forged=forged, stale=stale
        )

    def view_submission(
        self,
        view: Mapping[str, Any],
        *,
        forged: bool = False,
        stale: bool = False,
        **fields: Any,
    ) -> SignedRequest:
        return self.interactive(view_submission_payload(view, **fields), forged=forged, stale=stale)

    def url_verification(self, challenge: str = "fake-challenge") -> SignedRequest:
        """The handshake Slack sends when an Events API request URL is saved."""
        payload = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        body = json.dumps(payload)
        headers = {"Content-Type": "application/json", **self.sign(body)}
        return SignedRequest(body=body, headers=headers, payload=payload)

    def event(
        self,
        event: Mapping[str, Any],
        *,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        forged: bool = False,
        stale: bool = False,
        **fields: Any,
    ) -> SignedRequest:
        """An Events API delivery; `retry_num` adds `X-Slack-Retry-Num`/`-Reason` as on a retry."""
        payload = event_callback_payload(event, **fields)
        body = json.dumps(payload)
        headers = {
            "Content-Type": "application/json",
            **self.sign(body, forged=forged, stale=stale),
        }
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason
        return SignedRequest(body=body, headers=headers, payload=payload)
