"""Delivery channels of the notifier, behind one small interface with one retry rule.

- A channel is anything with ``async send(notification) -> None``; it raises ``DeliveryFailed``,
  saying whether the failure is permanent (a refused recipient, a 4xx) or worth another try (the
  relay or the receiver away). Each channel is its own module: ``email.py``, ``webhook.py``.
- ``Retrier`` is the one rule for what happens next, whatever the channel: give up when the failure
  is permanent or after ``max_attempts``; otherwise try again after ``base_s × 2^(attempts − 1)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from services.notifier.messages import AlertItem, Recipient


class DeliveryFailed(Exception):
    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Notification:
    """One notice to send: to one recipient, on one channel, about the items of its group."""

    notification_id: str
    recipient: Recipient
    items: list[AlertItem]
    created_at: dt.datetime


class Channel(Protocol):
    async def send(self, notification: Notification) -> None:
        """Deliver, or raise ``DeliveryFailed``."""


@dataclass(frozen=True)
class Retry:
    give_up: bool
    next_attempt_at: dt.datetime


@dataclass(frozen=True)
class Retrier:
    max_attempts: int
    base_s: float

    def after(self, failure: DeliveryFailed, attempts: int, now: dt.datetime) -> Retry:
        """What to do after the ``attempts``-th failed attempt."""
        give_up = failure.permanent or attempts >= self.max_attempts
        return Retry(give_up, now + dt.timedelta(seconds=self.base_s * 2 ** (attempts - 1)))
