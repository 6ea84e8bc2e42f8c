"""`introbot run`: everything a production replica does, in one process.

* every adapter whose credentials are set — Slack (Socket Mode with SLACK_APP_TOKEN, else HTTP
  at /slack/events), Discord (gateway with DISCORD_TOKEN), or both;
* the reminder scheduler and dispatcher (adapters/scheduler.py, adapters/dispatcher.py) for
  the platforms that run here;
* the HTTP server with /healthz, /readyz, /metrics (adapters/http_server.py).

Several replicas share one PostgreSQL database: migrations run once (an advisory lock, see
storage/migrations/env.py), reminders are claimed under leases, Slack requests may land on any
replica. SIGTERM (or Ctrl-C) stops gracefully: not ready any more, no new requests or claims,
answers and the reminder send under way finish, claims still held are handed back, exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from adapters.bootstrap import Runtime, build_runtime
from adapters.dispatcher import DispatchSettings, ReminderDispatcher, default_owner
from adapters.http_server import SLACK_EVENTS_PATH, HttpServer
from adapters.logging_setup import configure
from adapters.metrics import InstrumentedProgram, MeteredClaims, Metrics
from adapters.scheduler import ReminderScheduler, SchedulerSettings
from adapters.settings import IntrobotSettings
from bot.ports import Notifier

log = logging.getLogger("introbot.run")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_SETTINGS = 2
REFUSED_TOKEN = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked",
                           "token_expired", "not_allowed_token_type"})


class StartupError(Exception):
    """A problem a person must fix before Introbot can run; the message says how."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Plan:
    slack: str | None  # "socket", "http" or None
    discord: bool

    @property
    def adapters(self) -> list[str]:
        found = [f"slack ({self.slack} mode)"] if self.slack else []
        return found + (["discord"] if self.discord else [])


