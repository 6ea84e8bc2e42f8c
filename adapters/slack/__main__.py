"""`python -m adapters.slack`: the Slack app alone, against INTROBOT_DATABASE_URL.

It answers commands, buttons, forms and the Home tab; reminders need the outbox dispatcher
too, which `introbot run` starts alongside.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys

from pydantic import ValidationError

from adapters.bootstrap import build_runtime
from adapters.settings import IntrobotSettings
from adapters.slack.app import build_slack_bot
from adapters.slack.runner import SlackRunner


async def serve(settings: IntrobotSettings) -> None:
    runtime = build_runtime(settings.database_url, admin_ids=settings.admin_ids())
    bot = build_slack_bot(runtime.program, settings, engine=runtime.engine)
    runner = SlackRunner(bot, app_token=settings.slack_app_token, host=settings.http_host,
                         port=settings.http_port)
    try:
        await runner.start()
        await asyncio.Event().wait()
    finally:
        await runner.stop()
        runtime.close()


def main() -> int:
    try:
        settings = IntrobotSettings()
    except ValidationError as exc:
        for error in exc.errors():
            print(f"Setting {error['loc'][0] if error['loc'] else ''}: {error['msg']}",
                  file=sys.stderr)
        return 2
    if not settings.slack_enabled():
        print("Set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
              "(installable in many), plus SLACK_SIGNING_SECRET or SLACK_APP_TOKEN.",
              file=sys.stderr)
        return 2
    if not (settings.slack_app_token or settings.slack_signing_secret):
        print("Set SLACK_APP_TOKEN for Socket Mode, or SLACK_SIGNING_SECRET for HTTP mode.",
              file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level.upper())
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
