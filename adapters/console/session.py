"""The console adapter: act as any member, type the Slack text form of every command,
see each DM as it is delivered, press buttons by number, fill forms line by line.

Reads lines from any text stream, so a script piped into `introbot console` drives it.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from adapters.console.render import ButtonBoard, render_dm, render_message
from bot.app import IntroProgram
from bot.clock import Clock, ManualClock
from bot.context import CommunityKey, Invocation, PlatformUser
from bot.messages import Attachment, FieldKind, Form, Outcome

CONSOLE_HELP = """\
Console commands:
  /as @handle [Display Name]   act as that member (a new handle joins the community)
  /intro …, /mentor …          the bot's commands, as typed in Slack (/intro help)
  /press N                     press the button numbered [N]
  /clock +2h | +3d | +30m      move the demo clock forward (reminders fall due)
  /whoami                      who you are acting as
  /quit                        leave
While a form is open, answer each field on its own line: an empty line keeps the value
shown in [brackets]; /cancel (or any other /command) abandons the form.
"""

_DURATION = re.compile(r"^\+?(\d{1,4})\s*([mhdw])$")


class ConsoleUser:
    def __init__(self, handle: str, display_name: str, timezone: str | None) -> None:
        self.handle = handle
        self.display_name = display_name
        self.timezone = timezone


class ConsoleSession:
    def __init__(
        self,
        program: IntroProgram,
        clock: Clock,
        out: TextIO,
        files_dir: Path,
        community: CommunityKey | None = None,
        lookup_user: Callable[[str], ConsoleUser | None] | None = None,
        on_clock_moved: Callable[[], list[Outcome]] | None = None,
        echo: bool = False,
    ) -> None:
        self.program = program
        self.clock = clock
        self.out = out
        self.files_dir = files_dir
        self.community = community or CommunityKey("console", "demo", "Demo alumni community")
        self.lookup_user = lookup_user or (lambda handle: None)
        self.on_clock_moved = on_clock_moved
        self.echo = echo
        self.board = ButtonBoard()
        self.user: ConsoleUser | None = None
        self._lines: Iterator[str] = iter(())
        self._pushback: str | None = None

    # ------------------------------------------------------------ I/O

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _read(self, prompt: str) -> str | None:
        if self._pushback is not None:
            line, self._pushback = self._pushback, None
            return line
        self.out.write(prompt)
        self.out.flush()
        try:
            line = next(self._lines)
        except StopIteration:
            self.out.write("\n")
            return None
        line = line.rstrip("\n")
        if self.echo:
            self.out.write(line + "\n")
        return line

    def _save(self, attachment: Attachment) -> Path:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        name = Path(attachment.filename)
        path = self.files_dir / name.name
        copy = 2
        # Two people's copies of one file (e.g. each invite in its own timezone) both stay.
        while path.exists() and path.read_bytes() != attachment.content:
            path = self.files_dir / f"{name.stem}-{copy}{name.suffix}"
            copy += 1
        path.write_bytes(attachment.content)
        return path

    # ------------------------------------------------------------ loop

    def run(self, lines: TextIO) -> None:
        self._lines = iter(lines)
        while True:
            who = f"@{self.user.handle}" if self.user else "(nobody)"
            line = self._read(f"{who}> ")
            if line is None:
                return
            if not self.handle_line(line):
                return

    def handle_line(self, line: str) -> bool:
        """Handle one typed line; False means the person asked to quit."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        word, _, rest = line.partition(" ")
        word = word.lower()
        if word in {"/quit", "/exit"}:
            return False
        if word in {"/help", "/?"}:
            self.say(CONSOLE_HELP)
        elif word == "/as":
            self._switch_user(rest)
        elif word == "/whoami":
            self.say(f"You are @{self.user.handle} ({self.user.display_name})." if self.user
                     else "You're nobody yet: /as @handle")
        elif word == "/press":
            self._press(rest)
        elif word == "/clock":
            self._move_clock(rest)
        elif word in {"/intro", "/mentor"}:
            inv = self._invocation()
            if inv is not None:
                self.show(self.program.command(inv, word[1:], rest), inv)
        else:
            self.say(f"I don't know “{word}”. Bot commands start with /intro or /mentor; "
                     "/help lists the console's own.")
        return True

    def _invocation(self) -> Invocation | None:
        if self.user is None:
            self.say("First choose who you are: /as @handle (for example /as @sam.rivera).")
            return None
        return Invocation(
            community=self.community,
            user=PlatformUser(user_id=self.user.handle, display_name=self.user.display_name,
                              handle=self.user.handle, timezone=self.user.timezone),
        )

    def _switch_user(self, rest: str) -> None:
        try:
            parts = shlex.split(rest)
        except ValueError:
            parts = rest.split()
        if not parts or not parts[0].startswith("@") or len(parts[0]) < 2:
            self.say("Usage: /as @handle [Display Name]")
            return
        handle = parts[0][1:].lower()
        if not re.fullmatch(r"[a-z0-9._-]{1,64}", handle):
            self.say("Handles use letters, digits, dots, dashes and underscores, e.g. @sam.rivera")
            return
        known = self.lookup_user(handle)
        if known is not None:
            self.user = known
        else:
            name = " ".join(parts[1:]) or handle.replace(".", " ").title()
            self.user = ConsoleUser(handle, name[:80], None)
            self.say(f"(@{handle} is new here: joining as {self.user.display_name})")
        self.say(f"You are now @{self.user.handle} ({self.user.display_name}).")

    def _press(self, rest: str) -> None:
        try:
            number = int(rest.strip().lstrip("[").rstrip("]"))
        except ValueError:
            self.say("Usage: /press N — N is the number in [brackets] next to a button.")
            return
        entry = self.board.get(number)
        if entry is None:
            self.say(f"There's no button [{number}] on screen.")
            return
        inv = self._invocation()
        if inv is None:
            return
        button, _owner = entry
        self.say(f"(pressed “{button.label}”)")
        self.show(self.program.action(inv, button.action_id), inv)

    def _move_clock(self, rest: str) -> None:
        match = _DURATION.match(rest.strip().lower())
        if not match:
            self.say("Usage: /clock +30m | +2h | +3d | +1w")
            return
        if not isinstance(self.clock, ManualClock):
            self.say("The clock only moves in the demo.")
            return
        amount, unit = int(match[1]), match[2]
        delta = {"m": timedelta(minutes=amount), "h": timedelta(hours=amount),
                 "d": timedelta(days=amount), "w": timedelta(weeks=amount)}[unit]
        now = self.clock.advance(delta)
        self.say(f"(the clock moves forward to {now:%a %d %b %Y %H:%M} UTC)")
        if self.on_clock_moved is not None:
            for outcome in self.on_clock_moved():
                self.show(outcome, None)

    # ------------------------------------------------------------ output

    def show(self, outcome: Outcome, inv: Invocation | None) -> None:
        owner = self.user.handle if self.user else ""
        if outcome.reply is not None:
            self.say(render_message(outcome.reply, self.board, owner, self._save))
        for dm in outcome.dms:
            self.say(render_dm(dm, self.board, self._save))
        if outcome.form is not None and inv is not None:
            self._fill(outcome.form, inv)

    def _fill(self, form: Form, inv: Invocation) -> None:
        values: dict[str, str] = {}
        errors: dict[str, str] = {}
        current = form
        while True:
            self.say(f"┌ {current.title}")
            if current.intro:
                for line in current.intro.splitlines():
                    self.say(f"│ {line}")
            for field in current.fields:
                if errors and field.field_id not in errors:
                    continue
                if field.field_id in errors:
                    self.say(f"│ ⚠ {errors[field.field_id]}")
                initial = values.get(field.field_id, field.initial)
                label = field.label + ("*" if field.required else "")
                if field.kind is FieldKind.CHOICE and field.choices:
                    options = ", ".join(f"{v} ({label_})" for v, label_ in field.choices)
                    self.say(f"│ {field.label}: one of {options}")
                elif field.hint:
                    self.say(f"│ {field.hint}")
                shown = f" [{initial}]" if initial else ""
                answer = self._read(f"│ {label}{shown}: ")
                if answer is None or answer.strip().lower() == "/cancel":
                    self.say("└ (form abandoned; nothing was sent)")
                    return
                if answer.strip().startswith("/"):
                    # A command typed while a form is open: leave the form, run the command.
                    self.say("└ (form abandoned; nothing was sent)")
                    self._pushback = answer
                    return
                values[field.field_id] = (
                    answer.replace("\\n", "\n") if answer.strip() else initial
                )
            submitted = {f.field_id: values.get(f.field_id, f.initial) for f in current.fields}
            outcome = self.program.submit(inv, current.form_id, submitted)
            if outcome.field_errors:
                errors = outcome.field_errors
                continue
            if outcome.form is not None and outcome.form.form_id != current.form_id:
                # The core asks again (e.g. a lint warning): show its note, refill.
                self.say("└")
                current = outcome.form
                values = {f.field_id: f.initial for f in current.fields}
                errors = {}
                if outcome.reply is not None:
                    self.say(render_message(outcome.reply, self.board, inv.user.user_id,
                                            self._save))
                continue
            self.say("└ sent")
            self.show(outcome, inv)
            return
