"""Interactions in, core calls out: one path for commands, buttons and modals.

Every handler is: who and where (an `Invocation`) → one core call in a worker thread (the
core is synchronous) → the answer, rendered. Discord wants a first response within 3 s: the
core call gets `defer_after` seconds, and when it is not done by then the interaction is
deferred (an ephemeral "thinking…") and that response is edited once the core is done. Edits
and followups use the interaction token, which lives 15 minutes; past that the answer is sent
by DM instead. A modal can only be a first response, so a form that comes after deferring or
after a modal is offered as a button that opens it.

Each guild is its own community. A button in a DM names its guild in its custom_id; a press
or submit naming another guild than the one it happens in is refused. Slash commands in DMs
are refused politely (communities are servers).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import discord
from discord import app_commands

from adapters.discord import forms as command_forms
from adapters.discord import limits as L
from adapters.discord.limits import clip
from adapters.discord.notifier import DiscordNotifier
from adapters.discord.render import (
    FormSpec,
    Outgoing,
    build_modal,
    field_errors_prompt,
    form_prompt,
    page_values,
    pages_of,
    render_message,
    submitted_values,
    text_only,
    with_values,
)
from adapters.discord.views import ModalAddress, parse_modal_custom_id
from bot.app import IntroProgram
from bot.context import CommunityKey, Invocation, PlatformUser
from bot.messages import DirectMessage, Form, Message, Outcome
from bot.ports import DeliveryError
from bot.usecases.mentors import PROFILE_FORM_ID

log = logging.getLogger(__name__)

PLATFORM = "discord"
TOKEN_LIFETIME = 15 * 60.0
TOKEN_MARGIN = 15.0
"""Stop using an interaction token this long before Discord stops accepting it."""
AUTOCOMPLETE_BUDGET = 2.0
MAX_IMPORT_BYTES = 2_000_000

NOT_IN_DMS = ("I work inside your community's server: please use /intro and /mentor there, "
              "and I'll answer you privately.")
OTHER_SERVER = ("That button belongs to another server's program, so I can't use it here. "
                "Open it from the server it came from.")
FORGOTTEN_FORM = "That form has expired. Please run the command again to get a fresh one."
FAILED = ("Sorry — something went wrong on my side. Please try again in a minute; if it keeps "
          "happening, let your program admins know.")
BAD_OPTION = "I couldn't use one of the options you gave. Please pick a value from the list."
IMPORT_TOO_BIG = ("That file is bigger than I can read ({size} KB). Split the CSV into files "
                  "of at most 2 MB and import them one by one.")
IMPORT_UNREADABLE = "I couldn't read that file as text. Please upload a CSV saved as UTF-8."
LATE_NOTE = "(Here's the answer to your last command — it took me a while.)"


def platform_user(user: discord.abc.User, *, admin: bool = False) -> PlatformUser:
    return PlatformUser(
        user_id=str(user.id),
        display_name=user.display_name,
        handle=user.name,
        is_platform_admin=admin,
    )


class FormMemory:
    """Forms recently shown to each member, to reopen one later (the next page, a fix after
    a refused submit, a form offered by button). A convenience, not state anything depends
    on: a form no longer remembered is fetched again or the member starts again."""

    def __init__(self, size: int = 5000) -> None:
        self._size = size
        self._forms: OrderedDict[tuple[int, int, str], Form] = OrderedDict()

    def remember(self, user_id: int, guild_id: int, form: Form) -> None:
        key = (user_id, guild_id, form.form_id)
        self._forms[key] = form
        self._forms.move_to_end(key)
        while len(self._forms) > self._size:
            self._forms.popitem(last=False)

    def recall(self, user_id: int, guild_id: int, form_id: str) -> Form | None:
        return self._forms.get((user_id, guild_id, form_id))


class InteractionRouter:
    """Turns interactions into core calls and answers them; see the module docstring."""

    def __init__(
        self,
        program: IntroProgram,
        notifier: DiscordNotifier,
        *,
        defer_after: float = 1.0,
        clock: Callable[[], float] = time.time,
        forms: FormMemory | None = None,
    ) -> None:
        self._program = program
        self._notifier = notifier
        self._defer_after = defer_after
        self._clock = clock
        self._forms = forms or FormMemory()
        self._deliveries: set[asyncio.Task[None]] = set()
        self._answering = 0

    # ------------------------------------------------------------------ who and where

    def invocation(
        self, interaction: discord.Interaction[Any], claimed_guild: int | None = None
    ) -> Invocation | str:
        """The invocation, or the reason to refuse it."""
        here = interaction.guild_id
        if here is None and claimed_guild is None:
            return NOT_IN_DMS
        if here is not None and claimed_guild is not None and here != claimed_guild:
            return OTHER_SERVER
        guild_id = here if here is not None else claimed_guild
        assert guild_id is not None
        guild = interaction.guild or interaction.client.get_guild(guild_id)
        name = getattr(guild, "name", None) or ""
        admin = False
        if here is not None:
            permissions = interaction.permissions
            admin = permissions.manage_guild or permissions.administrator
        return Invocation(
            community=CommunityKey(PLATFORM, str(guild_id), name),
            user=platform_user(interaction.user, admin=admin),
        )

    # ------------------------------------------------------------------ entry points

    async def command(
        self,
        interaction: discord.Interaction[Any],
        root: str,
        text: str,
        *,
        mentioned: Sequence[discord.abc.User | None] = (),
        prefill: dict[str, str] | None = None,
    ) -> None:
        """A slash command, in the core's text form (`root` intro/mentor, then `text`)."""
        inv = self.invocation(interaction)
        if isinstance(inv, str):
            await self._refuse(interaction, inv)
            return
        people = [platform_user(u) for u in mentioned if u is not None and not u.bot]
        community = inv.community

        def work() -> Outcome:
            for person in people:
                self._program.ensure_member(community, person)
            return self._program.command(inv, root, text)

        await self._answer(interaction, inv, work, prefill=prefill)

    async def press(
        self, interaction: discord.Interaction[Any], guild_id: int, action_id: str
    ) -> None:
        """A core button (`views.ActionButton`)."""
        try:
            inv = self.invocation(interaction, guild_id)
            if isinstance(inv, str):
                await self._refuse(interaction, inv)
                return
            await self._answer(interaction, inv, lambda: self._program.action(inv, action_id))
        except Exception as exc:
            await report_error(interaction, exc)

    async def open_form(
        self, interaction: discord.Interaction[Any], guild_id: int, page: int, form_id: str
    ) -> None:
        """A button that opens a form (`views.FormButton`)."""
        try:
            inv = self.invocation(interaction, guild_id)
            if isinstance(inv, str):
                await self._refuse(interaction, inv)
                return
            form = self._forms.recall(interaction.user.id, guild_id, form_id)
            if form is not None:
                await interaction.response.send_modal(build_modal(form, page, guild_id))
            elif form_id == PROFILE_FORM_ID:
                await self._answer(interaction, inv,
                                   lambda: self._program.command(inv, "mentor", "profile"),
                                   form_page=page)
            else:
                await self._send(interaction, text_only(FORGOTTEN_FORM), deferred=False)
        except Exception as exc:
            await report_error(interaction, exc)

    async def modal_submitted(self, interaction: discord.Interaction[Any]) -> bool:
        """A modal submit; False when the modal isn't one of ours."""
        data: dict[str, Any] = dict(interaction.data or {})
        address = parse_modal_custom_id(str(data.get("custom_id", "")))
        if address is None:
            return False
        try:
            inv = self.invocation(interaction, address.guild_id)
            if isinstance(inv, str):
                await self._refuse(interaction, inv)
                return True
            form = self._forms.recall(interaction.user.id, address.guild_id, address.form_id)
            values = submitted_values(data.get("components") or [])
            if form is not None and address.page < len(pages_of(form)):
                values = page_values(form, address.page, values)
            command = command_forms.command_text(address.form_id, values)
            if command_forms.is_command_form(address.form_id) and command is None:
                await self._send(interaction, text_only(FORGOTTEN_FORM), deferred=False)
                return True

            def work() -> Outcome:
                if command is not None:
                    return self._program.command(inv, *command)
                return self._program.submit(inv, address.form_id, values)

            await self._answer(interaction, inv, work, submitted=(address, values, form))
        except Exception as exc:
            await report_error(interaction, exc)
        return True

    async def open_command_form(self, interaction: discord.Interaction[Any], form: Form) -> None:
        """Open one of the adapter's command forms (`forms`), e.g. scheduling."""
        inv = self.invocation(interaction)
        if isinstance(inv, str):
            await self._refuse(interaction, inv)
            return
        guild_id = int(inv.community.external_id)
        self._forms.remember(interaction.user.id, guild_id, form)
        await interaction.response.send_modal(build_modal(form, 0, guild_id))

    async def import_csv(
        self, interaction: discord.Interaction[Any], attachment: discord.Attachment | None
    ) -> None:
        """`/intro admin import` with an uploaded CSV (without one, the core explains)."""
        if attachment is None:
            await self.command(interaction, "intro", "admin import")
            return
        inv = self.invocation(interaction)
        if isinstance(inv, str):
            await self._refuse(interaction, inv)
            return
        if attachment.size > MAX_IMPORT_BYTES:
            text = IMPORT_TOO_BIG.format(size=attachment.size // 1000)
            await self._send(interaction, text_only(text), deferred=False)
            return
        self._answering += 1
        try:
            deferred = await self._defer(interaction)
            try:
                content = (await attachment.read()).decode("utf-8-sig")
            except UnicodeDecodeError:
                await self._send(interaction, text_only(IMPORT_UNREADABLE), deferred=deferred)
                return
            outcome = await asyncio.to_thread(self._program.import_text, inv, content)
            await self._reply(interaction, inv, outcome, deferred)
            self._deliver_later(inv.community, outcome.dms)
        finally:
            self._answering -= 1

    async def suggest(
        self, interaction: discord.Interaction[Any], kind: str, current: str
    ) -> list[tuple[str, str]]:
        """Autocomplete suggestions as ``(value, name)``, clipped to Discord's limits; empty
        when there is nothing to suggest or the core is too slow to answer in time."""
        inv = self.invocation(interaction)
        if isinstance(inv, str):
            return []
        try:
            pairs = await asyncio.wait_for(
                asyncio.to_thread(self._program.suggest, inv, kind, str(current or "")),
                AUTOCOMPLETE_BUDGET,
            )
        except TimeoutError:
            log.warning("suggestions for %s took longer than %.1f s", kind, AUTOCOMPLETE_BUDGET)
            return []
        return [
            (value, clip(name, L.CHOICE_NAME))
            for value, name in pairs
            if value and len(value) <= L.CHOICE_VALUE
        ][: L.CHOICES]

    # ------------------------------------------------------------------ answering

    def _budget(self, interaction: discord.Interaction[Any]) -> float:
        """How long the core may take before deferring: `defer_after`, less the time the
        interaction already spent reaching us (counted at most half, so a host clock a little
        ahead of Discord's does not make every answer a deferred one)."""
        elapsed = self._clock() - interaction.created_at.timestamp()
        return self._defer_after - min(max(0.0, elapsed), self._defer_after / 2)

    def _expired(self, interaction: discord.Interaction[Any]) -> bool:
        age = self._clock() - interaction.created_at.timestamp()
        return age > TOKEN_LIFETIME - TOKEN_MARGIN

    async def _answer(
        self,
        interaction: discord.Interaction[Any],
        inv: Invocation,
        work: Callable[[], Outcome],
        *,
        prefill: dict[str, str] | None = None,
        form_page: int = 0,
        submitted: tuple[ModalAddress, dict[str, str], Form | None] | None = None,
    ) -> None:
        self._answering += 1
        try:
            outcome, deferred = await self._work_or_defer(interaction, work)
            await self._reply(interaction, inv, outcome, deferred, prefill=prefill,
                              form_page=form_page, submitted=submitted)
            self._deliver_later(inv.community, outcome.dms)
        finally:
            self._answering -= 1

    async def _work_or_defer(
        self, interaction: discord.Interaction[Any], work: Callable[[], Outcome]
    ) -> tuple[Outcome, bool | None]:
        """Run `work` in a worker thread; if it is not done within the budget, defer the
        interaction meanwhile. The outcome, and whether it was deferred (None: too late to).

        A timer starts the deferral instead of a wait with a timeout: the common, fast
        answer then costs the event loop one wake-up, not three (no task around the worker,
        no waiter) — the loop shares the interpreter with the workers' searches."""
        loop = asyncio.get_running_loop()
        pending = loop.run_in_executor(None, contextvars.copy_context().run, work)
        deferring: asyncio.Future[bool | None] | None = None

        def defer_if_still_working() -> None:
            nonlocal deferring
            if not pending.done():
                deferring = asyncio.ensure_future(self._defer(interaction))

        timer = loop.call_later(self._budget(interaction), defer_if_still_working)
        try:
            outcome = await pending
        finally:
            timer.cancel()
            deferred = await deferring if deferring is not None else False
        return outcome, deferred

    async def _defer(self, interaction: discord.Interaction[Any]) -> bool | None:
        """Defer ephemerally: True, or None when Discord no longer takes a response."""
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
        except discord.NotFound:
            log.warning("interaction %s expired before it could be deferred", interaction.id)
            return None
        return True

    async def _reply(
        self,
        interaction: discord.Interaction[Any],
        inv: Invocation,
        outcome: Outcome,
        deferred: bool | None,
        *,
        prefill: dict[str, str] | None = None,
        form_page: int = 0,
        submitted: tuple[ModalAddress, dict[str, str], Form | None] | None = None,
    ) -> None:
        guild_id = int(inv.community.external_id)
        user_id = interaction.user.id
        messages: list[Outgoing]
        if outcome.form is not None:
            form = with_values(outcome.form, prefill) if prefill else outcome.form
            self._forms.remember(user_id, guild_id, form)
            if deferred is False and interaction.type is not discord.InteractionType.modal_submit:
                await interaction.response.send_modal(build_modal(form, form_page, guild_id))
                return
            label = "Review and send" if submitted is not None else "Open the form"
            messages = form_prompt(form, guild_id, outcome.reply, form_page, label)
        elif outcome.field_errors:
            form_id = submitted[0].form_id if submitted is not None else ""
            known = submitted[2] if submitted is not None else None
            if known is not None and submitted is not None:
                known = with_values(known, submitted[1])
                self._forms.remember(user_id, guild_id, known)
            messages = field_errors_prompt(known, outcome.field_errors, guild_id, form_id)
        else:
            extra: list[list[FormSpec]] = []
            if submitted is not None:
                address, values, known = submitted
                pages = len(pages_of(known)) if known is not None else address.pages
                if outcome.ok and address.page + 1 < pages:
                    label = f"Continue ({address.page + 2}/{pages})"
                    extra.append([FormSpec(guild_id, address.page + 1, address.form_id,
                                           label)])
                elif (not outcome.ok and known is not None
                      and command_forms.is_command_form(address.form_id)):
                    self._forms.remember(user_id, guild_id, with_values(known, values))
                    extra.append([FormSpec(guild_id, address.page, address.form_id,
                                           "Try again")])
            reply = outcome.reply or Message(text="Done.")
            messages = render_message(reply, guild_id, extra_rows=extra)
        await self._send(interaction, messages, deferred)

    async def _send(
        self,
        interaction: discord.Interaction[Any],
        messages: Sequence[Outgoing],
        deferred: bool | None,
    ) -> None:
        """The first message as the response (or the deferred response's edit), the rest as
        followups; by DM when the interaction can no longer be answered."""
        if deferred is None or self._expired(interaction):
            await self._by_dm(interaction, messages)
            return
        first, rest = messages[0], list(messages[1:])
        try:
            if deferred:
                await interaction.edit_original_response(**_edit_kwargs(first))
            else:
                await interaction.response.send_message(**_send_kwargs(first), ephemeral=True)
        except discord.HTTPException as exc:
            if exc.status not in (401, 404):
                raise
            log.warning("interaction %s could not be answered (%s); sending a DM",
                        interaction.id, exc.code)
            await self._by_dm(interaction, messages)
            return
        for index, item in enumerate(rest):
            if self._expired(interaction):
                await self._by_dm(interaction, rest[index:])
                return
            await interaction.followup.send(**_send_kwargs(item), ephemeral=True)

    async def _by_dm(
        self, interaction: discord.Interaction[Any], messages: Sequence[Outgoing]
    ) -> None:
        late = [Outgoing(content=LATE_NOTE), *messages]
        await self._notifier.send_to_user(interaction.user.id, late)

    async def _refuse(self, interaction: discord.Interaction[Any], text: str) -> None:
        await self._send(interaction, text_only(text), deferred=False)

    # ------------------------------------------------------------------ DMs

    def _deliver_later(self, community: CommunityKey, dms: Sequence[DirectMessage]) -> None:
        if not dms:
            return
        task = asyncio.create_task(self._deliver(community, list(dms)))
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)

    async def _deliver(self, community: CommunityKey, dms: list[DirectMessage]) -> None:
        for dm in dms:
            try:
                await self._notifier.deliver(community, dm)
            except DeliveryError as exc:
                log.warning("a %s DM was not delivered: %s", dm.kind, exc.reason)
            except Exception:
                log.exception("a %s DM failed", dm.kind)

    async def drain(self) -> None:
        """Wait until interactions under way are answered and the DMs they caused are
        delivered (at shutdown, and in tests)."""
        while self._answering or self._deliveries:
            if self._deliveries:
                await asyncio.gather(*list(self._deliveries), return_exceptions=True)
            else:
                await asyncio.sleep(0.01)