def plan_for(settings: IntrobotSettings) -> Plan:
    """Which adapters run, or StartupError naming the settings to set."""
    slack: str | None = None
    if settings.slack_enabled():
        if settings.slack_app_token:
            slack = "socket"
        elif settings.slack_signing_secret:
            slack = "http"
        else:
            raise StartupError(
                "Slack needs SLACK_SIGNING_SECRET (HTTP mode: Slack posts to /slack/events) or "
                "SLACK_APP_TOKEN (Socket Mode: an xapp-… token), next to SLACK_BOT_TOKEN.",
                EXIT_SETTINGS)
        if settings.slack_app_token and not settings.slack_app_token.startswith("xapp-"):
            raise StartupError("SLACK_APP_TOKEN should be an app-level token starting with "
                               "xapp- (Basic Information → App-Level Tokens).", EXIT_SETTINGS)
        if settings.slack_bot_token and not settings.slack_bot_token.startswith("xoxb-"):
            raise StartupError("SLACK_BOT_TOKEN should be a bot token starting with xoxb- "
                               "(OAuth & Permissions → Bot User OAuth Token).", EXIT_SETTINGS)
    elif settings.slack_app_token or settings.slack_signing_secret:
        raise StartupError(
            "Slack settings are incomplete: set SLACK_BOT_TOKEN (one workspace) or "
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (installable in many).", EXIT_SETTINGS)
    discord = bool(settings.discord_token.strip())
    if slack is None and not discord:
        raise StartupError(
            "Nothing to run: set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) "
            "for Slack, and/or DISCORD_TOKEN for Discord. To try Introbot without a platform, "
            "run `introbot demo`.", EXIT_SETTINGS)
    return Plan(slack=slack, discord=discord)


def secrets_of(settings: IntrobotSettings) -> list[str]:
    """Values the logs must never show."""
    found = [settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token,
             settings.slack_client_secret, settings.discord_token]
    password = make_url(settings.database_url).password if "://" in settings.database_url \
        else None
    if password:
        found.append(str(password))
    return [value for value in found if value]


def owner_id(settings: IntrobotSettings) -> str:
    """The lease owner for this process run (unique even when a replica restarts)."""
    if settings.replica_id:
        return f"{settings.replica_id}:{uuid.uuid4().hex[:8]}"
    return default_owner()


def _database_error(settings: IntrobotSettings, exc: BaseException) -> StartupError:
    shown = make_url(settings.database_url).render_as_string(hide_password=True) \
        if "://" in settings.database_url else settings.database_url
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    first = reason[0] if reason else type(exc).__name__
    return StartupError(
        f"Could not open the database at {shown} (INTROBOT_DATABASE_URL): {first}. Check that "
        "the server is running and the URL, user and password are right.")


@dataclass
class Replica:
    """One running `introbot run`: what it started, and how to stop it again."""

    settings: IntrobotSettings
    plan: Plan
    runtime: Runtime
    metrics: Metrics
    owner: str
    server: HttpServer | None = None
    scheduler: ReminderScheduler | None = None
    claims: MeteredClaims | None = None
    slack_bot: Any = None
    slack_socket: Any = None
    discord_client: Any = None
    discord_task: asyncio.Task[None] | None = None
    stop_requested: asyncio.Event = field(default_factory=asyncio.Event)

    # ------------------------------------------------------------ readiness

    async def database_ok(self) -> bool:
        def ping() -> bool:
            with self.runtime.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True

        return await asyncio.to_thread(ping)

    async def slack_ok(self) -> bool:
        if self.plan.slack == "socket":
            socket = self.slack_socket
            return bool(socket is not None and await socket.client.is_connected())
        return self.slack_bot is not None and self.server is not None \
            and self.server.bound_port is not None

    async def discord_ok(self) -> bool:
        client = self.discord_client
        return bool(client is not None and client.is_ready() and not client.is_closed())

    async def refresh_outbox_metrics(self) -> None:
        claims = self.claims
        if claims is None:
            return
        now = self.runtime.clock.now()
        stats = await asyncio.to_thread(claims.stats, now)
        self.metrics.observe_outbox(stats, now)
        self.metrics.adapter_up.labels("database").set(1)
        if self.plan.slack:
            self.metrics.adapter_up.labels("slack").set(1 if await self.slack_ok() else 0)
        if self.plan.discord:
            self.metrics.adapter_up.labels("discord").set(1 if await self.discord_ok() else 0)

    # ------------------------------------------------------------ start

    async def start(self) -> None:
        settings = self.settings
        loop = asyncio.get_running_loop()
        program = self.runtime.program
        notifiers: dict[str, Notifier] = {}

        checks = {"database": self.database_ok}
        if self.plan.slack:
            checks["slack"] = self.slack_ok
        if self.plan.discord:
            checks["discord"] = self.discord_ok
        self.server = HttpServer(settings.http_host, settings.http_port, self.metrics,
                                 checks=checks, before_scrape=self.refresh_outbox_metrics,
                                 shutdown_timeout=max(1.0, settings.shutdown_timeout_seconds))

        if self.plan.slack:
            from adapters.slack.app import build_slack_bot

            self.slack_bot = build_slack_bot(program, settings, engine=self.runtime.engine)
            notifiers["slack"] = self.slack_bot.notifier
            if self.plan.slack == "http":
                self.server.mount_slack(self.slack_bot.app)
        if self.plan.discord:
            from adapters.discord.runner import create_client

            self.discord_client = create_client(settings, program)
            notifiers["discord"] = self.discord_client.notifier

        try:
            port = await self.server.start()
        except OSError as exc:
            reason = os.strerror(exc.errno) if exc.errno else str(exc)
            raise StartupError(
                f"Could not listen on {settings.http_host}:{settings.http_port} "
                f"(INTROBOT_HTTP_HOST / INTROBOT_HTTP_PORT): {reason}. Pick a free port, or "
                "stop what is using it.") from None

        if self.plan.slack and settings.slack_bot_token:
            await self._check_slack_token()
        if self.plan.slack == "socket":
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            self.slack_socket = AsyncSocketModeHandler(self.slack_bot.app,
                                                       app_token=settings.slack_app_token)
            await self._connect_socket()
        if self.plan.discord:
            from adapters.discord.runner import run_client

            self.discord_task = asyncio.create_task(
                run_client(self.discord_client, settings.discord_token), name="discord")

        lease = timedelta(seconds=settings.outbox_lease_seconds)
        self.claims = MeteredClaims(self.runtime.engine).attach(self.metrics)
        dispatcher = ReminderDispatcher(
            program, self.claims, notifiers, self.runtime.clock, owner=self.owner,
            settings=DispatchSettings(batch_size=settings.outbox_batch_size, lease=lease,
                                      lease_margin=min(timedelta(seconds=20), lease / 3)))
        self.scheduler = ReminderScheduler(
            dispatcher, sweeper=program,
            settings=SchedulerSettings(
                poll_interval=timedelta(seconds=settings.outbox_poll_seconds),
                sweep_interval=timedelta(seconds=settings.sweep_seconds),
                stop_timeout=max(0.1, settings.shutdown_timeout_seconds)))
        scheduler = self.scheduler

        def wake() -> None:  # from the core's worker thread, after a command
            with contextlib.suppress(RuntimeError):  # the loop is closing
                loop.call_soon_threadsafe(scheduler.wake)

        if isinstance(program, InstrumentedProgram):
            program.attach(self.metrics, wake)
        await scheduler.start()

        events = f" (Slack: POST http://{settings.http_host}:{port}{SLACK_EVENTS_PATH})" \
            if self.plan.slack == "http" else ""
        log.info("Introbot is running: %s; health on port %s%s",
                 ", ".join(self.plan.adapters), port, events,
                 extra={"fields": {"event": "started", "http_port": port,
                                   "adapters": self.plan.adapters, "owner": self.owner}})

    async def _check_slack_token(self) -> None:
        """A refused bot token stops the start with a message; Slack being out of reach only
        warns (the bot answers once it is back)."""
        from slack_sdk.errors import SlackApiError

        try:
            await self.slack_bot.client.auth_test()
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "")
            if error in REFUSED_TOKEN:
                raise StartupError(
                    f"Slack refused SLACK_BOT_TOKEN ({error}). Copy the Bot User OAuth Token "
                    "(xoxb-…) again from OAuth & Permissions, or reinstall the app.") from None
            log.warning("Slack's auth.test failed (%s); going on", error or exc)
        except Exception as exc:
            log.warning("could not reach Slack to check the token (%s); going on",
                        type(exc).__name__)

    async def _connect_socket(self) -> None:
        """Socket Mode retries a refused app token for ever, only logging it: ask once first
        (an unused connection URL just expires), so a wrong token stops the start plainly."""
        from slack_sdk.errors import SlackApiError

        try:
            await self.slack_bot.client.apps_connections_open(
                app_token=self.settings.slack_app_token)
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "")
            if error in REFUSED_TOKEN:
                raise StartupError(
                    f"Slack refused SLACK_APP_TOKEN ({error}). Create an app-level token "
                    "(xapp-…) with connections:write under Basic Information, and check that "
                    "Socket Mode is on.") from None
            log.warning("Slack's apps.connections.open failed (%s); going on", error or exc)
        except Exception as exc:
            log.warning("could not reach Slack to open Socket Mode (%s); going on",
                        type(exc).__name__)
        await self.slack_socket.connect_async()

    # ------------------------------------------------------------ stop

    async def stop(self) -> int:
        """Stop gracefully; returns how many reminder claims were handed back."""
        timeout = self.settings.shutdown_timeout_seconds
        log.info("stopping: no new work; finishing what is under way",
                 extra={"fields": {"event": "stopping"}})
        if self.server is not None:
            self.server.stopping = True  # /readyz says 503 from now on
        released_before = self.claims.released if self.claims is not None else 0
        if self.scheduler is not None:
            # No new claims from here on; the send under way finishes below.
            self.scheduler.dispatcher.stop_claiming()
        if self.slack_socket is not None:
            with contextlib.suppress(Exception):
                await self.slack_socket.close_async()
        if self.server is not None:
            await self.server.stop()  # no new Slack requests; those under way finish
        if self.scheduler is not None:
            try:
                await self.scheduler.stop()
            except Exception:
                log.exception("handing back reminder claims failed; their leases will expire")
        if self.slack_bot is not None:
            with contextlib.suppress(TimeoutError):
                await self.slack_bot.listeners.drained(max(0.1, timeout))
            await self.slack_bot.close()
        if self.discord_client is not None:
            with contextlib.suppress(Exception):
                await self.discord_client.close()
        if self.discord_task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(self.discord_task, max(0.1, timeout))
        await _settle_tasks(min(5.0, max(0.1, timeout)))
        # The core may buffer records it writes in batches (IntroProgram.flush_searches).
        flush = getattr(self.runtime.program, "flush_searches", None)
        if callable(flush):
            try:
                await asyncio.to_thread(flush)
            except Exception:
                log.exception("writing buffered records at shutdown failed")
        released = (self.claims.released if self.claims is not None else 0) - released_before
        log.info("stopped; %d claimed reminders handed back", released,
                 extra={"fields": {"event": "stopped", "released": released}})
        return released


