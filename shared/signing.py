"""Signed links: the acknowledge link an e-mail carries is an HMAC over the alert, the person and
an expiry instant, so that only its recipient's link acknowledges that alert in their name, and
only until it expires. Both the notifier (which writes the link) and the alert service (which
checks it) use this, with the secret ``PLADECO_ALERTS_LINK_SECRET`` they share.

Worked example: ``ack_token(s, "a1", "Ana@x.cl", 1767225600)`` signs ``ack:a1:ana@x.cl:1767225600``;
the same token for alert ``a2``, for ``pedro@x.cl`` or with another expiry does not verify, and
after 2026-01-01 00:00 UTC (the expiry) it is refused even untouched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Literal
from urllib.parse import urlencode


def ack_token(secret: str, alert_id: str, by: str, expires: int) -> str:
    message = f"ack:{alert_id}:{by.strip().lower()}:{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


LinkState = Literal["valid", "expired", "invalid"]


def ack_link_state(secret: str, alert_id: str, by: str, expires: int, token: str, *, now: dt.datetime) -> LinkState:
    """``valid``: the untouched token of this alert and person, before it expires; ``expired``:
    the same after its expiry; ``invalid``: anything else (tampered, another alert or person)."""
    # Bytes: compare_digest refuses str with non-ASCII characters, and a link's token is anyone's input.
    if not hmac.compare_digest(ack_token(secret, alert_id, by, expires).encode(), (token or "").encode()):
        return "invalid"
    return "valid" if now.timestamp() < expires else "expired"


def ack_url(base_url: str, secret: str, alert_id: str, by: str, *, expires_at: dt.datetime) -> str:
    expires = int(expires_at.timestamp())
    query = urlencode({"by": by, "exp": expires, "token": ack_token(secret, alert_id, by, expires)})
    return f"{base_url.rstrip('/')}/v1/alerts/{alert_id}/acknowledge?{query}"
