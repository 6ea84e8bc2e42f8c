"""Scale-out, for real: two `introbot run` processes on one PostgreSQL database, Slack in HTTP
mode against the Slack fake, every signed request spread across both (a form opened on one is
submitted to the other), reminders falling due and dispatched by both; then one process is
SIGKILLed while it holds claimed reminders and the other carries on.

Counted exactly: every request is created once and announced to its mentor once; every
reminder is delivered, and at most one of them twice (the one send a kill can interrupt between
"Slack accepted it" and "marked sent": RELIABILITY.md's promise is never lost, at most one
duplicate per crash). Needs INTROBOT_TEST_POSTGRES_URL (CI sets it).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import Engine, text
from sqlalchemy.pool import NullPool

from storage.engine import create_engine_for
from tests.fakes.slack import FakeSlack, SlackCall, SlackRequestSigner
from tests.production.support import (
    IntrobotProcess,
    fresh_postgres_database,
    get,
    metric,
    no_quiet_hours,
    wait_ready,
)
from tests.slack.harness import state_values
from tests.support.db import postgres_url

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(postgres_url() is None,
                       reason="needs PostgreSQL: set INTROBOT_TEST_POSTGRES_URL"),
]

SIGNING_SECRET = "scale-out-signing-secret"
MENTORS = [f"U0MENTOR{i:02d}" for i in range(10)]
SEEKERS = [f"U0SEEKER{i:02d}" for i in range(20)]
LATE_SEEKERS = [f"U0LATE{i:04d}" for i in range(4)]  # they ask after the kill
TOPIC = "how you moved from research into product"
NUDGE = re.compile(r"hoping to hear from you about request #(\d+)")
NEW_REQUEST = "A new intro request"
POST_DELAY = 0.25  # seconds the fake takes per chat.postMessage: sends overlap the kill


class SlowSlack(FakeSlack):
    """The Slack fake, with chat.postMessage taking a moment as the real one does."""

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "chat.postMessage":
            await asyncio.sleep(POST_DELAY)
        return await super()._handle_api(request)

    async def wait_until_call(self, predicate: Callable[[SlackCall], bool],
                              timeout: float = 10.0) -> SlackCall:
        await self.wait_until(lambda: any(predicate(c) for c in self.calls), timeout=timeout,
                              what="a Web API call")
        return next(c for c in self.calls if predicate(c))


class Spread:
    """Signed Slack requests, each to the next replica in turn."""

    def __init__(self, slack: SlowSlack, urls: Sequence[str]) -> None:
        self.slack = slack
        self.urls = list(urls)
        self.signer = SlackRequestSigner(SIGNING_SECRET)
        self.sent = Counter[str]()

    async def command(self, replica: int, user_id: str, command: str, words: str) -> str:
        """Run a slash command that opens a form; the form's view, once opened."""
        trigger = self.slack.new_trigger_id()
        reply = await self.signer.slash_command(
            command, words, user_id=user_id, user_name=user_id.lower(), channel_id="C0GENERAL",
            response_url=self.slack.response_url(user_id), trigger_id=trigger,
            team_id=self.slack.team_id,
        ).post(self.urls[replica] + "/slack/events")
        assert reply.status == 200, reply
        self.sent[self.urls[replica]] += 1
        call = await self.slack.wait_until_call(
            lambda c: c.method == "views.open" and c.params.get("trigger_id") == trigger)
        assert call.ok, call.response
        return str(call.response["view"]["id"])

    async def submit(self, replica: int, user_id: str, view_id: str,
                     values: dict[str, str]) -> None:
        view = self.slack.views[view_id]
        reply = await self.signer.view_submission(
            view, user_id=user_id, user_name=user_id.lower(), team_id=self.slack.team_id,
            values=state_values(view, values),
        ).post(self.urls[replica] + "/slack/events")
        assert reply.status == 200, reply
        assert not reply.text or "errors" not in reply.json(), reply.text
        self.sent[self.urls[replica]] += 1


def _texts(slack: FakeSlack, user_id: str) -> list[str]:
    """What each message in `user_id`'s DM says (text and blocks)."""
    return [message.text + json.dumps(message.blocks or [])
            for message in slack.messages_in(slack.dm_channel(user_id))]


