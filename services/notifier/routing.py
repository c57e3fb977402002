"""Who hears of an alert event, and on which channels (pure: no I/O).

- ``alert.raised``: the initiative's responsible officers; a critical alert also the plan
  management unit (Unidad Ejecutora Comunal).
- ``alert.escalated``: level 1 the department head, level 2 the plan management unit.
- ``alert.resolved``: everyone who was told about the alert.
- ``alert.acknowledged``: nobody; reminders stop.

Channels come from the routes file: e-mail by default, webhooks per recipient.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

Role = Literal["officer", "department_head", "management_unit"]


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    role: Role


@dataclass(frozen=True)
class Contacts:
    """The people an alert about one initiative can reach."""

    officers: tuple[Person, ...]
    department_head: Person | None
    management_unit: Person | None


def recipients_for(event_type: str, severity: str, escalation_level: int, contacts: Contacts) -> list[Person]:
    people: list[Person] = []
    if event_type == "alert.raised":
        people += contacts.officers
        if severity == "critical" and contacts.management_unit:
            people.append(contacts.management_unit)
    elif event_type == "alert.escalated":
        target = contacts.department_head if escalation_level == 1 else contacts.management_unit
        if target:
            people.append(target)
    unique: dict[str, Person] = {}
    for person in people:
        unique.setdefault(person.email.lower(), person)
    return list(unique.values())


class Webhook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(pattern=r"^https?://")
    secret_env: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")

    def secret(self) -> str:
        return os.environ.get(self.secret_env, "")


class Routes(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    default_channels: list[str] = Field(default_factory=lambda: ["email"])
    webhooks: dict[str, Webhook] = Field(default_factory=dict)
    recipients: dict[str, list[str]] = Field(default_factory=dict)

    def channels_for(self, email: str) -> list[str]:
        return self.recipients.get(email.lower(), self.default_channels)


class RoutesError(ValueError):
    pass


def load_routes(path: Path) -> Routes:
    try:
        routes = Routes.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as error:
        raise RoutesError(f"{path}: {error}") from error
    routes = routes.model_copy(update={"recipients": {k.lower(): v for k, v in routes.recipients.items()}})
    for email, channels in routes.recipients.items():
        for channel in channels:
            if channel != "email" and not (channel.startswith("webhook:") and channel[8:] in routes.webhooks):
                raise RoutesError(f"{path}: recipients.{email}: canal desconocido {channel!r}")
    return routes
