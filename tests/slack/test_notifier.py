"""SlackNotifier, the Notifier port the outbox dispatcher calls: DMs, group DMs, files,
rate limits and the failures it reports as permanent or worth retrying."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import retry_handlers
from adapters.slack.notifier import SingleWorkspace, SlackNotifier
from bot.context import CommunityKey
from bot.messages import (
    Attachment,
    Button,
    ButtonStyle,
    Card,
    DirectMessage,
    Message,
    Recipient,
)
from bot.ports import DeliveryError, Notifier
from tests.fakes.slack import FakeSlack
from tests.slack.harness import MARIA, SAM, buttons_in


@pytest.fixture
async def client(slack: FakeSlack) -> AsyncIterator[AsyncWebClient]:
    yield AsyncWebClient(token=slack.bot_token, base_url=slack.api_url,
                         retry_handlers=retry_handlers())


@pytest.fixture
def notifier(client: AsyncWebClient) -> SlackNotifier:
    return SlackNotifier(SingleWorkspace(client))


def community(slack: FakeSlack) -> CommunityKey:
    return CommunityKey("slack", slack.team_id, "fake-alumni")


def dm(*user_ids: str, message: Message | None = None) -> DirectMessage:
    people = tuple(Recipient(member_id=n + 1, platform_user_id=u, display_name=u)
                   for n, u in enumerate(user_ids))
    return DirectMessage(recipients=people, message=message or Message(
        title="Time to say thanks",
        text="Your meeting with Maria Chen ended a few hours ago.",
        buttons=(Button("Draft a note", "thanks:draft:7", ButtonStyle.PRIMARY),
                 Button("Mark thanked", "thanks:mark:7"))), kind="reminder.thanks")


def test_it_is_the_notifier_port(notifier: SlackNotifier) -> None:
    port: Notifier = notifier
    assert port is notifier


async def test_a_reminder_is_a_dm_with_buttons(slack: FakeSlack, notifier: SlackNotifier) -> None:
    await notifier.deliver(community(slack), dm(SAM))
    (posted,) = slack.messages_in(slack.dm_channel(SAM))
    assert posted.text.startswith("Time to say thanks")
    assert [b["value"] for b in buttons_in(posted.blocks)] == ["thanks:draft:7",
                                                               "thanks:mark:7"]
    assert posted.blocks is not None and posted.blocks[0]["type"] == "header"
    slack.assert_no_violations()


async def test_the_dm_channel_is_opened_once(slack: FakeSlack, notifier: SlackNotifier) -> None:
    for _ in range(3):
        await notifier.deliver(community(slack), dm(SAM))
    assert len(slack.calls_to("conversations.open")) == 1
    assert len(slack.messages_in(slack.dm_channel(SAM))) == 3


async def test_several_recipients_share_a_group_dm(
    slack: FakeSlack, notifier: SlackNotifier
) -> None:
    await notifier.deliver(community(slack), dm(SAM, MARIA, message=Message(text="Meet!")))
    assert set(slack.last_call("conversations.open").params["users"].split(",")) == {SAM, MARIA}
    (posted,) = slack.messages_in(slack.dm_channel(SAM, MARIA))
    assert posted.channel.startswith("G")
    assert slack.messages_in(slack.dm_channel(SAM)) == []


async def test_attachments_are_uploaded_to_the_dm(
    slack: FakeSlack, notifier: SlackNotifier
) -> None:
    invite = Attachment("intro-1.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                        "text/calendar", "Calendar invite")
    export = Attachment("requests.csv", b"id,status\r\n1,pending\r\n", "text/csv")
    message = Message(text="Your files", attachments=(invite, export))
    await notifier.deliver(community(slack), dm(MARIA, message=message))
    uploads = sorted(slack.uploads.values(), key=lambda u: u.filename)
    assert [(u.filename, u.content, u.channel_id, u.completed) for u in uploads] == [
        ("intro-1.ics", invite.content, slack.dm_channel(MARIA), True),
        ("requests.csv", export.content, slack.dm_channel(MARIA), True),
    ]
    assert uploads[0].title == "Calendar invite"
    slack.assert_no_violations()


async def test_a_429_is_retried_after_retry_after(
    slack: FakeSlack, notifier: SlackNotifier
) -> None:
    slack.rate_limit("chat.postMessage", times=2, retry_after=0)
    await notifier.deliver(community(slack), dm(SAM))
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 429, 200]
    assert len(slack.messages) == 1


async def test_a_429_that_outlasts_the_retries_asks_the_dispatcher_to_retry(
    slack: FakeSlack, notifier: SlackNotifier
) -> None:
    slack.rate_limit("chat.postMessage", times=10, retry_after=0)
    with pytest.raises(DeliveryError) as caught:
        await notifier.deliver(community(slack), dm(SAM))
    assert not caught.value.permanent
    assert caught.value.retry_after == 0.0
    assert slack.messages == []

    slack.rate_limit("chat.postMessage", times=0)
    await notifier.deliver(community(slack), dm(SAM))
    assert len(slack.messages) == 1


@pytest.mark.parametrize("error", ["cannot_dm_bot", "user_disabled", "account_inactive"])
async def test_refusals_that_retrying_cannot_fix_are_permanent(
    slack: FakeSlack, notifier: SlackNotifier, error: str
) -> None:
    slack.fail("chat.postMessage", error)
    with pytest.raises(DeliveryError) as caught:
        await notifier.deliver(community(slack), dm(SAM))
    assert caught.value.permanent
    assert error in caught.value.reason


async def test_a_person_who_left_the_workspace(
    slack: FakeSlack, notifier: SlackNotifier
) -> None:
    with pytest.raises(DeliveryError) as caught:
        await notifier.deliver(community(slack), dm("U0GONE0001"))
    assert caught.value.permanent
    assert "user_not_found" in caught.value.reason


async def test_server_trouble_is_worth_retrying(slack: FakeSlack, notifier: SlackNotifier) -> None:
    slack.fail("chat.postMessage", "internal_error")
    with pytest.raises(DeliveryError) as caught:
        await notifier.deliver(community(slack), dm(SAM))
    assert not caught.value.permanent


async def test_an_imported_mentor_without_a_slack_account_cannot_be_reached(
    slack: FakeSlack, notifier: SlackNotifier
) -> None:
    with pytest.raises(DeliveryError) as caught:
        await notifier.deliver(community(slack), dm("imported:maria.chen"))
    assert caught.value.permanent
    assert slack.calls == []


async def test_other_platforms_are_not_delivered(notifier: SlackNotifier) -> None:
    with pytest.raises(DeliveryError) as caught:
        await notifier.deliver(CommunityKey("discord", "1234", "guild"), dm(SAM))
    assert caught.value.permanent


async def test_a_retry_after_a_failed_upload_does_not_repeat_the_message(
    slack: FakeSlack, notifier: SlackNotifier
) -> None:
    message = Message(text="Your invite", attachments=(
        Attachment("intro-1.ics", b"BEGIN:VCALENDAR\r\n", "text/calendar"),))
    slack.fail("files.getUploadURLExternal", "internal_error")
    with pytest.raises(DeliveryError) as caught:
        await notifier.deliver(community(slack), dm(SAM, message=message))
    assert not caught.value.permanent
    assert len(slack.messages) == 1

    await notifier.deliver(community(slack), dm(SAM, message=message))
    assert len(slack.messages) == 1
    assert [u.filename for u in slack.uploads.values() if u.completed] == ["intro-1.ics"]

    await notifier.deliver(community(slack), dm(SAM, message=message))
    assert len(slack.messages) == 2  # a new reminder with the same words is sent again


async def test_long_lists_fit_slacks_block_limit(
    slack: FakeSlack, notifier: SlackNotifier
) -> None:
    cards = tuple(Card(title=f"#{n} from Sam", text="x" * 200,
                       buttons=(Button("Accept", f"intro:accept:{n}"),)) for n in range(40))
    await notifier.deliver(community(slack), dm(MARIA, message=Message(text="Weekly digest",
                                                                       cards=cards)))
    (posted,) = slack.messages
    assert posted.blocks is not None and len(posted.blocks) <= 50
    assert "more not shown" in str(posted.blocks[-1])
    slack.assert_no_violations()