def _nudges(slack: FakeSlack) -> Counter[int]:
    """How many times each request's mentor nudge was delivered."""
    found = Counter[int]()
    for mentor in MENTORS:
        for shown in _texts(slack, mentor):
            match = NUDGE.search(shown)
            if match:
                found[int(match[1])] += 1
    return found


def _requests(engine: Engine) -> list[tuple[int, str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT r.id, s.platform_user_id, m.platform_user_id FROM intro_requests r "
            "JOIN members s ON s.id = r.seeker_id JOIN members m ON m.id = r.mentor_id "
            "ORDER BY r.id"))
        return [(int(a), str(b), str(c)) for a, b, c in rows]



def _backdate_nudges(engine: Engine, request_ids: Sequence[int]) -> int:
    """The mentor nudges of these requests fall due now (as if two days had passed), with
    no quiet hours to hold them at whatever time of day the test runs."""
    now = datetime.now(UTC) - timedelta(seconds=1)
    with engine.begin() as connection:
        no_quiet_hours(connection, now)
        result = connection.execute(text(
            "UPDATE reminder_outbox SET due_at = :now, visible_at = :now "
            "WHERE kind = 'mentor_nudge' AND status = 'pending' AND request_id = ANY(:ids)"),
            {"now": now, "ids": list(request_ids)})
        return int(result.rowcount or 0)


def _nudge_rows(engine: Engine, request_ids: Sequence[int]) -> list[tuple[int, str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT request_id, status, coalesce(lease_owner, '') FROM reminder_outbox "
            "WHERE kind = 'mentor_nudge' AND request_id = ANY(:ids) ORDER BY request_id"),
            {"ids": list(request_ids)})
        return [(int(a), str(b), str(c)) for a, b, c in rows]


async def _until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def _in_thread(work: Callable[[], Any]) -> Any:
    return await asyncio.to_thread(work)


async def _gather(calls: Sequence[Awaitable[None]], at_once: int = 4) -> None:
    """Run the flows concurrently, a few at a time (a form's trigger id lives 3 s, and this
    machine may be busy)."""
    gate = asyncio.Semaphore(at_once)

    async def one(call: Awaitable[None]) -> None:
        async with gate:
            await call

    await asyncio.gather(*(one(call) for call in calls))


async def test_two_replicas_share_the_work_and_one_survives_the_other_being_killed(
    tmp_path: Path,
) -> None:
    with fresh_postgres_database() as url:
        engine = create_engine_for(url, poolclass=NullPool)
        try:
            await assert_scale_out_holds(url, engine, tmp_path)
        finally:
            engine.dispose()


