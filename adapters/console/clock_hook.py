"""What the console does when `/clock` moves time forward: the periodic sweep, then one
dispatch of everything that has fallen due, through the same dispatcher and outbox as
`introbot run`. The DMs it delivers come back as an outcome for the session to print."""

from __future__ import annotations

import asyncio

from adapters.bootstrap import Runtime
from adapters.dispatcher import DispatchSettings, ReminderDispatcher
from bot.app import IntroProgram
from bot.clock import Clock
from bot.context import CommunityKey
from bot.domain import Platform
from bot.messages import DirectMessage, Message, Outcome
from storage.outbox_claims import OutboxClaims


class ConsoleNotifier:
    """Delivers a DM by keeping it for the session to print."""

    def __init__(self) -> None:
        self._delivered: list[DirectMessage] = []

    async def deliver(self, community: CommunityKey, dm: DirectMessage) -> None:
        self._delivered.append(dm)

    def take(self) -> list[DirectMessage]:
        delivered, self._delivered = self._delivered, []
        return delivered


class ConsoleClockHook:
    """`ConsoleSession(on_clock_moved=...)`: call it after the clock moved."""

    def __init__(
        self,
        program: IntroProgram,
        claims: OutboxClaims,
        clock: Clock,
    ) -> None:
        self.program = program
        self.notifier = ConsoleNotifier()
        self.dispatcher = ReminderDispatcher(
            program, claims, {Platform.CONSOLE.value: self.notifier}, clock, owner="console",
            settings=DispatchSettings(offload=False),
        )

    def __call__(self) -> list[Outcome]:
        self.program.sweep()
        result = asyncio.run(self.dispatcher.drain())
        outcome = Outcome(dms=self.notifier.take())
        if result.drop_reasons:
            lines = "\n".join(f"  • {reason}" for reason in result.drop_reasons)
            outcome.reply = Message(text=f"(skipped, no longer useful:\n{lines})")
        return [outcome] if outcome.dms or outcome.reply is not None else []


def console_clock_hook(runtime: Runtime) -> ConsoleClockHook:
    """The hook for a console session over `runtime` (its program, engine and clock)."""
    return ConsoleClockHook(runtime.program, OutboxClaims(runtime.engine), runtime.clock)
