"""The core's front door: adapters hand it commands, button presses and form submissions.

Each call is one transaction: resolve the actor, parse, run one use case, commit. Refusals
(`IntrobotError`) roll back and come back as a friendly reply, so adapters handle errors in
one place without knowing the rules.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime

from bot import commands as c
from bot.clock import Clock
from bot.context import Actor, CommunityKey, Invocation, PlatformUser
from bot.demand import DemandLog
from bot.domain import ClaimedReminder, Community, Member
from bot.errors import IntrobotError, InvalidInput, UsageError
from bot.messages import DirectMessage, Message, Outcome
from bot.ports import UnitOfWork, UnitOfWorkFactory
from bot.texts import HELP_INTRO, HELP_MENTOR
from bot.usecases import (
    admin,
    connect,
    delivery,
    home,
    meetings,
    mentor_import,
    mentors,
    privacy,
    requests,
    suggest,
    sweep,
)
from bot.usecases.common import lookup_actor, resolve_actor, resolve_mention
from bot.usecases.reminder_messages import render_reminder, render_reminders

log = logging.getLogger(__name__)

_ACTION = re.compile(r"^(?P<scope>[a-z]+):(?P<verb>[a-z-]+):(?P<id>\d{1,18})$")
_FORM = re.compile(r"^(?P<scope>[a-z]+):(?P<arg>[a-z0-9]+)(?::(?P<flag>[a-z]+))?$")
_DIGEST_MEMO_LIMIT = 100_000


class IntroProgram:
    """Every use case, behind three entry points: `command`, `action`, `submit`."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        admin_ids: frozenset[str] = frozenset(),
        import_reader: Callable[[str], str] | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._admin_ids = admin_ids
        self._import_reader = import_reader
        self._known_digest_keys: set[str] = set()
        self._demand = DemandLog()
        self._known_communities: dict[tuple[str, str], Community] = {}

    # ------------------------------------------------------------ entry points

    def command(self, inv: Invocation, root: str, text: str) -> Outcome:
        """A slash command in its Slack text form: root ``intro``/``mentor``, then text.
        Searches and help run in a read-only unit of work (on SQLite they then neither wait
        for writers nor hold others up) unless the member must first be created or updated."""
        def work(uow: UnitOfWork, actor: Actor) -> Outcome:
            return self._command(uow, actor, root, text)

        outcome = self._run_reading(inv, work) if _reads_only(root, text) else None
        if outcome is None:
            outcome = self._run(inv, work)
        if self._demand.full:  # after the command's own transaction has ended
            self.flush_searches()
        return outcome

    def action(self, inv: Invocation, action_id: str) -> Outcome:
        """A button press; `action_id` is the stable id the core put on the button."""
        return self._run(inv, lambda uow, actor: self._action(uow, actor, action_id))

    def submit(self, inv: Invocation, form_id: str, values: dict[str, str]) -> Outcome:
        """A form (modal) submission."""
        return self._run(inv, lambda uow, actor: self._submit(uow, actor, form_id, values),
                         form=True)

    def find_member(self, community: CommunityKey, handle: str) -> Member | None:
        """A member by handle or display name (console `/as`, adapters' lookups)."""
        with self._uow_factory() as uow:
            found = uow.communities.get_or_create(
                community.platform, community.external_id, community.name, self._clock.now(),
            )
            assert found.id is not None
            member = uow.members.by_handle(found.id, handle)
            uow.commit()
        if member is None or member.erased_at is not None:
            return None
        return member

    def ensure_member(self, community: CommunityKey, user: PlatformUser) -> None:
        """Make sure `user` is a member (adapters call it for people @mentioned in a command,
        so the command can name someone who never spoke to the bot)."""
        with self._uow_factory() as uow:
            resolve_actor(uow, Invocation(community, user), self._clock.now(), self._admin_ids)
            uow.commit()

    def home(self, inv: Invocation) -> Message:
        """The member's home page (Slack App Home): availability, requests, stats."""
        with self._uow_factory() as uow:
            try:
                actor = resolve_actor(uow, inv, self._clock.now(), self._admin_ids)
                page = home.home_page(uow, actor, self._clock.now())
            except IntrobotError as exc:
                uow.rollback()
                return Message(text=exc.message)
            uow.commit()
        return page

    def home_action(self, inv: Invocation, action_id: str) -> Outcome:
        """A `home:*` button of the home page (availability toggle, become a mentor)."""
        return self._run(
            inv, lambda uow, actor: home.home_action(uow, actor, action_id, self._clock.now())
        )

    # ------------------------------------------------------------ plumbing

    def _run_reading(
        self, inv: Invocation, work: Callable[[UnitOfWork, Actor], Outcome]
    ) -> Outcome | None:
        """`work` in a read-only unit of work; None when the actor is not stored as the
        invocation shows them (then `_run` creates or updates them first)."""
        with self._uow_factory(read_only=True) as uow:
            actor = lookup_actor(uow, inv, self._admin_ids, self._known_communities)
            if actor is None:
                return None
            try:
                return work(uow, actor)
            except IntrobotError as exc:
                return Outcome(reply=Message(text=exc.message), ok=False)

    def _run(
        self,
        inv: Invocation,
        work: Callable[[UnitOfWork, Actor], Outcome],
        form: bool = False,
    ) -> Outcome:
        with self._uow_factory() as uow:
            try:
                actor = resolve_actor(uow, inv, self._clock.now(), self._admin_ids)
                outcome = work(uow, actor)
            except IntrobotError as exc:
                uow.rollback()
                if form and isinstance(exc, InvalidInput) and exc.field:
                    return Outcome(field_errors={exc.field: exc.message}, ok=False)
                return Outcome(reply=Message(text=exc.message), ok=False)
            if outcome.field_errors:
                uow.rollback()
                outcome.ok = False
                return outcome
            uow.commit()
            return outcome

    # ------------------------------------------------------------ commands

    def _command(self, uow: UnitOfWork, actor: Actor, root: str, text: str) -> Outcome:
        now = self._clock.now()
        cid = actor.community_id
        cmd = c.parse_command(root, text)
        match cmd:
            case c.Help(topic=topic):
                if topic == "mentor":
                    body = HELP_MENTOR
                elif topic:
                    body = "\n".join(c.usage_lines(topic)) or HELP_INTRO
                else:
                    body = HELP_MENTOR if root.lstrip("/") == "mentor" else HELP_INTRO
                return Outcome(reply=Message(text=body))
            case c.FindMentors(terms=terms, industry=industry, company=company):
                return requests.find_mentors(uow, actor, list(terms), industry, company,
                                             now, record_search=self._demand.record)
            case c.RequestIntro(mentor=mention, topic=topic):
                mentor = resolve_mention(uow, cid, mention)
                return requests.open_request_form(uow, actor, mentor, topic, now)
            case c.ListRequests():
                return requests.list_requests(uow, actor)
            case c.CancelRequest(request_id=rid):
                return requests.cancel_request(uow, actor, rid, now)
            case c.ConnectPeople(seeker=s, mentor=m, note=note):
                seeker = resolve_mention(uow, cid, s)
                mentor = resolve_mention(uow, cid, m)
                return connect.connect_people(uow, actor, seeker, mentor, note, now)
            case c.ShowMyData():
                return privacy.my_data(uow, actor, now)
            case c.ForgetMe(confirmed=confirmed):
                return privacy.forget_me(uow, actor, confirmed, now)
            case c.AdminStats(days=days):
                # Buffered search records count as demand: write them in this transaction.
                events = self._demand.drain()
                for event in events:
                    uow.searches.add(event)
                try:
                    return admin.program_stats(uow, actor, days, now)
                except IntrobotError:
                    self._demand.restore(events)
                    raise
            case c.AdminExport(what=what):
                return admin.export_csv(uow, actor, what, now)
            case c.AdminImport(path=path):
                return self._import(uow, actor, path)
            case c.AdminConfig(key=key, value=value):
                if key is None:
                    return admin.show_config(uow, actor)
                if value is None:
                    raise UsageError(
                        f"Usage: /intro admin config {key} VALUE — or /intro admin config to "
                        "see every setting."
                    )
                return admin.set_config(uow, actor, key, value, now)
            case c.AdminBlock(member=mention, block=block):
                target = resolve_mention(uow, cid, mention)
                if block:
                    return admin.block_member(uow, actor, target, now, self._admin_ids)
                return admin.unblock_member(uow, actor, target, now)
            case c.JoinAsMentor():
                return mentors.open_profile_form(uow, actor, joining=True)
            case c.EditMentorProfile():
                return mentors.open_profile_form(uow, actor, joining=False)
            case c.MentorOn():
                return mentors.set_available(uow, actor, True, now)
            case c.MentorOff():
                return mentors.set_available(uow, actor, False, now)
            case c.MentorAway(until=until):
                return mentors.set_away(uow, actor, until, now)
            case c.MentorCapacity(capacity=capacity):
                return mentors.set_capacity(uow, actor, capacity, now)
            case c.MentorRequests():
                return mentors.pending_requests(uow, actor, now)
            case c.MentorLeave():
                return requests.leave_program(uow, actor, now)
        return self._meeting_command(uow, actor, cmd)

    def _meeting_command(self, uow: UnitOfWork, actor: Actor, cmd: c.Command) -> Outcome:
        """Scheduling, prep, done, follow-ups and thanks (the meetings part of the program)."""
        now = self._clock.now()
        match cmd:
            case c.ScheduleMeeting(request_id=rid, when=when, minutes=minutes):
                return meetings.schedule_meeting(uow, actor, rid, when, minutes, now)
            case c.ShowPrep(request_id=rid):
                return meetings.show_prep(uow, actor, rid, now)
            case c.LogMeetingDone(request_id=rid, learned=learned):
                return meetings.log_done(uow, actor, rid, learned, now)
            case c.AddFollowUp(request_id=rid, text=text, in_days=days):
                return meetings.add_followup(uow, actor, rid, text, days, now)
            case c.MarkThanked(request_id=rid):
                return meetings.thanks(uow, actor, rid, now)
        raise UsageError("I didn't understand that. /intro help lists what you can do.")

    def _import(self, uow: UnitOfWork, actor: Actor, path: str | None) -> Outcome:
        if path is None or self._import_reader is None:
            raise UsageError(
                "Usage: /intro admin import FILE — a CSV of mentors (header: handle, "
                "display_name, headline, industries, ...). In Slack or Discord, upload the "
                "file with the command."
            )
        try:
            content = self._import_reader(path)
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise InvalidInput(
                f"I couldn't read {path} ({reason}). Check the path, and save the file as "
                "UTF-8 CSV with a header row: handle, display_name, headline, industries, ..."
            ) from None
        return mentor_import.import_mentors_csv(uow, actor, content, self._clock.now())

    def import_text(self, inv: Invocation, content: str) -> Outcome:
        """An uploaded CSV of mentors (Slack/Discord file upload)."""
        return self._run(
            inv,
            lambda uow, actor: mentor_import.import_mentors_csv(
                uow, actor, content, self._clock.now()
            ),
        )

    # ------------------------------------------------------------ buttons

    def _action(self, uow: UnitOfWork, actor: Actor, action_id: str) -> Outcome:
        now = self._clock.now()
        match = _ACTION.match(action_id)
        if not match:
            raise UsageError("That button is from an older version of the bot. Please run the "
                             "command again.")
        scope, verb, entity_id = match["scope"], match["verb"], int(match["id"])
        cid = actor.community_id
        if scope == "mentor" and verb == "join":
            return mentors.open_profile_form(uow, actor, joining=True)
        if scope == "intro":
            if verb == "request":
                mentor = uow.members.get(cid, entity_id)
                if mentor is None:
                    raise UsageError("I can't find that mentor any more. Try /intro find again.")
                return requests.open_request_form(uow, actor, mentor, "", now)
            if verb == "accept":
                return requests.accept_request(uow, actor, entity_id, now)
            if verb == "decline":
                return requests.open_decline_form(uow, actor, entity_id, not_now=False)
            if verb == "notnow":
                return requests.open_decline_form(uow, actor, entity_id, not_now=True)
            if verb == "cancel":
                return requests.cancel_request(uow, actor, entity_id, now)
        if scope == "warm" and verb in {"yes", "no"}:
            return connect.mentor_answers(uow, actor, entity_id, verb == "yes", now)
        if scope == "warm" and verb in {"join", "skip"}:
            return connect.seeker_answers(uow, actor, entity_id, verb == "join", now)
        return self._meeting_action(uow, actor, scope, verb, entity_id)

    def _meeting_action(
        self, uow: UnitOfWork, actor: Actor, scope: str, verb: str, entity_id: int
    ) -> Outcome:
        now = self._clock.now()
        match scope, verb:
            case "meeting", "done":
                return meetings.open_done_form(uow, actor, entity_id)
            case "meeting", "snooze":
                return meetings.snooze_checkin(uow, actor, entity_id, now)
            case "meeting", "noshow":
                return meetings.record_no_show(uow, actor, entity_id, now)
            case "meeting", "prep":
                return meetings.show_prep(uow, actor, entity_id, now)
            case "followup", "log":
                return meetings.open_followup_form(uow, actor, entity_id)
            case "followup", "done":
                return meetings.followup_done(uow, actor, entity_id, now)
            case "thanks", "draft":
                return meetings.thanks(uow, actor, entity_id, now)
            case "thanks", "send":
                return meetings.open_thanks_form(uow, actor, entity_id, now)
            case "thanks", "mark":
                return meetings.mark_thanked(uow, actor, entity_id, now)
        raise UsageError("That button is from an older version of the bot. Please run the "
                         "command again.")

    # ------------------------------------------------------------ forms

    def _submit(
        self, uow: UnitOfWork, actor: Actor, form_id: str, values: dict[str, str]
    ) -> Outcome:
        now = self._clock.now()
        if form_id == mentors.PROFILE_FORM_ID:
            return mentors.submit_profile(uow, actor, values, now)
        match = _FORM.match(form_id)
        if not match or not match["arg"].isdigit():
            return self._meeting_submit(uow, actor, form_id, values)
        scope, entity_id, flag = match["scope"], int(match["arg"]), match["flag"]
        if scope == "request":
            mentor = uow.members.get(actor.community_id, entity_id)
            if mentor is None:
                raise UsageError("I can't find that mentor any more. Try /intro find again.")
            return requests.submit_request(uow, actor, mentor, values, flag == "confirm", now)
        if scope == "decline":
            return requests.decline_request(uow, actor, entity_id, values.get("reason", ""), now)
        if scope == "notnow":
            return requests.submit_not_now(uow, actor, entity_id, values.get("days", ""), now)
        return self._meeting_submit(uow, actor, form_id, values)

    def _meeting_submit(
        self, uow: UnitOfWork, actor: Actor, form_id: str, values: dict[str, str]
    ) -> Outcome:
        now = self._clock.now()
        match = _FORM.match(form_id)
        if match and match["arg"].isdigit() and match["flag"] is None:
            scope, request_id = match["scope"], int(match["arg"])
            if scope == "done":
                return meetings.log_done(uow, actor, request_id, values.get("learned", ""),
                                         now)
            if scope == "followup":
                return meetings.submit_followup(uow, actor, request_id, values, now)
            if scope == "thanks":
                return meetings.send_thanks(uow, actor, request_id, values.get("note", ""),
                                            now)
        raise UsageError("That form is from an older version of the bot. Please run the "
                         "command again.")

    # ------------------------------------------------------------ reminders

    def render_reminder(self, item: ClaimedReminder) -> tuple[DirectMessage | None, str]:
        """The DM to send now for a claimed outbox row, built from the current state in its
        own transaction; or (None, reason) when the reminder is moot or too late (the
        dispatcher records it as dropped with that reason)."""
        with self._uow_factory(read_only=True) as uow:
            return render_reminder(uow, item, self._clock.now())

    def render_reminders(
        self, items: Sequence[ClaimedReminder]
    ) -> list[tuple[DirectMessage | None, str]]:
        """`render_reminder` for a claimed batch in one read-only transaction, reading what
        the reminders share once. Raises if any of them cannot be rendered (the caller can
        then render them one by one to isolate it)."""
        if not items:
            return []
        with self._uow_factory(read_only=True) as uow:
            return render_reminders(uow, items, self._clock.now())

    def flush_searches(self) -> int:
        """Write the buffered anonymous search records (see bot.demand); returns how many."""
        events = self._demand.drain()
        if not events:
            return 0
        try:
            with self._uow_factory() as uow:
                uow.searches.add_many(events)
                uow.commit()
        except Exception:
            self._demand.restore(events)
            raise
        return len(events)

    def sweep(self, now: datetime | None = None) -> int:
        """Periodic work for every community (expiries, freezes, away-ended, digests): one
        transaction per community. Returns how many things changed or were queued."""
        now = now or self._clock.now()
        self.flush_searches()
        with self._uow_factory() as uow:
            community_ids = [c.id for c in uow.communities.all() if c.id is not None]
        if len(self._known_digest_keys) > _DIGEST_MEMO_LIMIT:
            self._known_digest_keys.clear()
        total = 0
        for community_id in community_ids:
            try:
                with self._uow_factory() as uow:
                    result = sweep.sweep_community(uow, community_id, now,
                                                   self._known_digest_keys)
                    uow.commit()
            except Exception:
                # One community's trouble must not stop the others; the next sweep retries.
                log.exception("periodic work failed for community %s", community_id)
                continue
            self._known_digest_keys.update(result.digest_keys)
            total += result.total
        return total

    # ------------------------------------------------------------ adapters' helpers

    def suggest(self, inv: Invocation, kind: str, prefix: str) -> list[tuple[str, str]]:
        """Autocomplete: ``(value, label)`` pairs for `kind` (industry, company, request)
        matching what the member typed so far; empty when they may not see any."""
        with self._uow_factory() as uow:
            try:
                actor = resolve_actor(uow, inv, self._clock.now(), self._admin_ids)
                found = suggest.suggest(uow, actor, kind, prefix, self._clock.now())
            except IntrobotError:
                uow.rollback()
                return []
            uow.commit()
        return found

    def record_delivery(
        self, community: CommunityKey, member_id: int, kind: str, how: str
    ) -> None:
        """Audit how a DM of `kind` reached member `member_id` when it could not go the
        usual way (``how``: e.g. ``fallback_channel``, ``thread``, ``undeliverable``)."""
        with self._uow_factory() as uow:
            found = uow.communities.get_or_create(
                community.platform, community.external_id, community.name, self._clock.now(),
            )
            assert found.id is not None
            delivery.record_delivery(uow, found.id, member_id, kind, how,
                                     self._clock.now())
            uow.commit()


def _reads_only(root: str, text: str) -> bool:
    """Whether the command only reads (its search record goes to the in-memory buffer)."""
    try:
        command = c.parse_command(root, text)
    except IntrobotError:
        return False  # the writing path reports the mistake as usual
    return isinstance(command, c.FindMentors | c.Help)
