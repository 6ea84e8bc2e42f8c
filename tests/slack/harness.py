"""Drive the real Slack app (Bolt dispatch, HTTP or Socket Mode) against the Slack fake.

`SlackHarness` sends what Slack would send — signed HTTP requests to the app's aiohttp server
on 127.0.0.1, or envelopes over the fake's Socket Mode WebSocket — and reads what the app did
from the fake: the ack, response_url posts, Web API calls, DMs, views.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.bootstrap import Runtime
from adapters.settings import IntrobotSettings
from adapters.slack.app import SlackBot, build_slack_bot
from adapters.slack.people import SlackPeople
from adapters.slack.runner import SlackRunner
from bot.context import CommunityKey, Invocation, PlatformUser
from tests.fakes.slack import (
    FakeSlack,
    PostedMessage,
    SlackRequestSigner,
    block_actions_payload,
    event_callback_payload,
    slash_command_payload,
    view_submission_payload,
)

SIGNING_SECRET = "slack-adapter-test-secret"
TEAM_DOMAIN = "fake-alumni"

MARIA = "U0MARIA01"  # mentor
PAT = "U0PAT0001"  # another mentor
SAM = "U0SAM0001"  # seeker
OLIVIA = "U0OLIVIA1"  # workspace admin
GENERAL = "C0GENERAL"

PEOPLE = {
    MARIA: ("maria", "Maria Chen", "Europe/Berlin"),
    PAT: ("pat", "Pat Okafor", "America/Chicago"),
    SAM: ("sam", "Sam Rivera", "America/New_York"),
    OLIVIA: ("olivia", "Olivia Park", "Europe/London"),
}


def add_people(slack: FakeSlack) -> None:
    for user_id, (name, shown, tz) in PEOPLE.items():
        slack.add_user(user_id, name, real_name=shown, display_name=shown, tz=tz,
                       is_admin=user_id == OLIVIA)
    slack.add_channel(GENERAL, "general")


def invocation(slack: FakeSlack, user_id: str) -> Invocation:
    """The invocation the adapter builds for `user_id` (for seeding state through the core)."""
    name, shown, tz = PEOPLE[user_id]
    return Invocation(
        CommunityKey("slack", slack.team_id, TEAM_DOMAIN),
        PlatformUser(user_id, shown, name, tz, is_platform_admin=user_id == OLIVIA),
    )


def settings_for(slack: FakeSlack, database_url: str, *, socket: bool) -> IntrobotSettings:
    return IntrobotSettings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        slack_bot_token=slack.bot_token,
        slack_signing_secret=SIGNING_SECRET,
        slack_app_token=slack.app_token if socket else "",
        slack_api_url=slack.api_url,
        slack_client_id="",
        slack_client_secret="",
        http_host="127.0.0.1",
        http_port=0,
    )


def message_dict(posted: PostedMessage) -> dict[str, Any]:
    """A posted message as Slack puts it in a block_actions payload."""
    body: dict[str, Any] = {"type": "message", "ts": posted.ts, "text": posted.text}
    if posted.blocks is not None:
        body["blocks"] = posted.blocks
    return body


def buttons_in(blocks: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for block in blocks or []:
        if block.get("type") == "actions":
            found += [e for e in block["elements"] if e.get("type") == "button"]
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") == "button":
            found.append(accessory)
    return found


def button(blocks: Any, core_id: str) -> dict[str, Any]:
    for element in buttons_in(blocks):
        if element.get("value") == core_id:
            return element
    shown = [e.get("value") for e in buttons_in(blocks)]
    raise AssertionError(f"no button {core_id!r}; buttons: {shown}")


def texts_in(blocks: Any) -> str:
    """Every text of a list of blocks, joined (for `in` assertions)."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                parts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(parts)


@dataclass
class Sent:
    """One thing sent to the app, and how the app answered it."""

    status: int
    ack: dict[str, Any] | None
    response_url: str = ""
    payload: Mapping[str, Any] = field(default_factory=dict)


