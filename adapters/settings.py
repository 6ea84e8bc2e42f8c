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
    log_level: str = Field(default="INFO", alias="INTROBOT_LOG_LEVEL")

    # Slack (adapters/slack): Socket Mode when the app token is set, else HTTP at /slack/events.
    slack_bot_token: str = Field(default="", alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str = Field(default="", alias="SLACK_SIGNING_SECRET")
    slack_app_token: str = Field(default="", alias="SLACK_APP_TOKEN")
    slack_client_id: str = Field(default="", alias="SLACK_CLIENT_ID")
    slack_client_secret: str = Field(default="", alias="SLACK_CLIENT_SECRET")
    slack_api_url: str = Field(default="https://slack.com/api/", alias="INTROBOT_SLACK_API_URL")
    http_host: str = Field(default="127.0.0.1", alias="INTROBOT_HTTP_HOST")
    http_port: int = Field(default=3000, alias="INTROBOT_HTTP_PORT", ge=0, le=65535)

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