async def _settle_tasks(timeout: float) -> None:
    """Let tasks still under way (a scheduler job finishing its database read) end on their
    own rather than be cancelled when the loop closes."""
    current = asyncio.current_task()
    pending = [task for task in asyncio.all_tasks() if task is not current and not task.done()]
    if pending:
        await asyncio.wait(pending, timeout=timeout)


async def _wait_for_stop(replica: Replica) -> None:
    """Until SIGTERM/SIGINT, or the Discord client ends on its own (then raise why)."""
    stop = asyncio.ensure_future(replica.stop_requested.wait())
    task = replica.discord_task
    try:
        await asyncio.wait([stop] if task is None else [stop, task],
                           return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.cancel()
    if task is not None and task.done() and not replica.stop_requested.is_set():
        raise _discord_error(task.exception() if not task.cancelled() else None)


def _discord_error(exc: BaseException | None) -> StartupError:
    import discord

    if isinstance(exc, discord.LoginFailure):
        return StartupError("Discord refused DISCORD_TOKEN. Copy the bot token again from the "
                            "developer portal (Bot → Reset Token).")
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        return StartupError("Discord refused the gateway intents the bot asked for.")
    reason = f"{type(exc).__name__}: {exc}" if exc is not None else "it closed"
    return StartupError(f"The Discord connection ended ({reason}). Check DISCORD_TOKEN and "
                        "INTROBOT_DISCORD_API_URL / INTROBOT_DISCORD_GATEWAY_URL.")


async def serve(settings: IntrobotSettings, plan: Plan, stop: asyncio.Event | None = None) -> int:
    """Run until SIGTERM/SIGINT (or `stop` is set); returns the exit code."""
    try:
        runtime = await asyncio.to_thread(
            build_runtime, settings.database_url, admin_ids=settings.admin_ids(),
            program_class=InstrumentedProgram)
    except SQLAlchemyError as exc:
        raise _database_error(settings, exc) from None
    metrics = Metrics()
    replica = Replica(settings=settings, plan=plan, runtime=runtime, metrics=metrics,
                      owner=owner_id(settings))
    if stop is not None:
        replica.stop_requested = stop
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, replica.stop_requested.set)
    try:
        await replica.start()
        await _wait_for_stop(replica)
    finally:
        try:
            await replica.stop()
        finally:
            runtime.close()
    return EXIT_OK


def run(settings: IntrobotSettings) -> int:
    """`introbot run` with validated settings. A problem a person must fix is said in one
    plain message on stderr (no traceback); the exit code is 2 for settings, 1 otherwise."""
    configure(settings.log_level, settings.log_format, secrets=secrets_of(settings),
              replica=settings.replica_id)
    try:
        plan = plan_for(settings)
        return asyncio.run(serve(settings, plan))
    except StartupError as problem:
        print(problem.message, file=sys.stderr, flush=True)
        return problem.code
    except KeyboardInterrupt:
        return EXIT_OK
    except Exception:
        log.exception("Introbot stopped after an unexpected error")
        return EXIT_FAILED
