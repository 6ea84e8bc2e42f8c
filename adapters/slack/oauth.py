"""Installing the app in many workspaces (OAuth), with installations kept in our database.

Used when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set; otherwise the app runs in one
workspace with SLACK_BOT_TOKEN. slack_sdk's SQLAlchemy installation and OAuth-state stores keep
their tables (`slack_installations`, `slack_bots`, `slack_oauth_states`) in the program's own
database. slack_sdk's async variants of those stores need an async engine (aiosqlite, asyncpg);
the program runs a synchronous engine, so the sync stores are wrapped here and called in a
worker thread.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import Engine

from bot.ports import DeliveryError

log = logging.getLogger(__name__)

# Least privilege; README.md ("Slack") says what each one is for.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "mpim:write",
    "users:read",
    "files:write",
)
STATE_SECONDS = 600


class ThreadedInstallationStore(AsyncInstallationStore):
    """slack_sdk's SQLAlchemy installation store, called from asyncio in a worker thread."""

    def __init__(self, store: SQLAlchemyInstallationStore) -> None:
        self.store = store

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.store.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.store.save_bot, bot)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        return await asyncio.to_thread(
            self.store.find_bot, enterprise_id=enterprise_id, team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await asyncio.to_thread(
            self.store.find_installation, enterprise_id=enterprise_id, team_id=team_id,
            user_id=user_id, is_enterprise_install=is_enterprise_install,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(self.store.delete_bot, enterprise_id=enterprise_id,
                                team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await asyncio.to_thread(self.store.delete_installation, enterprise_id=enterprise_id,
                                team_id=team_id, user_id=user_id)


class ThreadedStateStore(AsyncOAuthStateStore):
    """slack_sdk's SQLAlchemy OAuth state store, called from asyncio in a worker thread."""

    def __init__(self, store: SQLAlchemyOAuthStateStore) -> None:
        self.store = store

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self.store.issue, *args, **kwargs)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.store.consume, state)


def authorization_url(api_url: str) -> str:
    """The OAuth authorize page that belongs with a Web API base URL (GovSlack-style hosts)."""
    root = api_url.rstrip("/")
    root = root[: -len("/api")] if root.endswith("/api") else root
    return f"{root}/oauth/v2/authorize"


def oauth_settings(
    client_id: str, client_secret: str, engine: Engine, api_url: str
) -> AsyncOAuthSettings:
    """OAuth settings whose stores live in `engine`'s database (tables created if missing)."""
    installations = SQLAlchemyInstallationStore(client_id=client_id, engine=engine)
    states = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine)
    installations.create_tables()  # type: ignore[no-untyped-call]
    states.create_tables()  # type: ignore[no-untyped-call]
    return AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=ThreadedInstallationStore(installations),
        state_store=ThreadedStateStore(states),
        authorization_url=authorization_url(api_url),
    )


class InstalledWorkspaces:
    """The bot token of each workspace that installed the app (for DMs outside a request)."""

    def __init__(
        self,
        store: AsyncInstallationStore,
        base_url: str,
        retry_handlers: list[AsyncRetryHandler],
        session: Any = None,
    ) -> None:
        self._store = store
        self._base_url = base_url
        self._retry_handlers = retry_handlers
        self._session = session

    async def for_team(self, team_id: str) -> AsyncWebClient:
        bot = await self._store.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise DeliveryError(f"the app is not installed in Slack team {team_id}",
                                permanent=True)
        return AsyncWebClient(
            token=bot.bot_token,
            base_url=self._base_url,
            retry_handlers=list(self._retry_handlers),
            session=self._session,
            team_id=team_id,
        )
