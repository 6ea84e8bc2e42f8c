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

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:", "postgres:")):
            raise ValueError(
                "INTROBOT_DATABASE_URL must look like sqlite:///introbot.db or "
                "postgresql://user@host:5432/dbname"
            )
        return value

    def admin_ids(self) -> frozenset[str]:
        return frozenset(part.strip().lstrip("@") for part in self.admins.split(",")
                         if part.strip())
