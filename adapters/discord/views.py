"""Buttons that work after a restart: every custom_id carries what a press means.

* ``ib:<guild>:<action>`` — a core button; the action id (``intro:accept:42``) goes to
  ``IntroProgram.action``. The guild says which community, because DMs have none.
* ``ibf:<guild>:<page>:<form>`` — open a form (page ``page`` of the core's form ``form``),
  for when a modal can't be the answer (after a modal, or after deferring).
* ``ibm:<guild>:<page>/<pages>:<form>`` — a modal's own custom_id; modal submits are routed
  by it (discord.py forgets modals on restart, so they are never kept in its view store).

One `DynamicItem` class per kind routes every custom_id of that kind, so nothing is
registered per message and nothing is lost when the process restarts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

import discord

if TYPE_CHECKING:
    from adapters.discord.interactions import InteractionRouter

ACTION_TEMPLATE = r"ib:(?P<guild>[0-9]{1,20}):(?P<action>[a-z]+:[a-z-]+:[0-9]{1,18})"
FORM_ID = r"[a-z0-9:_-]{1,60}"
FORM_TEMPLATE = rf"ibf:(?P<guild>[0-9]{{1,20}}):(?P<page>[0-9]):(?P<form>{FORM_ID})"
MODAL_PATTERN = re.compile(
    rf"ibm:(?P<guild>[0-9]{{1,20}}):(?P<page>[0-9])/(?P<pages>[0-9]):(?P<form>{FORM_ID})")


def action_custom_id(guild_id: int, action_id: str) -> str:
    return f"ib:{guild_id}:{action_id}"


def form_custom_id(guild_id: int, page: int, form_id: str) -> str:
    return f"ibf:{guild_id}:{page}:{form_id}"


def modal_custom_id(guild_id: int, page: int, pages: int, form_id: str) -> str:
    return f"ibm:{guild_id}:{page}/{pages}:{form_id}"


@dataclass(frozen=True)
class ModalAddress:
    guild_id: int
    page: int
    pages: int
    form_id: str


def parse_modal_custom_id(custom_id: str) -> ModalAddress | None:
    match = MODAL_PATTERN.fullmatch(custom_id)
    if match is None:
        return None
    return ModalAddress(int(match["guild"]), int(match["page"]), int(match["pages"]),
                        match["form"])


class _HasRouter(Protocol):
    router: InteractionRouter


def router_of(interaction: discord.Interaction[Any]) -> InteractionRouter:
    """The router of the client that received `interaction` (`client.IntrobotClient`)."""
    client: _HasRouter = cast(_HasRouter, interaction.client)
    return client.router


class ActionButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ACTION_TEMPLATE):
    """Any core button: the press goes to the core with the action id it carries."""

    def __init__(
        self,
        guild_id: int,
        action_id: str,
        *,
        label: str = "Open",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        row: int | None = None,
    ) -> None:
        super().__init__(
            discord.ui.Button(label=label, style=style,
                              custom_id=action_custom_id(guild_id, action_id)),
            row=row,
        )
        self.guild_id = guild_id
        self.action_id = action_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ActionButton:
        return cls(int(match["guild"]), match["action"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await router_of(interaction).press(interaction, self.guild_id, self.action_id)


class FormButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=FORM_TEMPLATE):
    """Opens page `page` of a form in a modal."""

    def __init__(
        self,
        guild_id: int,
        page: int,
        form_id: str,
        *,
        label: str = "Open the form",
        style: discord.ButtonStyle = discord.ButtonStyle.primary,
        row: int | None = None,
    ) -> None:
        super().__init__(
            discord.ui.Button(label=label, style=style,
                              custom_id=form_custom_id(guild_id, page, form_id)),
            row=row,
        )
        self.guild_id = guild_id
        self.page = page
        self.form_id = form_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> FormButton:
        return cls(int(match["guild"]), int(match["page"]), match["form"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await router_of(interaction).open_form(interaction, self.guild_id, self.page,
                                             self.form_id)


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (ActionButton, FormButton)
