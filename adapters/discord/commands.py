"""The `/intro` and `/mentor` app commands, with typed options and autocomplete.

Each command builds the core's text form of itself from its options (people as ``<@id>``
mentions, filter values quoted) and hands it to the router: the core's parser is the one
place that knows the commands' rules. Admin commands are visible to everyone in the list;
the core decides who may use them.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from adapters.discord.forms import schedule_form
from adapters.discord.limits import clip
from adapters.discord.views import router_of
from bot.commands import USAGE
from bot.domain import FORMAT_LABELS, MeetingFormat
from bot.program_settings import SPECS

Choice = app_commands.Choice
RequestId = app_commands.Range[int, 1, 2**53 - 1]

FORMAT_CHOICES = [Choice(name=FORMAT_LABELS[f], value=f.value) for f in MeetingFormat]
EXPORT_CHOICES = [Choice(name="Requests", value="requests"),
                  Choice(name="Mentors", value="mentors")]
SETTING_CHOICES = [Choice(name=clip(f"{key} — {spec.help}", 100), value=key)
                   for key, spec in SPECS.items()][:25]
HELP_TOPICS = [key.removeprefix("intro ") for key in USAGE]

_QUOTES = str.maketrans({'"': "'", "\u201c": "'", "\u201d": "'", "\u201e": "'"})


def quoted(value: str) -> str:
    """`value` as one word of the command language (quoted; quote marks inside made plain)."""
    return '"' + " ".join(value.translate(_QUOTES).split()) + '"'


def words(*parts: str | None) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def mention(user: discord.abc.User) -> str:
    return f"<@{user.id}>"


async def _request_choices(
    interaction: discord.Interaction[Any], current: Any
) -> list[Choice[int]]:
    found = await router_of(interaction).suggest(interaction, "request", str(current or ""))
    return [Choice(name=name, value=int(value)) for value, name in found if value.isdigit()]


async def _text_choices(
    interaction: discord.Interaction[Any], kind: str, current: str
) -> list[Choice[str]]:
    found = await router_of(interaction).suggest(interaction, kind, current)
    return [Choice(name=name, value=value) for value, name in found]


class IntroAdminCommands(app_commands.Group, name="admin",
                         description="Program admin tools: stats, exports, imports, settings"):
    def __init__(self, parent: app_commands.Group) -> None:
        super().__init__(parent=parent)

    async def _run(self, interaction: discord.Interaction[Any], text: str,
                   *people: discord.abc.User) -> None:
        await router_of(interaction).command(interaction, "intro", text, mentioned=people)

    @app_commands.command(name="stats", description="How the program is going")
    @app_commands.describe(days="How many days back (30 unless you say)")
    async def stats(self, interaction: discord.Interaction[Any],
                    days: app_commands.Range[int, 1, 3650] | None = None) -> None:
        await self._run(interaction, words("admin stats", str(days) if days else None))

    @app_commands.command(name="export", description="A CSV file of requests or mentors")
    @app_commands.describe(kind="What to export")
    @app_commands.choices(kind=EXPORT_CHOICES)
    async def export(self, interaction: discord.Interaction[Any], kind: Choice[str]) -> None:
        await self._run(interaction, words("admin export", kind.value))

    @app_commands.command(name="import", description="Invite mentors from a CSV file")
    @app_commands.describe(file="A CSV with a header: handle, display_name, headline, ...")
    async def import_(self, interaction: discord.Interaction[Any],
                      file: discord.Attachment | None = None) -> None:
        await router_of(interaction).import_csv(interaction, file)

    @app_commands.command(name="config", description="Show or change a program setting")
    @app_commands.describe(key="The setting (leave empty to see them all)",
                           value="Its new value (leave empty to see the current one)")
    @app_commands.choices(key=SETTING_CHOICES)
    async def config(self, interaction: discord.Interaction[Any],
                     key: Choice[str] | None = None, value: str | None = None) -> None:
        shown = key.value if key else None
        await self._run(interaction, words("admin config", shown, value if shown else None))

    @app_commands.command(name="block", description="Stop a member from using the program")
    @app_commands.describe(member="Who to block")
    async def block(self, interaction: discord.Interaction[Any], member: discord.User) -> None:
        await self._run(interaction, words("admin block", mention(member)), member)

    @app_commands.command(name="unblock", description="Let a blocked member back in")
    @app_commands.describe(member="Who to let back in")
    async def unblock(self, interaction: discord.Interaction[Any], member: discord.User) -> None:
        await self._run(interaction, words("admin unblock", mention(member)), member)


@app_commands.guild_only()
class IntroCommands(app_commands.Group, name="intro",
                    description="Find alumni mentors and ask them for a short advice chat"):
    def __init__(self) -> None:
        super().__init__()
        self.admin = IntroAdminCommands(parent=self)

    async def _run(self, interaction: discord.Interaction[Any], text: str,
                   *people: discord.abc.User, prefill: dict[str, str] | None = None) -> None:
        await router_of(interaction).command(interaction, "intro", text, mentioned=people,
                                             prefill=prefill)

    @app_commands.command(name="help", description="What I do, the etiquette, every command")
    @app_commands.describe(topic="A command to explain, e.g. find or admin stats")
    async def help(self, interaction: discord.Interaction[Any], topic: str | None = None) -> None:
        await self._run(interaction, words("help", topic))

    @help.autocomplete("topic")
    async def _help_topics(self, interaction: discord.Interaction[Any],
                           current: str) -> list[Choice[str]]:
        typed = current.strip().lower()
        return [Choice(name=t, value=t) for t in HELP_TOPICS if typed in t][:25]

    @app_commands.command(name="find", description="Available mentors, best fit first")
    @app_commands.describe(keywords="What you want to learn about, e.g. product climate",
                           industry="Only mentors in this industry",
                           company="Only mentors at this company")
    async def find(self, interaction: discord.Interaction[Any], keywords: str | None = None,
                   industry: str | None = None, company: str | None = None) -> None:
        await self._run(interaction, words(
            "find", keywords,
            f"industry:{quoted(industry)}" if industry and industry.strip() else None,
            f"company:{quoted(company)}" if company and company.strip() else None,
        ))

    @find.autocomplete("industry")
    async def _industries(self, interaction: discord.Interaction[Any],
                          current: str) -> list[Choice[str]]:
        return await _text_choices(interaction, "industry", current)

    @find.autocomplete("company")
    async def _companies(self, interaction: discord.Interaction[Any],
                         current: str) -> list[Choice[str]]:
        return await _text_choices(interaction, "company", current)

    @app_commands.command(name="request", description="Ask a mentor for a short advice chat")
    @app_commands.describe(mentor="The mentor you'd like to meet",
                           topic="What you'd like to learn (you can edit it in the form)",
                           format="How you'd like to meet")
    @app_commands.choices(format=FORMAT_CHOICES)
    async def request(self, interaction: discord.Interaction[Any], mentor: discord.User,
                      topic: str | None = None, format: Choice[str] | None = None) -> None:
        prefill = {"format": format.value} if format else None
        await self._run(interaction, words("request", mention(mentor), topic), mentor,
                        prefill=prefill)

    @app_commands.command(name="list", description="Your requests and what comes next")
    async def list_(self, interaction: discord.Interaction[Any]) -> None:
        await self._run(interaction, "list")

    @app_commands.command(name="cancel", description="Withdraw a request you sent")
    @app_commands.describe(request="The request number")
    async def cancel(self, interaction: discord.Interaction[Any], request: RequestId) -> None:
        await self._run(interaction, words("cancel", str(request)))

    @app_commands.command(name="schedule", description="Record the time you agreed")
    @app_commands.describe(request="The request number",
                           when="When you meet, e.g. tomorrow 15:00 (leave empty for a form)",
                           minutes="How long (the program's default unless you say)")
    async def schedule(self, interaction: discord.Interaction[Any], request: RequestId,
                       when: str | None = None,
                       minutes: app_commands.Range[int, 5, 240] | None = None) -> None:
        if not when or not when.strip():
            await router_of(interaction).open_command_form(interaction,
                                                           schedule_form(request))
            return
        length = f"for {minutes}min" if minutes else None
        await self._run(interaction, words("schedule", str(request), when, length))

    @app_commands.command(name="done", description="Log that the meeting happened")
    @app_commands.describe(request="The request number", learned="What you learned")
    async def done(self, interaction: discord.Interaction[Any], request: RequestId,
                   learned: str | None = None) -> None:
        await self._run(interaction, words("done", str(request), learned))

    @app_commands.command(name="followup", description="Track a follow-up with a reminder")
    @app_commands.describe(request="The request number",
                           text="The follow-up, e.g. read the book they suggested",
                           in_days="Remind me in this many days")
    async def followup(self, interaction: discord.Interaction[Any], request: RequestId,
                       text: str, in_days: app_commands.Range[int, 1, 365] | None = None) -> None:
        when = f"in {in_days} days" if in_days else None
        await self._run(interaction, words("followup", str(request), text, when))

    @app_commands.command(name="thanks", description="Mark your thank-you as sent")
    @app_commands.describe(request="The request number")
    async def thanks(self, interaction: discord.Interaction[Any], request: RequestId) -> None:
        await self._run(interaction, words("thanks", str(request)))

    @app_commands.command(name="prep", description="A checklist and questions for your meeting")
    @app_commands.describe(request="The request number (your next meeting unless you say)")
    async def prep(self, interaction: discord.Interaction[Any],
                   request: RequestId | None = None) -> None:
        await self._run(interaction, words("prep", str(request) if request else None))

    @cancel.autocomplete("request")
    @schedule.autocomplete("request")
    @done.autocomplete("request")
    @followup.autocomplete("request")
    @thanks.autocomplete("request")
    @prep.autocomplete("request")
    async def _requests(self, interaction: discord.Interaction[Any],
                        current: Any) -> list[Choice[int]]:
        return await _request_choices(interaction, current)

    @app_commands.command(name="connect", description="A warm intro between two members")
    @app_commands.describe(seeker="Who wants advice", mentor="Who could give it",
                           note="Why they should meet")
    async def connect(self, interaction: discord.Interaction[Any], seeker: discord.User,
                      mentor: discord.User, note: str | None = None) -> None:
        await self._run(interaction, words("connect", mention(seeker), mention(mentor), note),
                        seeker, mentor)

    @app_commands.command(name="my-data", description="Everything the program keeps about you")
    async def my_data(self, interaction: discord.Interaction[Any]) -> None:
        await self._run(interaction, "my-data")

    @app_commands.command(name="forget-me", description="Erase your personal data")
    @app_commands.describe(confirm="True once you are sure")
    async def forget_me(self, interaction: discord.Interaction[Any],
                        confirm: bool = False) -> None:
        await self._run(interaction, words("forget-me", "confirm" if confirm else None))


@app_commands.guild_only()
class MentorCommands(app_commands.Group, name="mentor",
                     description="Your mentor profile, availability and requests"):
    async def _run(self, interaction: discord.Interaction[Any], text: str) -> None:
        await router_of(interaction).command(interaction, "mentor", text)

    @app_commands.command(name="help", description="The mentor commands")
    async def help(self, interaction: discord.Interaction[Any]) -> None:
        await self._run(interaction, "help")

    @app_commands.command(name="join", description="Become a mentor: fill in your profile")
    async def join(self, interaction: discord.Interaction[Any]) -> None:
        await self._run(interaction, "join")

    @app_commands.command(name="profile", description="Edit your mentor profile")
    async def profile(self, interaction: discord.Interaction[Any]) -> None:
        await self._run(interaction, "profile")

    @app_commands.command(name="on", description="Take new requests again")
    async def on(self, interaction: discord.Interaction[Any]) -> None:
        await self._run(interaction, "on")

    @app_commands.command(name="off", description="Stop taking new requests for now")
    async def off(self, interaction: discord.Interaction[Any]) -> None:
        await self._run(interaction, "off")

    @app_commands.command(name="away", description="Pause until a date; you come back by itself")
    @app_commands.describe(until="A date, e.g. 2026-08-01 or next monday")
    async def away(self, interaction: discord.Interaction[Any], until: str) -> None:
        await self._run(interaction, words("away", until))

    @app_commands.command(name="capacity", description="How many intros you take a month")
    @app_commands.describe(intros="Intros per month, 1 to 50")
    async def capacity(self, interaction: discord.Interaction[Any],
                       intros: app_commands.Range[int, 1, 50]) -> None:
        await self._run(interaction, words("capacity", str(intros)))

    @app_commands.command(name="requests", description="Requests waiting for your answer")
    async def requests(self, interaction: discord.Interaction[Any]) -> None:
        await self._run(interaction, "requests")

    @app_commands.command(name="leave", description="Stop being a mentor")
    async def leave(self, interaction: discord.Interaction[Any]) -> None:
        await self._run(interaction, "leave")


def command_groups() -> list[app_commands.Group]:
    """Fresh `/intro` and `/mentor` groups (handlers find the router through the client)."""
    return [IntroCommands(), MentorCommands()]
