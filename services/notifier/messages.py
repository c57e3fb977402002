"""What a notification says: how one recipient's group of alerts becomes one e-mail (subject,
plain-text and HTML parts, headers) and one webhook body, and how webhook bodies are signed.

This module owns the wording officers read (Spanish, Chile), the order in which alerts are
presented, the Message-ID that makes a notification idempotent, the webhook's JSON shape and its
HMAC signature scheme. It is pure: no I/O and no clock reads — every moment it prints is given.
Routing, grouping, throttling and delivery belong to the rest of the notifier.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Literal, get_args

from shared.clock import SANTIAGO
from shared.terms import SEVERITY_LABELS, Severity

Kind = Literal["raised", "escalated", "reminder", "resolved"]
Role = Literal["officer", "department_head", "management_unit"]

SUBJECT_TAG = "[PLADECO Putre]"
# Long subjects get cut by mail clients anyway; past this the initiative list or the title is
# shortened with "…" so that the counts and flags, which matter most, stay visible.
SUBJECT_MAX_CHARS = 150
CRITICAL_FLAG = "[CRÍTICA]"
_SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}
_SEVERITY_COLOUR = {"critical": "#b00020", "warning": "#b45f06", "info": "#1f5fa8"}

_OPEN_KINDS = ("raised", "escalated", "reminder")
_SUBJECT_PREFIX = {"raised": "", "escalated": "Escalada: ", "reminder": "Recordatorio: ", "resolved": "Resuelta: "}
# (singular, plural) when the phrase opens the count list, then when it follows another one:
# "3 alertas nuevas · 1 resuelta" reads naturally, "3 alertas nuevas · 1 alerta resuelta" does not.
_COUNT_WORDS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "raised": (("alerta nueva", "alertas nuevas"), ("nueva", "nuevas")),
    "escalated": (("alerta escalada", "alertas escaladas"), ("escalada", "escaladas")),
    "reminder": (("recordatorio", "recordatorios"), ("recordatorio", "recordatorios")),
    "resolved": (("alerta resuelta", "alertas resueltas"), ("resuelta", "resueltas")),
}

_ESCALATION_TARGET = {1: "jefatura de la unidad", 2: "Unidad Ejecutora Comunal"}

_SCOPE = {
    "officer": "iniciativas a su cargo",
    "department_head": "iniciativas de su unidad",
    "management_unit": "iniciativas del plan",
}
_WHY_YOU = {
    "officer": "Recibe este correo porque figura como funcionario/a responsable de estas iniciativas "
    "en el PLADECO de Putre.",
    "department_head": "Recibe este correo porque es la jefatura de la unidad responsable de estas "
    "iniciativas en el PLADECO de Putre.",
    "management_unit": "Recibe este correo porque integra la Unidad Ejecutora Comunal del PLADECO de Putre.",
}
_DO_NOT_REPLY = (
    "Este es un mensaje automático del sistema de seguimiento del PLADECO: por favor no lo responda. "
    "Use los enlaces de cada alerta para ver el tablero o confirmar la recepción."
)


@dataclass(frozen=True)
class AlertItem:
    alert_id: str
    kind: Kind
    rule: str
    severity: Severity
    initiative_code: str
    initiative_name: str
    department_code: str
    title: str
    message: str
    explanation: str
    action: str
    escalation_level: int
    raised_at: dt.datetime
    board_url: str
    ack_url: str | None

    def __post_init__(self) -> None:
        # Fail where the item is built rather than deep inside a half-written e-mail.
        if self.kind not in get_args(Kind):
            raise ValueError(f"unknown alert kind {self.kind!r}")
        if self.severity not in get_args(Severity):
            raise ValueError(f"unknown severity {self.severity!r}")
        if self.escalation_level not in (0, 1, 2):
            raise ValueError(f"escalation level must be 0, 1 or 2, not {self.escalation_level!r}")
        _require_aware(self.raised_at, "raised_at")


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str
    role: Role

    def __post_init__(self) -> None:
        if self.role not in get_args(Role):
            raise ValueError(f"unknown recipient role {self.role!r}")


@dataclass(frozen=True)
class Composed:
    message_id: str
    subject: str
    text: str
    html: str


# --- identifiers and time ------------------------------------------------------------------------


def message_id(notification_id: str, domain: str) -> str:
    """The Message-ID of a notification's e-mail; resending the same notification reuses it, so
    the relay and the recipient's client can recognise a retry as the same message."""
    for part, label in ((notification_id, "notification id"), (domain, "domain")):
        if not part or any(c in part for c in "<>@") or any(c.isspace() for c in part):
            raise ValueError(f"{label} {part!r} cannot be part of a Message-ID")
    return f"<{notification_id}@{domain}>"


