"""Signed links: the acknowledge link an e-mail carries is an HMAC of the alert and the person, so
that only its recipient's link acknowledges it in their name. Both the notifier (which writes the
link) and the alert service (which checks it) use this."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode


def ack_token(secret: str, alert_id: str, by: str) -> str:
    message = f"ack:{alert_id}:{by.strip().lower()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def ack_token_valid(secret: str, alert_id: str, by: str, token: str) -> bool:
    return hmac.compare_digest(ack_token(secret, alert_id, by), token or "")


def ack_url(base_url: str, secret: str, alert_id: str, by: str) -> str:
    query = urlencode({"by": by, "token": ack_token(secret, alert_id, by)})
    return f"{base_url.rstrip('/')}/v1/alerts/{alert_id}/acknowledge?{query}"
