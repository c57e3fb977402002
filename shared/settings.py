"""Settings common to every service, read from the environment with one prefix: ``PLADECO_``.

Every default is safe for a developer's machine (loopback addresses, the local demo database);
production overrides them through the environment. docs/configuration.md lists each variable.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "PLADECO_"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
"""The checkout (or installed tree) the default files are found in: rules, routes, the portal's assets."""


class CommonSettings(BaseSettings):
    """What every process of the system needs: where Kafka and PostgreSQL are, how to log."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092", description="Comma-separated host:port list of Kafka brokers."
    )
    kafka_replication_factor: int = Field(
        1, ge=1, description="Replicas per topic when `pladeco topics ensure` creates topics."
    )
    kafka_compression: Literal["gzip", "lz4", "zstd", "none"] = Field(
        "zstd", description="Producer compression codec."
    )
    database_url: str = Field(
        "postgresql://pladeco:pladeco@127.0.0.1:5432/pladeco",
        description="PostgreSQL connection URL (libpq form).",
    )
    database_password_file: Path | None = Field(
        None, description="A file holding the password of the role in PLADECO_DATABASE_URL (Docker secrets "
        "style); when set, it replaces the URL's password. The least-privilege roles' files are written by "
        "`pladeco db passwords`.",
    )
    db_pool_max_size: int = Field(10, ge=1, le=200, description="Connections per service at most.")
    log_level: Literal["debug", "info", "warning", "error"] = Field("info")
    environment: Literal["development", "production"] = Field(
        "production", description="`development` allows the development-only defaults of secrets "
        "(never outside a developer's machine); in `production` a missing secret stops the start-up.",
    )
    startup_timeout_s: float = Field(
        30.0,
        ge=0,
        description="How long a service retries (with backoff) to reach Kafka and PostgreSQL "
        "at start-up before it gives up and exits non-zero.",
    )

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: str) -> str:
        if not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL")
        return value

    @model_validator(mode="after")
    def _password_from_file(self) -> CommonSettings:
        if self.database_password_file is not None:
            password = self.database_password_file.read_text(encoding="utf-8").strip()
            url = with_password(self.database_url, password)
            object.__setattr__(self, "database_url", url)  # frozen: set once, while validating
        return self

    @field_validator("kafka_bootstrap_servers")
    @classmethod
    def _host_port_list(cls, value: str) -> str:
        for server in value.split(","):
            host, _, port = server.strip().rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"{server.strip()!r} is not host:port")
        return value


def with_password(url: str, password: str) -> str:
    """``url`` with its password replaced (or added after its user name)."""
    match = re.match(r"^(postgres(?:ql)?://)([^:@/]*)(?::[^@/]*)?@", url)
    if match is None:
        raise ValueError("PLADECO_DATABASE_URL names no user to give the password of PLADECO_DATABASE_PASSWORD_FILE")
    return f"{match.group(1)}{match.group(2)}:{quote(password, safe='')}@" + url[match.end():]


class ServiceSettings(CommonSettings):
    """Settings of a long-running service: where its HTTP endpoints listen."""

    http_host: str = Field("127.0.0.1", description="Address the service's HTTP server binds.")
    http_port: int = Field(8000, ge=1, le=65535, description="Port of the service's HTTP server.")


DEVELOPMENT_LINK_SECRET = "pladeco-development-only-link-secret"
"""The acknowledge-link secret of a developer's machine (PLADECO_ENVIRONMENT=development); it is
public, so it is refused in production, where PLADECO_ALERTS_LINK_SECRET must be set."""


class LinkSecretSettings(ServiceSettings):
    """A service that signs or checks acknowledge links (the alert service, the notifier)."""

    alerts_link_secret: SecretStr | None = Field(
        None, validate_default=True,
        description="Key of the signed acknowledge links, shared by the alert service and the notifier: "
        "a long random value (`openssl rand -hex 32`). Required unless PLADECO_ENVIRONMENT=development; "
        "deploy/stack.sh generates one under var/.",
    )

    @field_validator("alerts_link_secret")
    @classmethod
    def _set_and_long_enough(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None:
            if info.data.get("environment") == "development":
                return None
            raise ValueError("not set: acknowledge links cannot be signed. Set it to a long random value "
                             "shared by the alert service and the notifier (openssl rand -hex 32), or "
                             f"{ENV_PREFIX}ENVIRONMENT=development on a developer's machine")
        if len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (openssl rand -hex 32)")
        return value

    def link_secret(self) -> str:
        """The secret in force (the public development one only when environment is development)."""
        if self.alerts_link_secret is None:
            return DEVELOPMENT_LINK_SECRET
        return self.alerts_link_secret.get_secret_value()


def describe_settings_error(error: ValidationError) -> str:
    """One line naming each bad environment variable, for an operator reading a failed start."""
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"])
        variable = f"{ENV_PREFIX}{field}".upper()
        given = item.get("input")
        shown = f"={given!r}" if isinstance(given, (str, int, float)) else ""
        problems.append(f"{variable}{shown}: {item['msg']}")
    return "invalid setting " + "; ".join(problems)