def santiago(moment: dt.datetime) -> str:
    """``moment`` as officers read it: ``dd-mm-aaaa hh:mm`` on Chile's official clock."""
    _require_aware(moment, "moment")
    return moment.astimezone(SANTIAGO).strftime("%d-%m-%Y %H:%M")


# --- composition ---------------------------------------------------------------------------------


def compose(notification_id: str, recipient: Recipient, items: Sequence[AlertItem], *, domain: str) -> Composed:
    """Subject, plain text and HTML of one notification; the same arguments give the same text."""
    open_items, resolved = _ordered(items)
    return Composed(
        message_id=message_id(notification_id, domain),
        subject=_subject(open_items, resolved),
        text=_text(recipient, open_items, resolved),
        html=_html(recipient, open_items, resolved),
    )


def compose_email(
    notification_id: str,
    recipient: Recipient,
    items: Sequence[AlertItem],
    *,
    sender: str,
    domain: str,
    sent_at: dt.datetime,
) -> EmailMessage:
    """The notification as a multipart/alternative e-mail ready for SMTP."""
    _require_aware(sent_at, "sent_at")
    if "\r" in sender or "\n" in sender:
        raise ValueError("sender cannot contain line breaks")
    composed = compose(notification_id, recipient, items, domain=domain)

    msg = EmailMessage()
    msg["From"] = sender
    # Address() encodes accented display names (RFC 2047) and rejects CR/LF in the address.
    msg["To"] = Address(display_name=_one_line(recipient.name), addr_spec=recipient.email)
    msg["Subject"] = composed.subject
    msg["Date"] = format_datetime(sent_at)
    msg["Message-ID"] = composed.message_id
    msg["X-PLADECO-Notification"] = notification_id
    # RFC 3834: keeps vacation responders and ticket systems from answering a robot.
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(composed.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(composed.html, subtype="html", charset="utf-8", cte="quoted-printable")
    # The default boundary is random; deriving it from the content keeps a retried notification
    # byte-identical, and a hash of the parts cannot occur inside them.
    digest = hashlib.sha256(f"{composed.text}\0{composed.html}".encode()).hexdigest()[:32]
    msg.set_boundary(f"=_pladeco_{digest}")
    return msg


def webhook_body(notification_id: str, recipient: Recipient, items: Sequence[AlertItem]) -> bytes:
    """Compact UTF-8 JSON with sorted keys, so that one input always signs to one signature."""
    open_items, resolved = _ordered(items)
    document = {
        "notification_id": notification_id,
        "recipient": {"name": recipient.name, "email": recipient.email, "role": recipient.role},
        "summary": _subject(open_items, resolved),
        "alerts": [
            {
                "alert_id": item.alert_id,
                "kind": item.kind,
                "rule": item.rule,
                "severity": item.severity,
                "initiative_code": item.initiative_code,
                "initiative_name": item.initiative_name,
                "title": item.title,
                "message": item.message,
                "explanation": item.explanation,
                "action": item.action,
                "board_url": item.board_url,
                "ack_url": item.ack_url,
                "raised_at": _iso_utc(item.raised_at),
            }
            for item in (*open_items, *resolved)
        ],
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


# --- webhook signature ---------------------------------------------------------------------------


def sign_webhook(body: bytes, secret: str, timestamp: int) -> str:
    """``t=<timestamp>,v1=<hex>``: the timestamp is signed with the body so a captured request
    cannot be replayed later with a fresh timestamp."""
    if not secret:
        raise ValueError("the webhook secret is empty")
    return f"t={timestamp},v1={_signature(body, secret, timestamp)}"


def verify_webhook(body: bytes, secret: str, header: str, *, now: int, tolerance_s: int = 300) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` at a moment within ``tolerance_s`` of
    ``now``; a malformed header is simply not valid. Several ``v1`` entries are accepted so that
    a sender can sign with an old and a new secret while the secret is being rotated."""
    if not secret:
        raise ValueError("the webhook secret is empty")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            return False
        if key == "t":
            if timestamp is not None or not value.isascii() or not value.isdigit():
                return False
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    # Future timestamps are as suspicious as old ones: both fall outside the window.
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = _signature(body, secret, timestamp)
    matched = False
    for candidate in candidates:
        # No early exit: the time taken must not say which candidate (if any) matched.
        matched |= hmac.compare_digest(expected.encode(), candidate.encode("utf-8", "replace"))
    return matched


def _signature(body: bytes, secret: str, timestamp: int) -> str:
    return hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


# --- ordering and subject ------------------------------------------------------------------------


def _ordered(items: Sequence[AlertItem]) -> tuple[list[AlertItem], list[AlertItem]]:
    if not items:
        raise ValueError("a notification needs at least one alert")
    # alert_id breaks ties so that the order never depends on how the group was assembled.
    open_items = sorted(
        (i for i in items if i.kind in _OPEN_KINDS),
        key=lambda i: (_SEVERITY_RANK[i.severity], i.raised_at, i.alert_id),
    )
    resolved = sorted((i for i in items if i.kind == "resolved"), key=lambda i: (i.raised_at, i.alert_id))
    return open_items, resolved


def _subject(open_items: list[AlertItem], resolved: list[AlertItem]) -> str:
    everything = [*open_items, *resolved]
    head = SUBJECT_TAG + " "
    # A resolved critical alert needs no urgency; only open ones raise the flag.
    if any(i.severity == "critical" for i in open_items):
        head += CRITICAL_FLAG + " "
    if len(everything) == 1:
        (item,) = everything
        head += _SUBJECT_PREFIX[item.kind]
        return head + _clip(_one_line(item.title), SUBJECT_MAX_CHARS - len(head))

    if any(i.kind == "escalated" for i in open_items):
        head += "Escalada: "
    head += _counts(everything)
    codes = list(dict.fromkeys(_one_line(i.initiative_code) for i in everything))
    for keep in range(len(codes), -1, -1):
        listed = ", ".join(codes[:keep])
        if keep < len(codes):
            listed = f"{listed}, …" if listed else "…"
        subject = f"{head} — {listed}"
        if len(subject) <= SUBJECT_MAX_CHARS:
            return subject
    return _clip(head, SUBJECT_MAX_CHARS)


def _counts(items: list[AlertItem]) -> str:
    phrases = []
    for kind in (*_OPEN_KINDS, "resolved"):
        n = sum(1 for i in items if i.kind == kind)
        if n:
            singular, plural = _COUNT_WORDS[kind][0 if not phrases else 1]
            phrases.append(f"{n} {singular if n == 1 else plural}")
    return " · ".join(phrases)


# --- bodies --------------------------------------------------------------------------------------


def _intro(recipient: Recipient, count: int) -> str:
    novedades = "1 novedad" if count == 1 else f"{count} novedades"
    return f"El sistema de seguimiento del PLADECO de Putre tiene {novedades} sobre {_SCOPE[recipient.role]}."


def _escalation_sentence(recipient: Recipient, open_items: list[AlertItem]) -> str | None:
    escalated = sum(1 for i in open_items if i.kind == "escalated")
    if not escalated or recipient.role == "officer":
        return None
    if escalated == 1:
        lead = "Una alerta se le escaló porque nadie confirmó su recepción"
    else:
        lead = f"{escalated} alertas se le escalaron porque nadie confirmó su recepción"
    return f"{lead} dentro del plazo previsto. Revise si requieren su intervención."


def _status(item: AlertItem) -> str:
    if item.kind == "escalated":
        target = _ESCALATION_TARGET.get(item.escalation_level)
        return f"Escalada a la {target}" if target else "Escalada"
    return {"raised": "Nueva", "reminder": "Recordatorio", "resolved": "Resuelta"}[item.kind]


def _fields(item: AlertItem) -> list[tuple[str, str, bool]]:
    """(label, value, is_link) in the order both parts show them."""
    rows = [
        ("Estado", _status(item), False),
        ("Gravedad", SEVERITY_LABELS[item.severity], False),
        ("Iniciativa", f"{item.initiative_code} — {item.initiative_name}", False),
        ("Unidad responsable", item.department_code, False),
        ("Qué pasó", item.message, False),
        ("Por qué", item.explanation, False),
        ("Qué hacer", item.action, False),
        ("Detectada el", santiago(item.raised_at), False),
        ("Tablero de la iniciativa", item.board_url, True),
    ]
    if item.ack_url:
        rows.append(("Confirmar recepción", item.ack_url, True))
    return rows


def _sections(open_items: list[AlertItem], resolved: list[AlertItem]) -> list[tuple[str, list[AlertItem]]]:
    sections = []
    if open_items:
        sections.append(("Requieren atención", open_items))
    if resolved:
        sections.append(("Resueltas", resolved))
    return sections


def _text(recipient: Recipient, open_items: list[AlertItem], resolved: list[AlertItem]) -> str:
    lines = [f"Estimado/a {recipient.name}:", "", _intro(recipient, len(open_items) + len(resolved))]
    escalation = _escalation_sentence(recipient, open_items)
    if escalation:
        lines += ["", escalation]
    for heading, section in _sections(open_items, resolved):
        lines += ["", "", heading.upper(), "=" * len(heading)]
        for item in section:
            lines += ["", f"■ {item.title}"]
            lines += [f"{label}: {value}" for label, value, _ in _fields(item)]
    lines += ["", "-- ", _WHY_YOU[recipient.role], _DO_NOT_REPLY]
    return "\n".join(lines) + "\n"


def _html(recipient: Recipient, open_items: list[AlertItem], resolved: list[AlertItem]) -> str:
    e = _escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="es-CL">',
        '<head><meta charset="utf-8"><title>PLADECO Putre</title></head>',
        '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222;">',
        f"<p>Estimado/a {e(recipient.name)}:</p>",
        f"<p>{e(_intro(recipient, len(open_items) + len(resolved)))}</p>",
    ]
    escalation = _escalation_sentence(recipient, open_items)
    if escalation:
        parts.append(f'<p style="font-weight:bold;">{e(escalation)}</p>')
    for heading, section in _sections(open_items, resolved):
        parts.append(f'<h2 style="font-size:17px;border-bottom:1px solid #ccc;">{e(heading)}</h2>')
        for item in section:
            colour = _SEVERITY_COLOUR[item.severity]
            parts.append(f'<div style="border-left:4px solid {colour};padding:4px 12px;margin:12px 0;">')
            parts.append(f'<h3 style="font-size:15px;margin:4px 0;">{e(item.title)}</h3>')
            parts.append("<table>")
            for label, value, is_link in _fields(item):
                cell = _link(value) if is_link else e(value)
                parts.append(
                    f'<tr><th style="text-align:left;vertical-align:top;padding-right:12px;">{e(label)}</th>'
                    f"<td>{cell}</td></tr>"
                )
            parts.append("</table>")
            parts.append("</div>")
    parts += [
        '<hr><p style="font-size:12px;color:#666;">',
        f"{e(_WHY_YOU[recipient.role])}<br>",
        e(_DO_NOT_REPLY),
        "</p>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _escape(value: str) -> str:
    # Officers write multi-line explanations; keep their line breaks once the text is escaped.
    return html.escape(value, quote=True).replace("\n", "<br>\n")


def _link(url: str) -> str:
    # Only web links become anchors: a javascript: or data: URL from bad data must not be clickable.
    if url.lower().startswith(("https://", "http://")):
        return f'<a href="{html.escape(url, quote=True)}">{html.escape(url)}</a>'
    return _escape(url)


# --- small helpers -------------------------------------------------------------------------------


def _require_aware(moment: dt.datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _iso_utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _one_line(value: str) -> str:
    # Header values come from data; folding them onto one line also keeps CR/LF out of headers.
    return " ".join(value.split())


def _clip(value: str, limit: int) -> str:
    if len(value) <= limit:
        return value
    return value[: max(limit - 1, 0)].rstrip() + "…"