def _send_kwargs(item: Outgoing) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"allowed_mentions": discord.AllowedMentions.none()}
    if item.content:
        kwargs["content"] = clip(item.content, L.CONTENT)
    if item.embeds:
        kwargs["embeds"] = item.embeds
    view = item.view()
    if view is not None:
        kwargs["view"] = view
    if item.attachments:
        kwargs["files"] = item.files()
    return kwargs


def _edit_kwargs(item: Outgoing) -> dict[str, Any]:
    return {
        "content": clip(item.content, L.CONTENT) or None,
        "embeds": item.embeds,
        "view": item.view(),
        "attachments": item.files(),
        "allowed_mentions": discord.AllowedMentions.none(),
    }


async def report_error(interaction: discord.Interaction[Any], error: Exception) -> None:
    """The one error handler: log what went wrong and tell the person kindly, in whatever
    way the interaction can still be answered. Domain refusals never get here (the core
    returns them as replies)."""
    original = getattr(error, "original", None) or error
    if isinstance(error, app_commands.TransformerError | app_commands.CheckFailure):
        text = BAD_OPTION
        log.info("refused options of interaction %s: %s", interaction.id, error)
    else:
        text = FAILED
        log.error("interaction %s failed", interaction.id, exc_info=original)
    if interaction.type is discord.InteractionType.autocomplete:
        return
    try:
        response = interaction.response
        if not response.is_done():
            await response.send_message(text, ephemeral=True)
        elif response.type is discord.InteractionResponseType.deferred_channel_message:
            await interaction.edit_original_response(content=text, embeds=[], view=None)
        elif response.type is not discord.InteractionResponseType.modal:
            await interaction.followup.send(text, ephemeral=True)
    except (discord.HTTPException, discord.InteractionResponded) as exc:
        log.warning("could not report the failure of interaction %s: %s", interaction.id, exc)

