"""The webhook channel: a signed JSON POST per notice, with the notification id as idempotency key."""

from __future__ import annotations

import time

import httpx

from services.notifier.channels import DeliveryFailed, Notification
from services.notifier.messages import sign_webhook, webhook_body


class WebhookChannel:
    def __init__(self, url: str, secret: str):
        self.url = url
        self.secret = secret

    async def send(self, notification: Notification) -> None:
        body = webhook_body(notification.notification_id, notification.recipient, notification.items)
        headers = {
            "content-type": "application/json",
            "x-pladeco-signature": sign_webhook(body, self.secret, int(time.time())),
            "idempotency-key": notification.notification_id,
        }
        try:
            async with httpx.AsyncClient(timeout=15) as client:
                answer = await client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"webhook unreachable: {error!r}", permanent=False) from error
        if answer.status_code >= 300:
            # 408 and 429 say "later"; any other 4xx will not change by sending again.
            permanent = 400 <= answer.status_code < 500 and answer.status_code not in (408, 429)
            raise DeliveryFailed(f"webhook answered {answer.status_code}", permanent=permanent)
