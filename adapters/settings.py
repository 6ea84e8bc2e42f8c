"""Process settings from the environment (and `.env`), validated once at start-up."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class IntrobotSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(default="sqlite:///introbot.db", alias="INTROBOT_DATABASE_URL")
    admins: str = Field(
        default="",
        alias="INTROBOT_ADMINS",
        description="Comma-separated platform user ids or handles who are program admins.",
    )
    log_level: str = Field(default="INFO", alias="INTROBOT_LOG_LEVEL",
                           pattern=r"^(?i:debug|info|warning|error|critical)$")

    # Slack (adapters/slack): Socket Mode when the app token is set, else HTTP at /slack/events.
    slack_bot_token: str = Field(default="", alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str = Field(default="", alias="SLACK_SIGNING_SECRET")
    slack_app_token: str = Field(default="", alias="SLACK_APP_TOKEN")
    slack_client_id: str = Field(default="", alias="SLACK_CLIENT_ID")
    slack_client_secret: str = Field(default="", alias="SLACK_CLIENT_SECRET")
    slack_api_url: str = Field(default="https://slack.com/api/", alias="INTROBOT_SLACK_API_URL")
    http_host: str = Field(default="127.0.0.1", alias="INTROBOT_HTTP_HOST")
    http_port: int = Field(default=3000, alias="INTROBOT_HTTP_PORT", ge=0, le=65535)

    # Discord (adapters/discord): the gateway client runs when DISCORD_TOKEN is set.
    discord_token: str = Field(default="", alias="DISCORD_TOKEN")
    discord_api_url: str = Field(default="https://discord.com/api/v10",
                                 alias="INTROBOT_DISCORD_API_URL", pattern=r"^https?://")
    discord_gateway_url: str = Field(default="wss://gateway.discord.gg/",
                                     alias="INTROBOT_DISCORD_GATEWAY_URL", pattern=r"^wss?://")
    discord_dev_guild: int | None = Field(
        default=None, alias="INTROBOT_DISCORD_DEV_GUILD",
        description="Sync commands to this guild only (instant); globally when unset.")
    discord_sharded: bool = Field(default=False, alias="INTROBOT_DISCORD_SHARDED")
    discord_intro_channel: int | None = Field(
        default=None, alias="INTROBOT_DISCORD_INTRO_CHANNEL",
        description="Text channel where accepted intros also get a private thread.")
    discord_fallback_channel: int | None = Field(
        default=None, alias="INTROBOT_DISCORD_FALLBACK_CHANNEL",
        description="Text channel where members whose DMs are closed are mentioned.")

    # `introbot run` (adapters/run.py): logs, replicas, the reminder dispatcher, shutdown.
    log_format: str = Field(
        default="auto", alias="INTROBOT_LOG_FORMAT", pattern=r"^(?i:auto|json|text)$",
        description="json (one JSON object a line), text (for people), or auto: text in a "
                    "terminal, json otherwise.")
    replica_id: str = Field(
        default="", alias="INTROBOT_REPLICA_ID", max_length=100,
        description="This replica's name in logs and reminder claims (default: host and pid).")
    outbox_lease_seconds: int = Field(
        default=120, alias="INTROBOT_OUTBOX_LEASE_SECONDS", ge=2, le=3600,
        description="How long a replica holds the reminders it claimed; a crashed replica's "
                    "reminders are sent by another one after this.")
    outbox_batch_size: int = Field(
        default=100, alias="INTROBOT_OUTBOX_BATCH_SIZE", ge=1, le=500,
        description="Reminders claimed at once; what is not sent well inside the lease "
                    "(a rate-limited platform) is handed back for the next claim.")
    outbox_poll_seconds: float = Field(
        default=60.0, alias="INTROBOT_OUTBOX_POLL_SECONDS", ge=0.2, le=3600,
        description="Seconds between full outbox checks (the dispatcher's safety net).")
    sweep_seconds: float = Field(default=60.0, alias="INTROBOT_SWEEP_SECONDS", ge=1, le=3600)
    shutdown_timeout_seconds: float = Field(
        default=20.0, alias="INTROBOT_SHUTDOWN_TIMEOUT_SECONDS", ge=0, le=600,
        description="On SIGTERM, how long to wait for sends and answers under way.")

    @field_validator("discord_dev_guild", "discord_intro_channel", "discord_fallback_channel",
                     mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:", "postgres:")):
            raise ValueError(
                "INTROBOT_DATABASE_URL must look like sqlite:///introbot.db or "
                "postgresql://user@host:5432/dbname"
            )
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("INTROBOT_SLACK_API_URL must be an http(s) URL such as "
                             "https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    def slack_enabled(self) -> bool:
        """Slack runs with a bot token, or with OAuth client credentials (many workspaces)."""
        return bool(self.slack_bot_token or (self.slack_client_id and self.slack_client_secret))

    def admin_ids(self) -> frozenset[str]:
        return frozenset(part.strip().lstrip("@") for part in self.admins.split(",")
                         if part.strip())
