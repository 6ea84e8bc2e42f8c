"""Many workspaces: with SLACK_CLIENT_ID/SECRET the app installs by OAuth and keeps
installations in the program's own database, through slack_sdk's SQLAlchemy stores."""

from __future__ import annotations

import html
import time
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest
from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import inspect, text

from adapters.bootstrap import Runtime
from adapters.slack.app import SlackBot, build_slack_bot
from adapters.slack.oauth import BOT_SCOPES, InstalledWorkspaces, authorization_url
from adapters.slack.runner import SlackRunner
from bot.context import CommunityKey
from bot.messages import DirectMessage, Message, Recipient
from bot.ports import DeliveryError
from tests.fakes.slack import FakeSlack, SlackRequestSigner
from tests.slack.harness import GENERAL, SAM, SIGNING_SECRET, settings_for, texts_in

CLIENT_ID = "1111.2222"


@pytest.fixture
async def installable(slack: FakeSlack, runtime: Runtime) -> AsyncIterator[SlackRunner]:
    settings = settings_for(slack, "sqlite://", socket=False).model_copy(update={
        "slack_bot_token": "", "slack_client_id": CLIENT_ID,
        "slack_client_secret": "client-secret"})
    bot = build_slack_bot(runtime.program, settings, engine=runtime.engine)
    runner = SlackRunner(bot, host="127.0.0.1", port=0)
    await runner.start()
    try:
        yield runner
    finally:
        await runner.stop()


def install(runner: SlackRunner, slack: FakeSlack) -> None:
    """What the OAuth redirect stores once Slack hands over the workspace's bot token."""
    store = runner.bot.app.installation_store
    assert store is not None
    inner = store.store  # type: ignore[attr-defined]
    inner.save(Installation(
        app_id=slack.app_id, team_id=slack.team_id, team_name=slack.team_name,
        bot_token=slack.bot_token, bot_id=slack.bot_id, bot_user_id=slack.bot_user_id,
        bot_scopes=list(BOT_SCOPES), user_id=SAM, installed_at=time.time()))


def root(runner: SlackRunner) -> str:
    return runner.events_url.removesuffix("/slack/events")


async def test_installations_live_in_the_program_database(
    installable: SlackRunner, runtime: Runtime
) -> None:
    tables = set(inspect(runtime.engine).get_table_names())
    assert {"slack_installations", "slack_bots", "slack_oauth_states"} <= tables
    assert {"members", "intro_requests"} <= tables


async def test_the_install_page_starts_oauth(installable: SlackRunner, slack: FakeSlack,
                                             runtime: Runtime) -> None:
    async with aiohttp.ClientSession() as session, session.get(
        root(installable) + "/slack/install", allow_redirects=False
    ) as response:
        assert response.status == 200
        page = await response.text()
        cookie = response.headers.get("Set-Cookie", "")
    link = html.unescape(page.split('<a href="', 1)[1].split('"', 1)[0])
    parsed = urlparse(link)
    assert f"{parsed.scheme}://{parsed.netloc}{parsed.path}" == authorization_url(slack.api_url)
    query = parse_qs(parsed.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"] == [",".join(BOT_SCOPES)]
    state = query["state"][0]
    assert state in cookie
    with runtime.engine.connect() as connection:
        stored = connection.execute(text("SELECT state FROM slack_oauth_states")).scalars().all()
    assert stored == [state]


async def test_an_installed_workspace_is_served_with_its_token(
    installable: SlackRunner, slack: FakeSlack, runtime: Runtime
) -> None:
    install(installable, slack)
    signer = SlackRequestSigner(SIGNING_SECRET)
    url = slack.response_url()
    request = signer.slash_command("/intro", "help", user_id=SAM, channel_id=GENERAL,
                                   response_url=url)
    reply = await request.post(installable.events_url)
    assert reply.status == 200
    assert "/intro" in reply.json()["text"] + texts_in(reply.json().get("blocks"))
    info = slack.last_call("users.info")
    assert info.token == slack.bot_token

    stranger = signer.slash_command("/intro", "help", user_id=SAM, channel_id=GENERAL,
                                    team_id="T0NOTINSTALLED")
    refused = await stranger.post(installable.events_url)
    assert "/intro help" not in refused.text
    await installable.bot.listeners.drained()
    with runtime.engine.connect() as connection:
        teams = connection.execute(text("SELECT external_id FROM communities")).scalars().all()
    assert teams == [slack.team_id]
    slack.assert_no_violations()


async def test_dms_use_the_workspaces_own_token(installable: SlackRunner,
                                                slack: FakeSlack) -> None:
    bot: SlackBot = installable.bot
    dm = DirectMessage((Recipient(1, SAM, "Sam"),), Message(text="Hello from the program"))
    with pytest.raises(DeliveryError) as caught:
        await bot.notifier.deliver(CommunityKey("slack", slack.team_id, ""), dm)
    assert caught.value.permanent  # not installed yet

    install(installable, slack)
    await bot.notifier.deliver(CommunityKey("slack", slack.team_id, ""), dm)
    (posted,) = slack.messages_in(slack.dm_channel(SAM))
    assert posted.text == "Hello from the program"
    assert slack.last_call("chat.postMessage").token == slack.bot_token
    assert isinstance(bot.notifier._clients, InstalledWorkspaces)
    slack.assert_no_violations()


def test_the_authorize_page_follows_the_api_host() -> None:
    assert authorization_url("https://slack.com/api/") == "https://slack.com/oauth/v2/authorize"
    assert authorization_url("https://slack-gov.com/api") == (
        "https://slack-gov.com/oauth/v2/authorize")
