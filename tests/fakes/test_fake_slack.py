"""The Slack fake, driven by the real slack_sdk client and a real Bolt AsyncApp.

The app here is a throwaway made for these tests; it only exercises what Slack adapters do
(ack, post, update, open a modal, upload a file, publish a Home tab) over HTTP and Socket Mode.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    async_default_handlers,
)
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import (
    FakeSlack,
    SlackRequestSigner,
    SocketAckTimeout,
    SteppedSeconds,
    block_actions_payload,
    event_callback_payload,
    slash_command_payload,
    text_input_values,
    web_api_methods,
)
from tests.fakes.slack_spec import FIXTURES

SIGNING_SECRET = "test-signing-secret"
ANA, BEN, CHLOE = "U0000ANA", "U0000BEN", "U00CHLOE"
GENERAL = "C0GENERAL"


def form_view() -> dict[str, Any]:
    return View(
        type="modal",
        callback_id="intro_form",
        private_metadata="request:7",
        title="Ask for an intro",
        submit="Send",
        blocks=[
            InputBlock(
                block_id="goal",
                label="What would you like to learn?",
                element=PlainTextInputElement(action_id="goal_input", multiline=True),
            )
        ],
    ).to_dict()


@dataclass
class Journal:
    """What the throwaway app's listeners noticed."""

    slack_errors: list[str] = field(default_factory=list)
    retry_nums: list[str | None] = field(default_factory=list)


