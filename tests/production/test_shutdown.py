"""SIGTERM: `introbot run` stops taking work, lets the reminder send under way finish, hands
back the reminders it claimed but did not send (for another replica, at once, not after the
lease), and exits 0."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web
from sqlalchemy import Engine, select, text

from adapters.bootstrap import build_runtime
from bot.clock import as_utc
from storage import tables
from tests.fakes.slack import FakeSlack
from tests.production.support import IntrobotProcess, no_quiet_hours, wait_ready
from tests.slack import world
from tests.slack.harness import MARIA, OLIVIA, PAT, SAM, add_people

SIGNING_SECRET = "shutdown-test-signing-secret"
SEND_SECONDS = 1.5


class SlowSlack(FakeSlack):
    """chat.postMessage takes SEND_SECONDS; `posting` is set when one has arrived."""

    posting: asyncio.Event

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "chat.postMessage":
            self.posting.set()
            await asyncio.sleep(SEND_SECONDS)
        return await super()._handle_api(request)


def _rows(engine: Engine) -> list[tuple[str, str | None, int, datetime | None]]:
    outbox = tables.reminder_outbox.c
    with engine.connect() as connection:
        found = connection.execute(
            select(outbox.status, outbox.lease_owner, outbox.attempts, outbox.visible_at)
            .where(outbox.kind == "mentor_nudge").order_by(outbox.id))
        return [(str(s), o, int(a), as_utc(v)) for s, o, a, v in found]


async def test_sigterm_finishes_the_send_under_way_and_hands_back_the_rest(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'shutdown.db'}"
    async with SlowSlack() as slack:
        slack.posting = asyncio.Event()
        add_people(slack)
        seeded = build_runtime(url)
        try:
            world.make_mentor(seeded.program, slack, MARIA, "PM in climate tech", "Software")
            world.make_mentor(seeded.program, slack, PAT, "Analyst turned founder", "Finance")
            for seeker in (SAM, OLIVIA):
                for mentor in (MARIA, PAT):
                    world.make_request(seeded.program, slack, seeker, mentor)
            due = datetime.now(UTC) - timedelta(seconds=1)
            with seeded.engine.begin() as connection:
                # No quiet hours to hold the nudges at whatever time of day the test runs.
                no_quiet_hours(connection, due)
                changed = connection.execute(text(
                    "UPDATE reminder_outbox SET due_at = :due, visible_at = :due "
                    "WHERE kind = 'mentor_nudge'"), {"due": due}).rowcount
            assert changed == 4

            env = {
                "INTROBOT_DATABASE_URL": url,
                "SLACK_BOT_TOKEN": slack.bot_token,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "INTROBOT_SLACK_API_URL": slack.api_url,
                "INTROBOT_OUTBOX_BATCH_SIZE": "4",
                "INTROBOT_OUTBOX_LEASE_SECONDS": "600",
                "INTROBOT_SHUTDOWN_TIMEOUT_SECONDS": "10",
            }
            with IntrobotProcess(env, tmp_path, "stopping") as bot:
                await wait_ready(bot)
                await asyncio.wait_for(slack.posting.wait(), 15)
                held = _rows(seeded.engine)
                assert sum(1 for _, owner, _, _ in held if owner) == 4  # one batch, all ours

                bot.proc.terminate()  # SIGTERM, mid-send
                await asyncio.to_thread(
                    bot.wait_for_record, lambda r: r.get("event") == "stopping", 10)
                try:
                    async with aiohttp.ClientSession() as session, \
                            session.get(bot.url + "/readyz") as answer:
                        assert answer.status == 503  # still listening: not ready any more
                except aiohttp.ClientConnectionError:
                    pass  # or already closed: no new work either way
                code = await asyncio.to_thread(bot.proc.wait, 30)
                assert code == 0, bot.output()[-3000:]

            rows = _rows(seeded.engine)
            assert [status for status, _, _, _ in rows].count("sent") == 1
            back = [row for row in rows if row[0] == "pending"]
            assert len(back) == 3
            now = datetime.now(UTC)
            for _, owner, attempts, visible in back:
                assert owner is None and attempts == 0  # handed back, not counted as tried
                assert visible is not None and visible <= now
            nudges = [m for m in slack.messages if "hoping to hear from you" in m.text]
            assert len(nudges) == 1  # the send under way finished, nothing after it
            assert "Traceback" not in bot.output()
            lines = [json.loads(x) for x in bot.lines if x.startswith("{")]
            events = [x for x in lines if x.get("event")]
            assert [x["event"] for x in events][-2:] == ["stopping", "stopped"]
            assert events[-1]["released"] == 3
        finally:
            seeded.close()