class SlackHarness:
    def __init__(self, slack: FakeSlack, runtime: Runtime, mode: str,
                 ack_budget: float = 2.0) -> None:
        self.slack = slack
        self.runtime = runtime
        self.mode = mode
        self.ack_budget = ack_budget
        self.signer = SlackRequestSigner(SIGNING_SECRET)
        self.bot: SlackBot | None = None
        self.runner: SlackRunner | None = None

    @property
    def program(self) -> Any:
        return self.runtime.program

    async def start(self, runtime: Runtime | None = None) -> SlackHarness:
        """Start (or, after `stop`, restart) the app, on `runtime` if given."""
        if runtime is not None:
            self.runtime = runtime
        settings = settings_for(self.slack, "sqlite://", socket=self.mode == "socket")
        # A patient users.info: on a busy test machine a lookup may take longer than the
        # production limit, and a fallback name would change what the tests read.
        self.bot = build_slack_bot(self.runtime.program, settings, engine=self.runtime.engine,
                                   ack_budget=self.ack_budget,
                                   people=SlackPeople(lookup_timeout=10.0))
        self.runner = SlackRunner(self.bot, app_token=settings.slack_app_token,
                                  host="127.0.0.1", port=0)
        connections = len(self.slack.socket_connections)
        await self.runner.start()
        if self.mode == "socket":
            await self.slack.wait_for_socket(connections + 1)
        return self

    async def stop(self) -> None:
        if self.bot is not None:
            await self.settled()
        if self.runner is not None:
            await self.runner.stop()
        self.runner = None
        self.bot = None

    async def settled(self, timeout: float = 10.0) -> None:
        """Wait until the app's listeners finished what they do after their acks."""
        assert self.bot is not None
        await asyncio.sleep(0)
        await self.bot.listeners.drained(timeout)

    @property
    def url(self) -> str:
        assert self.runner is not None
        return self.runner.events_url

    # ------------------------------------------------------------ sending

    async def interactive(self, payload: dict[str, Any]) -> Sent:
        if self.mode == "socket":
            ack = await self.slack.socket_send("interactive", payload)
            return Sent(200, ack.payload, payload.get("response_url", ""), payload)
        reply = await self.signer.interactive(payload).post(self.url)
        body = reply.json() if reply.text else None
        return Sent(reply.status, body, payload.get("response_url", ""), payload)

    async def command(self, user_id: str, command: str, text: str = "", *,
                      team_id: str | None = None, channel_id: str = GENERAL,
                      trigger_age: float = 0.0, settle: bool = True) -> Sent:
        response_url = self.slack.response_url(command)
        fields: dict[str, Any] = {
            "user_id": user_id,
            "user_name": PEOPLE.get(user_id, ("someone",))[0],
            "channel_id": channel_id,
            "response_url": response_url,
            "trigger_id": self.slack.new_trigger_id(age=trigger_age),
            "team_id": team_id or self.slack.team_id,
        }
        if self.mode == "socket":
            payload = slash_command_payload(command, text, **fields)
            ack = await self.slack.socket_send("slash_commands", payload)
            sent = Sent(200, ack.payload, response_url, payload)
        else:
            request = self.signer.slash_command(command, text, **fields)
            reply = await request.post(self.url)
            body = reply.json() if reply.text else None
            sent = Sent(reply.status, body, response_url, request.payload)
        if settle:
            await self.settled()
        return sent

    async def press(self, user_id: str, core_id: str, *, message: PostedMessage | None = None,
                    home_of: str | None = None, team_id: str | None = None,
                    settle: bool = True) -> Sent:
        """Click the button whose value is `core_id` on a posted message or a Home tab."""
        response_url = ""
        if home_of is not None:
            view = self.slack.home_views[home_of]
            element = button(view["blocks"], core_id)
            payload = block_actions_payload(
                element["action_id"], value=element["value"], user_id=user_id,
                user_name=PEOPLE.get(user_id, ("someone",))[0], view=view,
                trigger_id=self.slack.new_trigger_id(), team_id=team_id or self.slack.team_id)
        else:
            assert message is not None
            element = button(message.blocks, core_id)
            response_url = self.slack.response_url(core_id)
            payload = block_actions_payload(
                element["action_id"], value=element["value"], user_id=user_id,
                user_name=PEOPLE.get(user_id, ("someone",))[0], channel_id=message.channel,
                message=message_dict(message), response_url=response_url,
                trigger_id=self.slack.new_trigger_id(), team_id=team_id or self.slack.team_id)
        sent = await self.interactive(payload)
        sent.response_url = response_url
        if settle:
            await self.settled()
        return sent

    async def submit(self, user_id: str, view: dict[str, Any], values: Mapping[str, str], *,
                     team_id: str | None = None, settle: bool = True) -> Sent:
        """Submit a stored modal with `values` by field id (text, number or select)."""
        payload = view_submission_payload(
            view, user_id=user_id, values=state_values(view, values),
            user_name=PEOPLE.get(user_id, ("someone",))[0],
            team_id=team_id or self.slack.team_id)
        sent = await self.interactive(payload)
        if settle:
            await self.settled()
        return sent

    async def event(self, event: dict[str, Any], *, event_id: str,
                    retry_num: int | None = None) -> Sent:
        if self.mode == "socket":
            payload = event_callback_payload(event, event_id=event_id, team_id=self.slack.team_id)
            ack = await self.slack.socket_send("events_api", payload, retry_attempt=retry_num,
                                               retry_reason="timeout" if retry_num else None)
            sent = Sent(200, ack.payload, "", payload)
        else:
            request = self.signer.event(event, event_id=event_id, retry_num=retry_num,
                                        team_id=self.slack.team_id)
            reply = await request.post(self.url)
            sent = Sent(reply.status, reply.json() if reply.text else None, "", request.payload)
        await self.settled()
        return sent

    async def open_home(self, user_id: str, event_id: str | None = None) -> dict[str, Any]:
        count = len(self.slack.calls_to("views.publish"))
        await self.event({"type": "app_home_opened", "user": user_id, "tab": "home",
                          "channel": self.slack.dm_channel(user_id)},
                         event_id=event_id or f"Ev{user_id}{count}")
        await self.slack.wait_for_call("views.publish", count=count + 1)
        return self.slack.home_views[user_id]

    # ------------------------------------------------------------ reading

    async def reply(self, sent: Sent) -> dict[str, Any]:
        """The ephemeral answer: the ack's body, or the first post to the response_url."""
        if sent.ack and (sent.ack.get("text") or sent.ack.get("blocks")):
            return sent.ack
        body = await self.slack.wait_for_response_post(sent.response_url)
        assert isinstance(body, dict)
        return body

    async def reply_text(self, sent: Sent) -> str:
        body = await self.reply(sent)
        assert body.get("response_type", "ephemeral") == "ephemeral", body
        return str(body.get("text", "")) + "\n" + texts_in(body.get("blocks"))

    def responses(self, sent: Sent) -> list[Any]:
        return self.slack.posts_to(sent.response_url) if sent.response_url else []

    def last_view(self) -> dict[str, Any]:
        call = self.slack.last_call("views.open")
        assert call.ok, call.response
        return dict(self.slack.views[call.response["view"]["id"]])

    def dms(self, *user_ids: str) -> list[PostedMessage]:
        return self.slack.messages_in(self.slack.dm_channel(*user_ids))

    def last_dm(self, *user_ids: str) -> PostedMessage:
        found = self.dms(*user_ids)
        assert found, f"no DM to {user_ids}"
        return found[-1]


def state_values(view: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, Any]:
    """`values` in the shape Slack puts in a submitted view's state, element by element."""
    state: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input" or block["block_id"] not in values:
            continue
        element = block["element"]
        value = values[block["block_id"]]
        kind = element["type"]
        if kind == "static_select":
            entry: dict[str, Any] = {"type": kind,
                                     "selected_option": {"value": value,
                                                         "text": {"type": "plain_text",
                                                                  "text": value}}}
        else:
            entry = {"type": kind, "value": value}
        state[block["block_id"]] = {element["action_id"]: entry}
    missing = set(values) - set(state)
    assert not missing, f"the form has no fields {sorted(missing)}"
    return state