async def assert_scale_out_holds(url: str, engine: Engine, tmp_path: Path) -> None:
    async with SlowSlack() as slack:
        for user_id in MENTORS + SEEKERS + LATE_SEEKERS:
            slack.add_user(user_id, user_id.lower(), real_name=f"Person {user_id[-4:]}")
        env = {
            "INTROBOT_DATABASE_URL": url,
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "INTROBOT_SLACK_API_URL": slack.api_url,
            "INTROBOT_OUTBOX_LEASE_SECONDS": "3",
            "INTROBOT_OUTBOX_BATCH_SIZE": "2",
            "INTROBOT_OUTBOX_POLL_SECONDS": "0.3",
            "INTROBOT_SWEEP_SECONDS": "3600",
            "INTROBOT_SHUTDOWN_TIMEOUT_SECONDS": "5",
        }
        # Both start at once on an empty database: the migration runs once, under its lock.
        with IntrobotProcess({**env, "INTROBOT_REPLICA_ID": "replica-a"}, tmp_path, "a") as a, \
                IntrobotProcess({**env, "INTROBOT_REPLICA_ID": "replica-b"}, tmp_path, "b") as b:
            await asyncio.gather(wait_ready(a, 45), wait_ready(b, 45))
            spread = Spread(slack, [a.url, b.url])

            # Mentors join: the form opens on one replica and is submitted to the other.
            async def join(i: int, mentor: str) -> None:
                view = await spread.command(i % 2, mentor, "/mentor", "join")
                await spread.submit((i + 1) % 2, mentor, view, {
                    "headline": f"Mentor {i} in climate tech", "industries": "Software",
                    "capacity": "5", "formats": "call, video"})

            await _gather([join(i, m) for i, m in enumerate(MENTORS)])

            # Seekers ask: seeker i asks mentor i % 10; again spread across both.
            async def ask(i: int, seeker: str) -> None:
                mentor = MENTORS[i % len(MENTORS)]
                view = await spread.command(i % 2, seeker, "/intro", f"request <@{mentor}>")
                await spread.submit((i + 1) % 2, seeker, view,
                                    {"topic": f"{TOPIC} ({i})", "format": "call"})

            await _gather([ask(i, s) for i, s in enumerate(SEEKERS)])
            assert spread.sent[a.url] == spread.sent[b.url] == len(MENTORS) + len(SEEKERS)

            made = await _in_thread(lambda: _requests(engine))
            assert sorted((s, m) for _, s, m in made) == sorted(
                (s, MENTORS[i % len(MENTORS)]) for i, s in enumerate(SEEKERS))
            ids = [request_id for request_id, _, _ in made]
            await slack.wait_until(
                lambda: sum(NEW_REQUEST in t for m in MENTORS for t in _texts(slack, m))
                >= len(ids), timeout=15, what="every mentor told of their requests")

            # Reminders, first half: due now, sent by both replicas.
            first, second = ids[:10], ids[10:]
            assert await _in_thread(lambda: _backdate_nudges(engine, first)) == len(first)
            await _until(lambda: all(status == "sent"
                                     for _, status, _ in _nudge_rows(engine, first)),
                         "the first reminders to be sent")
            sent_by = {}
            for replica in (a, b):
                body = (await get(replica.url + "/metrics"))[1]
                sent_by[replica.name] = metric(body, "introbot_reminders_total", outcome="sent")
            assert sent_by["a"] > 0 and sent_by["b"] > 0, sent_by
            assert sent_by["a"] + sent_by["b"] == len(first)

            # Second half: kill replica a while it holds claimed reminders.
            assert await _in_thread(lambda: _backdate_nudges(engine, second)) == len(second)
            await _until(lambda: any(owner.startswith("replica-a:") and status == "pending"
                                     for _, status, owner in _nudge_rows(engine, second)),
                         "replica a to claim reminders")
            a.kill()
            held_by_a = [rid for rid, status, owner in _nudge_rows(engine, second)
                         if owner.startswith("replica-a:") and status == "pending"]

            # Replica b carries on: new requests, and every reminder, a's included.
            async def ask_late(i: int, seeker: str) -> None:
                view = await spread.command(1, seeker, "/intro", f"request <@{MENTORS[i]}>")
                await spread.submit(1, seeker, view, {"topic": f"{TOPIC} (late {i})",
                                                      "format": "call"})

            await _gather([ask_late(i, s) for i, s in enumerate(LATE_SEEKERS)])
            await _until(lambda: all(status == "sent"
                                     for _, status, _ in _nudge_rows(engine, second)),
                         "every reminder to be sent after the kill", timeout=30)
            assert (await get(b.url + "/readyz"))[0] == 200

            # Counted exactly.
            made = await _in_thread(lambda: _requests(engine))
            assert len(made) == len(SEEKERS) + len(LATE_SEEKERS)
            assert len({(s, m) for _, s, m in made}) == len(made)  # each created once
            await slack.wait_until(
                lambda: sum(NEW_REQUEST in t for m in MENTORS for t in _texts(slack, m))
                >= len(made), timeout=15, what="the late requests announced")
            announced = Counter(
                int(found[1]) for m in MENTORS for t in _texts(slack, m) if NEW_REQUEST in t
                for found in [re.search(r"#(\d+)", t)] if found)
            assert announced == Counter({request_id: 1 for request_id, _, _ in made})

            nudges = _nudges(slack)
            assert set(nudges) == set(ids), "a reminder was lost"
            duplicates = sum(count - 1 for count in nudges.values())
            assert duplicates <= 1, nudges  # one kill: at most one duplicate
            assert all(nudges[rid] == 1 for rid in first)
            assert all(nudges[rid] == 1 for rid in set(second) - set(held_by_a))
            statuses = Counter(s for _, s, _ in _nudge_rows(engine, ids))
            assert statuses == Counter({"sent": len(ids)})

            body = (await get(b.url + "/metrics"))[1]
            assert metric(body, "introbot_reminders_total", outcome="sent") > sent_by["b"]
            assert b.terminate() == 0
        assert "Traceback" not in b.output()
        slack.assert_no_violations()
