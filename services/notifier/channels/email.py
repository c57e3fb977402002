"""The e-mail channel: one message per notice, through the SMTP relay of the settings."""

from __future__ import annotations

import asyncio

import aiosmtplib

from services.notifier.channels import DeliveryFailed, Notification
from services.notifier.messages import compose_email
from services.notifier.settings import NotifierSettings


class EmailChannel:
    def __init__(self, settings: NotifierSettings):
        self.settings = settings

    async def send(self, notification: Notification) -> None:
        s = self.settings
        message = compose_email(notification.notification_id, notification.recipient, notification.items,
                                sender=s.notifier_sender, domain=s.notifier_message_domain,
                                sent_at=notification.created_at)
        try:
            await aiosmtplib.send(
                message, hostname=s.smtp_host, port=s.smtp_port, timeout=s.smtp_timeout_s,
                username=s.smtp_username, password=s.smtp_password, start_tls=s.smtp_starttls,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            raise DeliveryFailed(f"recipients refused: {error}", permanent=True) from error
        except aiosmtplib.SMTPResponseException as error:
            raise DeliveryFailed(f"SMTP {error.code}: {error.message}", permanent=500 <= error.code < 600) from error
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as error:
            raise DeliveryFailed(f"SMTP unavailable: {error!r}", permanent=False) from error