def build_app(slack: FakeSlack, *, retry_rate_limits: bool = False) -> tuple[AsyncApp, Journal]:
    handlers = async_default_handlers()
    if retry_rate_limits:
        handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url, retry_handlers=handlers)
    app = AsyncApp(client=client, signing_secret=SIGNING_SECRET)
    journal = Journal()

    @app.command("/intro")
    async def intro(
        ack: Any, command: dict[str, Any], client: AsyncWebClient, respond: Any
    ) -> None:
        await ack("Working on it")
        try:
            await client.chat_postMessage(
                channel=command["user_id"],
                text=f"Hello {command['text']}",
                blocks=[
                    SectionBlock(text=f"Hello {command['text']}"),
                    ActionsBlock(
                        block_id="intro_actions",
                        elements=[ButtonElement(text="Accept", action_id="accept", value="42")],
                    ),
                ],
            )
        except SlackApiError as error:
            journal.slack_errors.append(error.response["error"])
            return
        # respond() raises at once without a response_url; an exception this soon after ack()
        # makes Bolt 1.30 drop the ack.
        if command["response_url"]:
            await respond("Done")

    @app.command("/intro-form")
    async def open_form(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        try:
            await client.views_open(trigger_id=body["trigger_id"], view=form_view())
        except SlackApiError as error:
            journal.slack_errors.append(error.response["error"])

    @app.view("intro_form")
    async def form_submitted(
        ack: Any, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        goal = view["state"]["values"]["goal"]["goal_input"]["value"]
        await client.chat_postMessage(
            channel=body["user"]["id"], text=f"Goal for {view['private_metadata']}: {goal}"
        )

    @app.action("accept")
    async def accept(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        await client.chat_update(
            channel=body["channel"]["id"],
            ts=body["message"]["ts"],
            text=f"Accepted {action['value']}",
            blocks=[],
        )

    @app.command("/intro-file")
    async def send_file(ack: Any, command: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        dm = await client.conversations_open(users=command["user_id"])
        await client.files_upload_v2(
            channel=dm["channel"]["id"],
            content=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
            filename="intro.ics",
            title="Intro call",
            initial_comment="Your invite",
        )

    @app.event("app_home_opened")
    async def home(event: dict[str, Any], request: Any, client: AsyncWebClient) -> None:
        retry_num = request.headers.get("x-slack-retry-num")
        journal.retry_nums.append(retry_num[0] if retry_num else None)
        await client.views_publish(
            user_id=event["user"],
            view={"type": "home", "blocks": [SectionBlock(text="Welcome home").to_dict()]},
        )

    return app, journal


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_user(ANA, "ana", real_name="Ana Alves", tz="Europe/Lisbon", display_name="Ana")
        fake.add_user(BEN, "ben", real_name="Ben Bauer", tz="Europe/Berlin", is_admin=True)
        fake.add_user(CHLOE, "chloe", tz="America/New_York", is_owner=True)
        fake.add_channel(GENERAL, "general")
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)


@pytest.fixture
def signer() -> SlackRequestSigner:
    return SlackRequestSigner(SIGNING_SECRET)


async def serve_http(app: AsyncApp) -> tuple[web.AppRunner, str]:
    """Bolt's own aiohttp web app, bound to 127.0.0.1 on a free port."""
    runner = web.AppRunner(app.web_app(path="/slack/events"))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/slack/events"


@dataclass
class HttpBolt:
    app: AsyncApp
    journal: Journal
    url: str


@pytest.fixture
async def http_bolt(slack: FakeSlack) -> AsyncIterator[HttpBolt]:
    app, journal = build_app(slack)
    runner, url = await serve_http(app)
    try:
        yield HttpBolt(app, journal, url)
    finally:
        await runner.cleanup()


@dataclass
class SocketBolt:
    app: AsyncApp
    journal: Journal
    handler: AsyncSocketModeHandler


async def connect_socket_mode(slack: FakeSlack, app: AsyncApp) -> AsyncSocketModeHandler:
    handler = AsyncSocketModeHandler(app, app_token=slack.app_token)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    await slack.wait_for_socket(1)
    return handler


@pytest.fixture
async def socket_bolt(slack: FakeSlack) -> AsyncIterator[SocketBolt]:
    app, journal = build_app(slack)
    handler = await connect_socket_mode(slack, app)
    try:
        yield SocketBolt(app, journal, handler)
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]


# ---------------------------------------------------------------------------- Web API alone


async def test_auth_test_answers_the_ids_bolt_needs(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    answer = await client.auth_test()
    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == (
        slack.team_id,
        slack.bot_user_id,
        slack.bot_id,
    )
    call = slack.last_call("auth.test")
    assert call.token == slack.bot_token
    assert call.headers["Authorization"] == f"Bearer {slack.bot_token}"


async def test_unknown_method_is_refused_and_noted(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    with pytest.raises(SlackApiError) as caught:
        await client.api_call("chat.sendCarrierPigeon")
    assert caught.value.response["error"] == "unknown_method"
    assert slack.violations == [
        "call to 'chat.sendCarrierPigeon', which is not a Slack Web API method"
    ]


async def test_spec_method_the_fake_does_not_serve_can_be_answered(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    with pytest.raises(SlackApiError) as caught:
        await client.reactions_add(channel=GENERAL, name="wave", timestamp="1.000001")
    assert caught.value.response["error"] == "fake_method_not_served"
    assert len(slack.violations) == 1
    slack.violations.clear()

    slack.set_response("reactions.add", {"ok": True})
    answer = await client.reactions_add(channel=GENERAL, name="wave", timestamp="1.000001")
    assert answer["ok"] is True
    assert slack.last_call("reactions.add").params["name"] == "wave"
    slack.assert_no_violations()


async def test_retired_files_upload_is_refused(slack: FakeSlack, client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as caught, pytest.warns(UserWarning):
        await client.files_upload(channels=GENERAL, content="x", filename="x.txt")
    assert caught.value.response["error"] == "method_deprecated"
    assert "files_upload_v2" in slack.violations[0]


async def test_tokens_are_checked(slack: FakeSlack) -> None:
    wrong = AsyncWebClient(token="xoxb-someone-else", base_url=slack.api_url)
    with pytest.raises(SlackApiError) as caught:
        await wrong.auth_test()
    assert caught.value.response["error"] == "invalid_auth"

    app_token = AsyncWebClient(token=slack.app_token, base_url=slack.api_url)
    with pytest.raises(SlackApiError) as caught:
        await app_token.chat_postMessage(channel=GENERAL, text="hi")
    assert caught.value.response["error"] == "not_allowed_token_type"

    nobody = AsyncWebClient(base_url=slack.api_url)
    with pytest.raises(SlackApiError) as caught:
        await nobody.auth_test()
    assert caught.value.response["error"] == "not_authed"


async def test_missing_required_argument(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as caught:
        await client.api_call("chat.update", json={"channel": GENERAL, "text": "x"})
    assert caught.value.response["error"] == "invalid_arguments"
    assert caught.value.response["response_metadata"]["messages"] == [
        "[ERROR] missing required field: ts"
    ]


async def test_post_update_and_ephemeral(slack: FakeSlack, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel=GENERAL, text="first")
    assert posted["channel"] == GENERAL
    assert posted["message"]["text"] == "first"
    assert posted["message"]["bot_id"] == slack.bot_id

    updated = await client.chat_update(channel=GENERAL, ts=posted["ts"], text="second")
    assert (updated["channel"], updated["ts"], updated["text"]) == (GENERAL, posted["ts"], "second")
    assert [m.text for m in slack.messages_in(GENERAL)] == ["second"]

    ephemeral = await client.chat_postEphemeral(channel=GENERAL, user=ANA, text="only you")
    assert "message_ts" in ephemeral.data
    assert slack.messages[-1].ephemeral_user == ANA

    with pytest.raises(SlackApiError) as caught:
        await client.chat_update(channel=GENERAL, ts="1.000000", text="x")
    assert caught.value.response["error"] == "message_not_found"
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel="C0NOWHERE", text="x")
    assert caught.value.response["error"] == "channel_not_found"
    with pytest.raises(SlackApiError) as caught, pytest.warns(UserWarning, match="`text`"):
        await client.chat_postMessage(channel=GENERAL)
    assert caught.value.response["error"] == "no_text"


async def test_posting_by_channel_name(client: AsyncWebClient) -> None:
    assert (await client.chat_postMessage(channel="#general", text="hi"))["channel"] == GENERAL


async def test_posting_to_a_user_id_lands_in_the_dm(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel=ANA, text="hi")
    assert posted["channel"] == slack.dm_channel(ANA)
    assert posted["channel"].startswith("D")


async def test_conversations_open_gives_stable_dm_and_group_ids(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    first = await client.conversations_open(users=[ANA])
    again = await client.conversations_open(users=ANA)
    assert first["channel"]["id"] == again["channel"]["id"] == slack.dm_channel(ANA)
    assert first["channel"]["id"].startswith("D")
    assert again["already_open"] is True

    group = await client.conversations_open(users=[BEN, ANA])
    same_group = await client.conversations_open(users=f"{ANA},{BEN}")
    assert group["channel"]["id"] == same_group["channel"]["id"]
    assert group["channel"]["id"][0] in "GC"
    assert group["channel"]["id"] != first["channel"]["id"]

    with pytest.raises(SlackApiError) as caught:
        await client.conversations_open(users=["U0STRANGER"])
    assert caught.value.response["error"] == "user_not_found"


async def test_users_info(client: AsyncWebClient) -> None:
    user = (await client.users_info(user=ANA))["user"]
    assert user["id"] == ANA
    assert user["name"] == "ana"
    assert user["real_name"] == "Ana Alves"
    assert user["tz"] == "Europe/Lisbon"
    assert user["profile"]["display_name"] == "Ana"
    assert (user["is_admin"], user["is_owner"]) == (False, False)
    ben = (await client.users_info(user=BEN))["user"]
    assert ben["is_admin"] is True
    assert ben["tz_offset"] in (3600, 7200)
    chloe = (await client.users_info(user=CHLOE))["user"]
    assert chloe["is_owner"] is True
    with pytest.raises(SlackApiError) as caught:
        await client.users_info(user="U0STRANGER")
    assert caught.value.response["error"] == "user_not_found"


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


async def test_block_limits_sdk_does_not_check(client: AsyncWebClient) -> None:
    # 50 blocks pass, 51 do not.
    await client.chat_postMessage(channel=GENERAL, text="t", blocks=[section("x")] * 50)
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel=GENERAL, text="t", blocks=[section("x")] * 51)
    assert caught.value.response["error"] == "invalid_blocks"
    assert caught.value.response["errors"] == [
        "[ERROR] must provide at most 50 items [json-pointer:/blocks]"
    ]

    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel=GENERAL, text="t", blocks=[section("y" * 3001)])
    assert caught.value.response["error"] == "invalid_blocks"
    assert "/blocks/0/text/text" in caught.value.response["errors"][0]
    await client.chat_postMessage(channel=GENERAL, text="t", blocks=[section("y" * 3000)])

    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel=GENERAL, text="z" * 40_001)
    assert caught.value.response["error"] == "msg_too_long"


async def test_view_limits(slack: FakeSlack, client: AsyncWebClient) -> None:
    home = {"type": "home", "blocks": [section("x")] * 100}
    await client.views_publish(user_id=ANA, view=home)
    with pytest.raises(SlackApiError) as caught:
        await client.views_publish(
            user_id=ANA, view={"type": "home", "blocks": [section("x")] * 101}
        )
    assert caught.value.response["error"] == "invalid_arguments"
    assert caught.value.response["response_metadata"]["messages"] == [
        "[ERROR] must provide at most 100 items [json-pointer:/view/blocks]"
    ]
    too_long_title = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "x" * 25},
        "blocks": [section("x")],
    }
    with pytest.raises(SlackApiError) as caught:
        await client.views_open(trigger_id=slack.new_trigger_id(), view=too_long_title)
    assert caught.value.response["error"] == "invalid_arguments"


async def test_trigger_ids_expire_and_are_single_use(client: AsyncWebClient) -> None:
    clock = SteppedSeconds()
    async with FakeSlack(clock=clock) as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        fresh = slack.new_trigger_id()
        opened = await client.views_open(trigger_id=fresh, view=form_view())
        assert opened["view"]["callback_id"] == "intro_form"
        with pytest.raises(SlackApiError) as caught:
            await client.views_open(trigger_id=fresh, view=form_view())
        assert caught.value.response["error"] == "exchanged_trigger_id"

        old = slack.new_trigger_id()
        clock.advance(3.01)
        with pytest.raises(SlackApiError) as caught:
            await client.views_open(trigger_id=old, view=form_view())
        assert caught.value.response["error"] == "expired_trigger_id"
        with pytest.raises(SlackApiError) as caught:
            await client.views_push(trigger_id=slack.new_trigger_id(age=5), view=form_view())
        assert caught.value.response["error"] == "expired_trigger_id"
        with pytest.raises(SlackApiError) as caught:
            await client.views_open(trigger_id="12.34.made-up", view=form_view())
        assert caught.value.response["error"] == "invalid_trigger_id"


async def test_views_update_checks_id_and_hash(slack: FakeSlack, client: AsyncWebClient) -> None:
    opened = (await client.views_open(trigger_id=slack.new_trigger_id(), view=form_view()))["view"]
    updated = await client.views_update(view_id=opened["id"], hash=opened["hash"], view=form_view())
    assert updated["view"]["id"] == opened["id"]
    assert updated["view"]["hash"] != opened["hash"]
    with pytest.raises(SlackApiError) as caught:
        await client.views_update(view_id=opened["id"], hash=opened["hash"], view=form_view())
    assert caught.value.response["error"] == "hash_conflict"
    with pytest.raises(SlackApiError) as caught:
        await client.views_update(view_id="V0NOPE", view=form_view())
    assert caught.value.response["error"] == "not_found"


async def test_rate_limit_without_retry_handler_raises(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    slack.rate_limit("chat.postMessage", times=1, retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel=GENERAL, text="hi")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "7"
    assert caught.value.response["error"] == "ratelimited"
    posted = await client.chat_postMessage(channel=GENERAL, text="hi")
    assert posted["ok"] is True


async def test_injected_failure(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.fail("chat.postMessage", "is_archived")
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel=GENERAL, text="hi")
    assert caught.value.response["error"] == "is_archived"
    assert (await client.chat_postMessage(channel=GENERAL, text="hi"))["ok"] is True


async def test_response_url_allows_five_posts(slack: FakeSlack) -> None:
    url = slack.response_url()
    other = slack.response_url()
    assert url != other
    assert url.startswith(slack.root_url)
    async with aiohttp.ClientSession() as session:
        statuses = []
        for n in range(6):
            async with session.post(url, json={"text": f"reply {n}"}) as response:
                statuses.append(response.status)
    assert statuses == [200, 200, 200, 200, 200, 404]
    assert slack.posts_to(url)[0] == {"text": "reply 0"}
    assert slack.violations == [f"response_url post refused (used_url): {url}"]


def test_method_list_covers_every_method_the_fake_serves() -> None:
    methods = web_api_methods()
    assert len(methods) > 170
    served = [
        "auth.test",
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.update",
        "conversations.open",
        "users.info",
        "views.open",
        "views.update",
        "views.push",
        "views.publish",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
        "apps.connections.open",
    ]
    assert all(name in methods for name in served)
    assert methods["chat.postMessage"].required == ("channel",)
    assert methods["views.open"].required == ("trigger_id", "view")
    assert methods["apps.connections.open"].newer_than_spec


def test_event_payload_has_the_wrapper_fields_slack_documents() -> None:
    schema = json.loads((FIXTURES / "event_wrapper_schema.json").read_text())
    payload = event_callback_payload({"type": "app_home_opened", "user": ANA})
    assert set(schema["required"]) <= payload.keys()
    assert set(schema["properties"]["event"]["required"]) <= payload["event"].keys()


# ---------------------------------------------------------------------------- Bolt, HTTP mode


async def test_http_slash_command_acks_then_posts(
    slack: FakeSlack, http_bolt: HttpBolt, signer: SlackRequestSigner
) -> None:
    response_url = slack.response_url()
    request = signer.slash_command(
        "/intro",
        "world",
        user_id=ANA,
        user_name="ana",
        channel_id=GENERAL,
        response_url=response_url,
        trigger_id=slack.new_trigger_id(),
    )
    reply = await request.post(http_bolt.url)
    assert reply.status == 200
    assert reply.text == "Working on it"

    posted = await slack.wait_for_call("chat.postMessage")
    assert posted.ok
    assert posted.params["channel"] == ANA
    assert posted.response["channel"] == slack.dm_channel(ANA)
    assert slack.messages_in(slack.dm_channel(ANA))[0].text == "Hello world"
    assert slack.calls[0].method == "auth.test"

    body = await slack.wait_for_response_post(response_url)
    assert body["text"] == "Done"
    slack.assert_no_violations()


async def test_http_button_updates_the_message(
    slack: FakeSlack, http_bolt: HttpBolt, signer: SlackRequestSigner, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(
        channel=GENERAL,
        text="Intro request",
        blocks=[
            ActionsBlock(
                block_id="intro_actions",
                elements=[ButtonElement(text="Accept", action_id="accept", value="42")],
            )
        ],
    )
    request = signer.block_actions(
        "accept",
        value="42",
        block_id="intro_actions",
        user_id=BEN,
        channel_id=GENERAL,
        message=posted["message"],
        response_url=slack.response_url(),
        trigger_id=slack.new_trigger_id(),
    )
    reply = await request.post(http_bolt.url)
    assert reply.status == 200

    update = await slack.wait_for_call("chat.update")
    assert update.ok
    assert update.params["ts"] == posted["ts"]
    assert slack.messages_in(GENERAL)[0].text == "Accepted 42"
    assert slack.messages_in(GENERAL)[0].blocks == []


async def test_http_modal_with_a_fresh_trigger_then_submit(
    slack: FakeSlack, http_bolt: HttpBolt, signer: SlackRequestSigner
) -> None:
    opening = signer.slash_command(
        "/intro-form", user_id=ANA, channel_id=GENERAL, trigger_id=slack.new_trigger_id()
    )
    assert (await opening.post(http_bolt.url)).status == 200
    opened = await slack.wait_for_call("views.open")
    assert opened.ok, opened.response
    view = opened.response["view"]
    assert slack.views[view["id"]]["callback_id"] == "intro_form"

    submitting = signer.view_submission(
        slack.views[view["id"]],
        user_id=ANA,
        values=text_input_values({"goal": {"goal_input": "product management"}}),
    )
    reply = await submitting.post(http_bolt.url)
    assert reply.status == 200
    assert reply.text == ""

    posted = await slack.wait_for_call("chat.postMessage")
    assert posted.params["text"] == "Goal for request:7: product management"
    assert http_bolt.journal.slack_errors == []


async def test_http_modal_with_an_expired_trigger(signer: SlackRequestSigner) -> None:
    clock = SteppedSeconds()
    async with FakeSlack(clock=clock) as slack:
        app, journal = build_app(slack)
        runner, url = await serve_http(app)
        try:
            trigger_id = slack.new_trigger_id()
            clock.advance(3.5)  # the user clicked, the app took too long
            request = signer.slash_command(
                "/intro-form", user_id=ANA, channel_id=GENERAL, trigger_id=trigger_id
            )
            assert (await request.post(url)).status == 200
            call = await slack.wait_for_call("views.open")
            assert call.error == "expired_trigger_id"
            await slack.wait_until(lambda: bool(journal.slack_errors), what="the listener")
            assert journal.slack_errors == ["expired_trigger_id"]
            assert slack.views == {}
        finally:
            await runner.cleanup()


async def test_http_files_upload_v2(
    slack: FakeSlack, http_bolt: HttpBolt, signer: SlackRequestSigner
) -> None:
    request = signer.slash_command("/intro-file", user_id=BEN, channel_id=GENERAL)
    assert (await request.post(http_bolt.url)).status == 200
    await slack.wait_for_call("files.completeUploadExternal")

    assert [c.method for c in slack.calls if c.method.startswith("files.")] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    (upload,) = slack.uploads.values()
    assert upload.filename == "intro.ics"
    assert upload.title == "Intro call"
    assert upload.content == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    assert upload.completed
    assert upload.channel_id == slack.dm_channel(BEN)
    assert upload.initial_comment == "Your invite"
    assert slack.last_call("files.completeUploadExternal").response["files"][0]["name"] == (
        "intro.ics"
    )
    slack.assert_no_violations()


async def test_http_rate_limited_post_is_retried(
    slack: FakeSlack, signer: SlackRequestSigner
) -> None:
    app, journal = build_app(slack, retry_rate_limits=True)
    runner, url = await serve_http(app)
    try:
        slack.rate_limit("chat.postMessage", times=2, retry_after=0)
        request = signer.slash_command("/intro", "again", user_id=CHLOE, channel_id=GENERAL)
        assert (await request.post(url)).status == 200
        await slack.wait_for_call("chat.postMessage", count=3, timeout=10)
        await slack.wait_until(lambda: bool(slack.messages), what="the message")
        assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 429, 200]
        assert [m.text for m in slack.messages] == ["Hello again"]
        assert journal.slack_errors == []
    finally:
        await runner.cleanup()


async def test_http_forged_or_stale_signature_is_refused(
    slack: FakeSlack, http_bolt: HttpBolt, signer: SlackRequestSigner
) -> None:
    forged = signer.slash_command("/intro", "x", user_id=ANA, channel_id=GENERAL, forged=True)
    stale = signer.slash_command("/intro", "x", user_id=ANA, channel_id=GENERAL, stale=True)
    assert (await forged.post(http_bolt.url)).status == 401
    assert (await stale.post(http_bolt.url)).status == 401
    assert slack.calls == []

    honest = signer.slash_command("/intro", "x", user_id=ANA, channel_id=GENERAL)
    assert (await honest.post(http_bolt.url)).status == 200


async def test_http_event_and_its_retry_header(
    slack: FakeSlack, http_bolt: HttpBolt, signer: SlackRequestSigner
) -> None:
    event = {
        "type": "app_home_opened",
        "user": ANA,
        "channel": slack.dm_channel(ANA),
        "tab": "home",
    }
    first = signer.event(event, event_id="Ev0001")
    retry = signer.event(event, event_id="Ev0001", retry_num=1)
    assert retry.headers["X-Slack-Retry-Num"] == "1"
    assert (await first.post(http_bolt.url)).status == 200
    assert (await retry.post(http_bolt.url)).status == 200
    await slack.wait_for_call("views.publish", count=2)
    # Bolt does not dedupe retries: the app sees both deliveries.
    assert http_bolt.journal.retry_nums == [None, "1"]
    assert slack.home_views[ANA]["blocks"][0]["text"]["text"] == "Welcome home"


async def test_http_url_verification(http_bolt: HttpBolt, signer: SlackRequestSigner) -> None:
    reply = await signer.url_verification("abc123").post(http_bolt.url)
    assert reply.status == 200
    assert reply.json() == {"challenge": "abc123"}


# ---------------------------------------------------------------------------- Bolt, Socket Mode


async def test_socket_mode_connects_through_the_fake(
    slack: FakeSlack, socket_bolt: SocketBolt
) -> None:
    call = slack.last_call("apps.connections.open")
    assert call.token == slack.app_token
    assert call.response["url"].startswith(f"ws://127.0.0.1:{slack.port}/socket?")
    assert len(slack.socket.open_connections) == 1


async def test_socket_mode_slash_command(slack: FakeSlack, socket_bolt: SocketBolt) -> None:
    response_url = slack.response_url()
    payload = slash_command_payload(
        "/intro", "socket", user_id=ANA, channel_id=GENERAL, response_url=response_url
    )
    ack = await slack.socket_send("slash_commands", payload)
    assert ack.payload == {"text": "Working on it"}
    assert ack.in_time
    assert ack.envelope["accepts_response_payload"] is True

    posted = await slack.wait_for_call("chat.postMessage")
    assert posted.params["text"] == "Hello socket"
    assert (await slack.wait_for_response_post(response_url))["text"] == "Done"
    slack.assert_no_violations()


async def test_socket_mode_button(
    slack: FakeSlack, socket_bolt: SocketBolt, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel=GENERAL, text="Intro request")
    payload = block_actions_payload(
        "accept", value="7", user_id=BEN, channel_id=GENERAL, message=posted["message"]
    )
    ack = await slack.socket_send("interactive", payload)
    assert ack.payload is None
    await slack.wait_for_call("chat.update")
    assert slack.messages_in(GENERAL)[0].text == "Accepted 7"


async def test_socket_mode_event_with_retry_fields(
    slack: FakeSlack, socket_bolt: SocketBolt
) -> None:
    payload = event_callback_payload({"type": "app_home_opened", "user": CHLOE, "tab": "home"})
    ack = await slack.socket_send("events_api", payload, retry_attempt=2, retry_reason="timeout")
    assert ack.envelope["accepts_response_payload"] is False
    await slack.wait_for_call("views.publish")
    assert socket_bolt.journal.retry_nums == ["2"]


async def test_socket_mode_reconnects_after_disconnect(
    slack: FakeSlack, socket_bolt: SocketBolt
) -> None:
    await slack.disconnect_socket()
    await slack.wait_for_socket(2)
    assert len(slack.calls_to("apps.connections.open")) == 2

    ack = await slack.socket_send(
        "slash_commands", slash_command_payload("/intro", "again", user_id=ANA, channel_id=GENERAL)
    )
    assert ack.connection == 2
    assert ack.payload == {"text": "Working on it"}
    await slack.wait_until(
        lambda: len(slack.socket.open_connections) == 1, what="old socket closed"
    )


async def test_socket_mode_reconnects_after_a_dropped_connection(
    slack: FakeSlack, socket_bolt: SocketBolt
) -> None:
    await slack.drop_socket()
    await slack.wait_for_socket(2)
    ack = await slack.socket_send(
        "slash_commands", slash_command_payload("/intro", "x", user_id=ANA, channel_id=GENERAL)
    )
    assert ack.connection == 2


async def test_late_socket_ack_is_a_violation() -> None:
    clock = SteppedSeconds()
    async with FakeSlack(clock=clock) as slack:
        app, _journal = build_app(slack)

        @app.command("/slow")
        async def slow(ack: Any) -> None:
            clock.advance(3.5)  # work done before ack() that Slack would time out on
            await ack()

        handler = await connect_socket_mode(slack, app)
        try:
            ack = await slack.socket_send(
                "slash_commands", slash_command_payload("/slow", user_id=ANA, channel_id=GENERAL)
            )
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]
    assert not ack.in_time
    assert ack.elapsed == pytest.approx(3.5)
    assert len(slack.violations) == 1
    assert "came after 3.50 s" in slack.violations[0]


async def test_missing_socket_ack_times_out(slack: FakeSlack, client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as caught:  # the bot token is the wrong kind here
        await client.apps_connections_open(app_token=slack.bot_token)
    assert caught.value.response["error"] == "not_allowed_token_type"
    app_client = AsyncWebClient(token=slack.app_token, base_url=slack.api_url)
    ws_url = (await app_client.apps_connections_open(app_token=slack.app_token))["url"]
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url) as ws:
        hello = await ws.receive_json()
        assert hello["type"] == "hello"
        assert hello["connection_info"]["app_id"] == slack.app_id
        with pytest.raises(SocketAckTimeout):
            await slack.socket_send("events_api", {"type": "event_callback"}, timeout=0.2)
        envelope = await ws.receive_json()
        assert envelope["type"] == "events_api"
        assert {"envelope_id", "payload", "accepts_response_payload"} <= envelope.keys()
    assert "no ack for events_api envelope" in slack.violations[0]


async def test_socket_refuses_tickets_it_never_issued(slack: FakeSlack) -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await session.ws_connect(f"ws://127.0.0.1:{slack.port}/socket?ticket=made-up")
    assert slack.violations


async def test_stop_closes_the_port() -> None:
    slack = FakeSlack()
    await slack.start()
    port = slack.port
    await slack.stop()
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectorError):
            await session.post(f"http://127.0.0.1:{port}/api/auth.test")
