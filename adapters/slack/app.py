"""The Slack app: Bolt listeners that turn Slack payloads into core calls and back.

Every listener is parse → one `IntroProgram` call → render:

* `/intro …`, `/mentor …` → `program.command`. A quick answer is the ack itself (ephemeral);
  a slow one is acked empty and sent with `respond()`. A form opens as a modal (`views.open`
  with the command's trigger id).
* A button → `program.action` (or `program.home_action` for the Home tab's own buttons); acked
  first, answered with `respond()` (ephemeral), or by DM when the click came from the Home tab.
* A modal submission → `program.submit`: refusals of a field come back inline
  (`response_action: errors`), a new form replaces the modal (`response_action: update`).
* `app_home_opened` → `program.home`, published with views.publish (retried deliveries of the
  same event are ignored).

The core's DMs go out through `SlackNotifier` after the ack; Home tabs of the people involved
are refreshed. Unexpected errors — Slack API errors included — end in one place,
`SlackListeners.report`, which tells the person in a friendly ephemeral message.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import Engine

from adapters.settings import IntrobotSettings
from adapters.slack.home import HomeTabs
from adapters.slack.notifier import SLACK_USER_ID, SingleWorkspace, SlackClients, SlackNotifier
from adapters.slack.people import SlackPeople
from adapters.slack.render import (
    ACTION_ID,
    FORM_CALLBACK_PREFIX,
    FormContext,
    core_action_id,
    ephemeral_reply,
    field_errors,
    form_id_of,
    form_values,
    input_block_ids,
    modal_view,
    unescape,
)
from bot.app import IntroProgram
from bot.commands import mentions_in
from bot.context import CommunityKey, Invocation
from bot.domain import Platform
from bot.messages import FieldKind, Form, FormField, Message, Outcome
from bot.ports import DeliveryError

log = logging.getLogger(__name__)
T = TypeVar("T")

COMMANDS = ("/intro", "/mentor")
ACK_BUDGET_SECONDS = 2.0
MAX_MENTIONS_RESOLVED = 5
RATE_LIMIT_RETRIES = 3

FRIENDLY_ERROR = (
    "Sorry, something went wrong on my side. Please try again in a minute; if it keeps "
    "happening, let your program admins know."
)
TRIGGER_EXPIRED = (
    "Slack closed the window for that form before I could open it. Please run the command "
    "or press the button again."
)
_FORM_CALLBACK = re.compile("^" + re.escape(FORM_CALLBACK_PREFIX))
_TRIGGER_ERRORS = frozenset({"expired_trigger_id", "invalid_trigger_id", "exchanged_trigger_id"})

IMPORT_FORM_ID = "slack:import"
IMPORT_FORM = Form(
    form_id=IMPORT_FORM_ID,
    title="Import mentors",
    intro=(
        "Paste the mentor list as CSV, header line first (handle, display_name, headline, "
        "industries, …). Everyone on it gets an invitation to opt in; nobody becomes a "
        "mentor without saying yes."
    ),
    submit_label="Import",
    fields=(
        FormField("csv", "Mentor list (CSV)", kind=FieldKind.PARAGRAPH, required=True,
                  max_length=3000,
                  placeholder="handle,display_name,headline,industries\n"
                              "maria.chen,Maria Chen,PM in climate tech,Software"),
    ),
)


def retry_handlers() -> list[AsyncRetryHandler]:
    """Connection errors, 5xx and 429 (after Retry-After) are retried by the client itself."""
    return [
        AsyncConnectionErrorRetryHandler(),
        AsyncServerErrorRetryHandler(),
        AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
    ]


class EventIds:
    """Event ids seen recently: Slack redelivers an event (X-Slack-Retry-Num) when our ack
    was slow or lost, and a redelivery must not act twice."""

    def __init__(self, ttl: float = 3600.0, max_entries: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._ttl = ttl
        self._max = max_entries
        self._clock = clock

    def first_time(self, event_id: str | None) -> bool:
        if not event_id:
            return True
        now = self._clock()
        while self._seen and next(iter(self._seen.values())) <= now:
            self._seen.popitem(last=False)
        if event_id in self._seen:
            return False
        self._seen[event_id] = now + self._ttl
        while len(self._seen) > self._max:
            self._seen.popitem(last=False)
        return True


class CoreCalls:
    """Runs the synchronous core off the event loop, in a bounded pool of threads.

    SQLite takes one writer at a time (every transaction starts with the write lock), so one
    thread serves it in arrival order rather than leaving waiters to SQLite's busy-wait
    back-off; PostgreSQL gets several.
    """

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="introbot-core")

    async def __call__(self, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, functools.partial(call, *args))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def core_workers_for(database_url: str) -> int:
    return 1 if database_url.startswith("sqlite") else 8


@dataclass
class Turn:
    """One interaction: who acts, through which client, and where the answer goes."""

    inv: Invocation
    client: AsyncWebClient
    channel_id: str = ""
    response_url: str = ""
    trigger_id: str = ""

    @property
    def team_id(self) -> str:
        return self.inv.community.external_id

    @property
    def user_id(self) -> str:
        return self.inv.user.user_id

    def respond(self) -> AsyncRespond | None:
        if not self.response_url:
            return None
        return AsyncRespond(response_url=self.response_url, proxy=self.client.proxy,
                            ssl=self.client.ssl)


def _split_files(message: Message) -> tuple[Message, Message | None]:
    """A reply can't carry files: they go to the person's DM, and the reply says so."""
    if not message.attachments:
        return message, None
    names = ", ".join(a.filename for a in message.attachments)
    shown = replace(message, attachments=(),
                    text=f"{message.text}\n\nI've sent {names} to you in a direct message.")
    files = Message(text=f"{message.title or 'Your file'}: {names}",
                    attachments=message.attachments)
    return shown, files


def _friendly(error: BaseException) -> str:
    if isinstance(error, SlackApiError) and error.response.get("error") in _TRIGGER_ERRORS:
        return TRIGGER_EXPIRED
    return FRIENDLY_ERROR


def _user_of(body: Mapping[str, Any]) -> str:
    if isinstance(body.get("user_id"), str):
        return str(body["user_id"])
    user = body.get("user")
    if isinstance(user, Mapping) and isinstance(user.get("id"), str):
        return str(user["id"])
    event = body.get("event")
    if isinstance(event, Mapping) and isinstance(event.get("user"), str):
        return str(event["user"])
    return ""


def _team_of(body: Mapping[str, Any]) -> tuple[str, str]:
    """(team id, team domain) of any payload."""
    team = body.get("team")
    if isinstance(team, Mapping) and team.get("id"):
        return str(team["id"]), str(team.get("domain") or "")
    user = body.get("user")
    if isinstance(user, Mapping) and user.get("team_id"):
        return str(user["team_id"]), ""
    return str(body.get("team_id") or ""), str(body.get("team_domain") or "")


def _is_import(root: str, text: str) -> bool:
    return root == "intro" and [w.lower() for w in text.split()] == ["admin", "import"]


@dataclass
class SlackListeners:
    program: IntroProgram
    notifier: SlackNotifier
    people: SlackPeople
    homes: HomeTabs
    core: CoreCalls
    ack_budget: float = ACK_BUDGET_SECONDS
    events: EventIds = field(default_factory=EventIds)
    _running: int = 0
    _idle: asyncio.Condition | None = None

    async def drained(self, timeout: float = 10.0) -> None:
        """Wait until no listener work is running (work goes on after the ack): for a
        graceful shutdown, and for tests that check what a listener did."""
        if self._idle is None:
            self._idle = asyncio.Condition()
        async with self._idle:
            await asyncio.wait_for(self._idle.wait_for(lambda: self._running == 0), timeout)

    # ------------------------------------------------------------ listeners

    async def on_command(self, ack: AsyncAck, body: dict[str, Any],
                         client: AsyncWebClient) -> None:
        self._start()
        started = time.monotonic()

        async def work() -> None:
            root = str(body.get("command") or "").lstrip("/")
            text = unescape(str(body.get("text") or ""))
            turn = await self._turn(client, body, channel_id=str(body.get("channel_id") or ""),
                                    response_url=str(body.get("response_url") or ""),
                                    trigger_id=str(body.get("trigger_id") or ""))
            if _is_import(root, text):
                await ack()
                await self._open_form(turn, IMPORT_FORM)
                return
            await self._ensure_mentioned(turn, text)
            outcome, late = await self._core(
                ack, started, lambda: self.program.command(turn.inv, root, text))
            files = None
            if outcome.form is not None:
                if not late:
                    await ack()
                note = outcome.reply.text if outcome.reply else ""
                await self._open_form(turn, outcome.form, note)
            elif outcome.reply is not None:
                reply, files = _split_files(outcome.reply)
                if late:
                    await self._answer(turn, reply)
                else:
                    await ack(**ephemeral_reply(reply))
            elif not late:
                await ack()
            await self._after(turn, outcome, files)

        await self._guard(ack, body, client, work, kind="command")

    async def on_action(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any],
                        client: AsyncWebClient) -> None:
        self._start()
        await ack()

        async def work() -> None:
            core_id = core_action_id(str(action.get("action_id") or ""))
            if core_id is None:
                return
            container = body.get("container") or {}
            view = body.get("view") or {}
            from_home = container.get("type") == "view" and view.get("type") == "home"
            channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
            turn = await self._turn(client, body, channel_id=str(channel),
                                    response_url=str(body.get("response_url") or ""),
                                    trigger_id=str(body.get("trigger_id") or ""))
            press = self.program.home_action if core_id.startswith("home:") \
                else self.program.action
            outcome = await self.core(press, turn.inv, core_id)
            files = None
            if outcome.form is not None:
                note = outcome.reply.text if outcome.reply else ""
                await self._open_form(turn, outcome.form, note)
            elif outcome.reply is not None:
                reply, files = _split_files(outcome.reply)
                await self._answer(turn, reply)
            await self._after(turn, outcome, files)
            if from_home:
                await self.homes.publish(client, turn.inv)

        await self._guard(ack, body, client, work, kind="action")

    async def on_submit(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any],
                        client: AsyncWebClient) -> None:
        self._start()
        started = time.monotonic()

        async def work() -> None:
            form_id = form_id_of(str(view.get("callback_id") or "")) or ""
            context = FormContext.decode(str(view.get("private_metadata") or ""))
            values = form_values((view.get("state") or {}).get("values") or {})
            turn = await self._turn(client, body, channel_id=context.channel_id,
                                    response_url=context.response_url,
                                    trigger_id=str(body.get("trigger_id") or ""))
            if form_id == IMPORT_FORM_ID:
                def call() -> Outcome:
                    return self.program.import_text(turn.inv, values.get("csv", ""))
            else:
                def call() -> Outcome:
                    return self.program.submit(turn.inv, form_id, values)
            outcome, late = await self._core(ack, started, call)
            files = None
            if outcome.field_errors:
                if not late:
                    await ack(response_action="errors",
                              errors=field_errors(outcome.field_errors, view))
                    return
                problems = " ".join(outcome.field_errors.values())
                await self._answer(turn, Message(text=f"Your form wasn't saved: {problems}"))
                return
            if outcome.form is not None and not late:
                note = outcome.reply.text if outcome.reply else ""
                await ack(response_action="update", view=modal_view(outcome.form, context, note))
            else:
                if not late:
                    await ack()
                if outcome.form is not None:  # too late to show it: say what it asked
                    await self._answer(turn, Message(
                        text=f"{outcome.form.intro or outcome.form.title}\n\nThat took me too "
                             "long to show in the form. Please start again."))
                if outcome.reply is not None:
                    reply, files = _split_files(outcome.reply)
                    await self._answer(turn, reply)
            await self._after(turn, outcome, files)

        await self._guard(ack, body, client, work, kind="view", view=view)

    async def on_home_opened(self, body: dict[str, Any], event: dict[str, Any],
                             client: AsyncWebClient) -> None:
        self._start()

        async def work() -> None:
            if event.get("tab", "home") != "home" or not event.get("user"):
                return
            if not self.events.first_time(body.get("event_id")):
                log.info("ignoring a redelivered event %s", body.get("event_id"))
                return
            team_id = str(body.get("team_id") or event.get("view", {}).get("team_id") or "")
            user = await self.people.user(client, team_id, str(event["user"]))
            inv = Invocation(CommunityKey(Platform.SLACK.value, team_id, ""), user)
            await self.homes.publish(client, inv)

        await self._guard(None, body, client, work, kind="event")

    # ------------------------------------------------------------ the one error handler

    async def report(self, error: BaseException, body: Mapping[str, Any],
                     client: AsyncWebClient | None) -> None:
        """Log an unexpected error and tell the person, if there is one to tell."""
        log.error("Slack listener failed: %s", error,
                  exc_info=(type(error), error, error.__traceback__))
        if body.get("type") == "event_callback":
            return
        text = _friendly(error)
        user_id = _user_of(body)
        response_url = body.get("response_url")
        if not response_url:
            context = FormContext.decode(str((body.get("view") or {}).get("private_metadata")
                                             or ""))
            response_url = context.response_url
        try:
            if isinstance(response_url, str) and response_url:
                proxy = client.proxy if client is not None else None
                await AsyncRespond(response_url=response_url, proxy=proxy)(
                    text=text, response_type="ephemeral", replace_original=False)
            elif user_id and client is not None:
                await client.chat_postMessage(channel=user_id, text=text)
        except Exception:
            log.exception("could not tell %s about an error", user_id or "the user")

    async def _guard(
        self,
        ack: AsyncAck | None,
        body: Mapping[str, Any],
        client: AsyncWebClient,
        work: Callable[[], Awaitable[None]],
        *,
        kind: str,
        view: Mapping[str, Any] | None = None,
    ) -> None:
        """Run a listener's work; nothing escapes to Bolt (an exception right after ack()
        can cost the ack), and every failure goes through `report`."""
        try:
            await work()
        except Exception as error:
            await self._failed(error, ack, body, client, kind, view)
        finally:
            await self._done()

    def _start(self) -> None:
        self._running += 1

    async def _done(self) -> None:
        self._running -= 1
        if self._running == 0 and self._idle is not None:
            async with self._idle:
                self._idle.notify_all()

    async def _failed(
        self,
        error: Exception,
        ack: AsyncAck | None,
        body: Mapping[str, Any],
        client: AsyncWebClient,
        kind: str,
        view: Mapping[str, Any] | None,
    ) -> None:
        if ack is not None and ack.response is None:
            if kind == "command":
                log.error("command failed before its answer: %s", error,
                          exc_info=(type(error), error, error.__traceback__))
                await ack(text=_friendly(error), response_type="ephemeral")
                return
            blocks = input_block_ids(view or {})
            if kind == "view" and blocks:
                log.error("form submission failed: %s", error,
                          exc_info=(type(error), error, error.__traceback__))
                await ack(response_action="errors", errors={blocks[0]: _friendly(error)})
                return
            await ack()
        await self.report(error, body, client)

    # ------------------------------------------------------------ pieces

    async def _turn(self, client: AsyncWebClient, body: Mapping[str, Any], *,
                    channel_id: str, response_url: str, trigger_id: str) -> Turn:
        team_id, team_name = _team_of(body)
        user = body.get("user")
        user_name = str(body.get("user_name") or (user.get("username") or user.get("name")
                        if isinstance(user, Mapping) else "") or "")
        person = await self.people.user(client, team_id, _user_of(body), user_name)
        inv = Invocation(CommunityKey(Platform.SLACK.value, team_id, team_name), person)
        return Turn(inv=inv, client=client, channel_id=channel_id, response_url=response_url,
                    trigger_id=trigger_id)

    async def _core(self, ack: AsyncAck, started: float,
                    call: Callable[[], Outcome]) -> tuple[Outcome, bool]:
        """Run a core call; if it outlasts the ack budget, ack empty and keep waiting.
        Returns the outcome and whether the ack already went out."""
        task = asyncio.ensure_future(self.core(call))
        left = self.ack_budget - (time.monotonic() - started)
        done, _ = await asyncio.wait({task}, timeout=max(0.0, left))
        if task in done:
            return task.result(), False
        await ack()
        return await task, True

    async def _ensure_mentioned(self, turn: Turn, text: str) -> None:
        """People @mentioned in a command become members first, so the core can name them."""
        wanted = [m.platform_user_id for m in mentions_in(text)
                  if m.platform_user_id and SLACK_USER_ID.match(m.platform_user_id)
                  and m.platform_user_id != turn.user_id]
        for user_id in wanted[:MAX_MENTIONS_RESOLVED]:
            person = await self.people.user(turn.client, turn.team_id, user_id)
            if person.display_name:  # found by users.info
                await self.core(self.program.ensure_member, turn.inv.community, person)

    async def _open_form(self, turn: Turn, form: Form, note: str = "") -> None:
        context = FormContext(channel_id=turn.channel_id, response_url=turn.response_url)
        await turn.client.views_open(trigger_id=turn.trigger_id,
                                     view=modal_view(form, context, note))

    async def _answer(self, turn: Turn, message: Message) -> None:
        """A reply only the actor sees: ephemeral through the response_url, else by DM."""
        respond = turn.respond()
        if respond is not None:
            await respond(**ephemeral_reply(message), replace_original=False)
        else:
            await self.notifier.send(turn.client, turn.team_id, [turn.user_id], message)

    async def _after(self, turn: Turn, outcome: Outcome, files: Message | None) -> None:
        """After the answer: the actor's files, the core's DMs, fresh Home tabs."""
        unreached: list[str] = []
        if files is not None:
            try:
                await self.notifier.send(turn.client, turn.team_id, [turn.user_id], files)
            except DeliveryError as error:
                log.warning("could not send files to %s: %s", turn.user_id, error.reason)
                await self._answer(turn, Message(
                    text="I couldn't send you the file just now. Please try again in a minute."))
        for dm in outcome.dms:
            people = [r.platform_user_id for r in dm.recipients]
            try:
                await self.notifier.send(turn.client, turn.team_id, people, dm.message)
            except DeliveryError as error:
                log.warning("DM %s to %s not delivered: %s", dm.kind, people, error.reason)
                unreached += [r.display_name for r in dm.recipients
                              if r.platform_user_id != turn.user_id]
        if unreached:
            names = ", ".join(dict.fromkeys(unreached))
            await self._answer(turn, Message(
                text=(f"I couldn't reach {names} by direct message just now, so they may not "
                      "have seen this yet.")))
        if outcome.ok:
            involved = [turn.user_id] + [r.platform_user_id for dm in outcome.dms
                                         for r in dm.recipients]
            await self.homes.refresh(turn.client, turn.inv.community, involved, turn.inv.user)


@dataclass
class SlackBot:
    """The Bolt app with what it delivers through; `close()` when done."""

    app: AsyncApp
    client: AsyncWebClient
    listeners: SlackListeners
    notifier: SlackNotifier
    session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        self.listeners.core.close()
        if self.session is not None and not self.session.closed:
            await self.session.close()


def register(app: AsyncApp, listeners: SlackListeners) -> None:
    """Attach the listeners to a Bolt app."""

    async def command(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await listeners.on_command(ack, body, client)

    async def action(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any],
                     client: AsyncWebClient) -> None:
        await listeners.on_action(ack, body, action, client)

    async def submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any],
                     client: AsyncWebClient) -> None:
        await listeners.on_submit(ack, body, view, client)

    async def home_opened(body: dict[str, Any], event: dict[str, Any],
                          client: AsyncWebClient) -> None:
        await listeners.on_home_opened(body, event, client)

    async def on_error(error: Exception, body: dict[str, Any],
                       response: BoltResponse | None = None,
                       client: AsyncWebClient | None = None) -> BoltResponse | None:
        await listeners.report(error, body, client)
        # The person has been told; acknowledge, so Slack shows no second error (and, in
        # Socket Mode, doesn't redeliver an envelope left without an ack).
        return BoltResponse(status=200, body="") if response is not None else None

    for name in COMMANDS:
        app.command(name)(command)
    app.action(ACTION_ID)(action)
    app.view(_FORM_CALLBACK)(submit)
    app.event("app_home_opened")(home_opened)
    app.error(on_error)


def build_slack_bot(
    program: IntroProgram,
    settings: IntrobotSettings,
    *,
    engine: Engine | None = None,
    people: SlackPeople | None = None,
    ack_budget: float = ACK_BUDGET_SECONDS,
    share_session: bool = True,
    core_workers: int | None = None,
) -> SlackBot:
    """The Slack app for `program`. Call it inside the running event loop (it opens the HTTP
    session the Web API clients share).

    One workspace with SLACK_BOT_TOKEN; many (OAuth, installations kept in `engine`'s
    database) when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set.
    """
    session = aiohttp.ClientSession() if share_session else None
    multi = bool(settings.slack_client_id and settings.slack_client_secret)
    client = AsyncWebClient(
        token=None if multi else (settings.slack_bot_token or None),
        base_url=settings.slack_api_url,
        retry_handlers=retry_handlers(),
        session=session,
    )
    if multi:
        # Imported here: slack_sdk's SQLAlchemy stores pull in sqlalchemy.ext.asyncio (greenlet),
        # which a single-workspace install doesn't need.
        from adapters.slack.oauth import InstalledWorkspaces, oauth_settings

        if engine is None:
            raise ValueError("OAuth installs need the database engine to keep installations in")
        oauth = oauth_settings(settings.slack_client_id, settings.slack_client_secret, engine,
                               settings.slack_api_url)
        app = AsyncApp(client=client, signing_secret=settings.slack_signing_secret,
                       oauth_settings=oauth)
        store = oauth.installation_store
        assert store is not None
        clients: SlackClients = InstalledWorkspaces(store, settings.slack_api_url,
                                                    retry_handlers(), session)
    else:
        app = AsyncApp(client=client, signing_secret=settings.slack_signing_secret)
        clients = SingleWorkspace(client)
    people = people or SlackPeople()
    notifier = SlackNotifier(clients)
    core = CoreCalls(core_workers or core_workers_for(settings.database_url))
    listeners = SlackListeners(
        program=program, notifier=notifier, people=people,
        homes=HomeTabs(program, people, core), core=core, ack_budget=ack_budget,
    )
    register(app, listeners)
    return SlackBot(app=app, client=client, listeners=listeners, notifier=notifier,
                    session=session)
