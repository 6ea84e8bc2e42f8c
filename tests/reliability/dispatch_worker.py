"""A dispatcher process for the kill and two-dispatcher tests.

    python -m tests.reliability.dispatch_worker --url URL [--schema S] --sent-file F --owner O

It sends every due reminder of the database through a notifier that appends one line per DM
to `--sent-file` (`<what the DM names>\\t<owner>`, written with one `write` and `fsync`ed), then
waits `--hold-ms` before returning, as a platform that has accepted a message but not yet
answered. It exits 0 once nothing is left to do. `--start-file`: wait for that file to exist
before claiming anything (a start barrier for several workers).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from adapters.dispatcher import DispatchSettings, ReminderDispatcher
from bot.app import IntroProgram
from bot.clock import SystemClock
from bot.context import CommunityKey
from bot.messages import DirectMessage
from storage.engine import create_engine_for
from storage.outbox_claims import OutboxClaims
from storage.uow import make_uow_factory


class FileNotifier:
    def __init__(self, path: Path, owner: str, hold: float) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._owner = owner
        self._hold = hold

    async def deliver(self, community: CommunityKey, dm: DirectMessage) -> None:
        name = dm.message.text.rsplit(": ", 1)[-1]
        os.write(self._fd, f"{name}\t{self._owner}\n".encode())
        os.fsync(self._fd)
        if self._hold:
            await asyncio.sleep(self._hold)


async def serve(args: argparse.Namespace) -> None:
    connect: dict[str, Any] = {}
    if args.schema:
        connect["connect_args"] = {"options": f"-csearch_path={args.schema}"}
    engine = create_engine_for(args.url, **connect)
    clock = SystemClock()
    claims = OutboxClaims(engine)
    dispatcher = ReminderDispatcher(
        IntroProgram(make_uow_factory(engine), clock),
        claims,
        {"console": FileNotifier(Path(args.sent_file), args.owner, args.hold_ms / 1000)},
        clock,
        owner=args.owner,
        settings=DispatchSettings(batch_size=args.batch, lease=timedelta(seconds=args.lease)),
    )
    if args.start_file:
        while not Path(args.start_file).exists():
            time.sleep(0.005)
    try:
        while True:
            if (await dispatcher.drain()).claimed:
                continue
            due = claims.next_due_at()
            if due is None:
                return
            # Rows another worker holds: wait for them to finish or for its lease to end.
            wait = (due - clock.now()).total_seconds()
            await asyncio.sleep(min(max(wait, 0.01), 0.2))
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--schema", default="")
    parser.add_argument("--sent-file", required=True)
    parser.add_argument("--owner", required=True)
    parser.add_argument("--hold-ms", type=float, default=0.0)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--lease", type=float, default=120.0)
    parser.add_argument("--start-file", default="")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
