"""How a recipient's group of alerts reads once it becomes an e-mail or a webhook body.

Each scenario builds the alerts an officer, a department head or the Unidad Ejecutora Comunal
would receive, then reads the result back the way a mail client would: the e-mail is serialised
and parsed again with ``email.policy.default``, so the headers checked are the ones on the wire.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import hashlib
import hmac
import json
from email.message import EmailMessage
from email.utils import format_datetime

import pytest

from services.notifier.messages import (
    AlertItem,
    Composed,
    Recipient,
    compose,
    compose_email,
    message_id,
    santiago,
    sign_webhook,
    verify_webhook,
    webhook_body,
)

UTC = dt.UTC
NOTIFICATION = "0b7f3c1e-5d2a-4c8e-9f61-2a4b6c8d0e1f"
DOMAIN = "pladeco.muniputre.cl"
SENDER = "PLADECO Putre <alertas@muniputre.cl>"
SENT_AT = dt.datetime(2026, 11, 25, 17, 10, tzinfo=UTC)

OFFICER = Recipient(name="María José Ñancupil Choque", email="mjnancupil@muniputre.cl", role="officer")
DEPARTMENT_HEAD = Recipient(name="Óscar Cañipa, jefe DOM", email="ocanipa@muniputre.cl", role="department_head")
MANAGEMENT_UNIT = Recipient(name="Unidad Ejecutora Comunal", email="uec@muniputre.cl", role="management_unit")


def alert(n: int = 1, **fields) -> AlertItem:
    """An overdue milestone of INI-012, detected on 25-11-2026 at 17:05 UTC (14:05 in Putre)."""
    values = dict(
        alert_id=f"00000000-0000-4000-8000-{n:012d}",
        kind="raised",
        rule="milestone_overdue",
        severity="warning",
        initiative_code="INI-012",
        initiative_name="Sede social de Socoroma",
        department_code="DOM",
        title="Hito vencido: Contrato firmado (INI-012-H2)",
        message="El hito «Contrato firmado» debía cumplirse el 10-11-2026 y sigue pendiente.",
        explanation="Lleva 15 días de atraso; el SPI de la iniciativa es 0,72 (umbral 0,85).",
        action="Registre la fecha de firma del contrato o reprograme el hito con la DOM.",
        escalation_level=0,
        raised_at=dt.datetime(2026, 11, 25, 17, 5, tzinfo=UTC),
        board_url="https://pladeco.muniputre.cl/iniciativas/INI-012",
        ack_url=f"https://pladeco.muniputre.cl/alertas/{n}/confirmar?exp=1764100000&sig=ab12",
    )
    values.update(fields)
    return AlertItem(**values)


def resolved(n: int, **fields) -> AlertItem:
    fields.setdefault("title", f"Resuelta la alerta {n}")
    return alert(n, kind="resolved", ack_url=None, **fields)


def on_the_wire(msg: EmailMessage) -> EmailMessage:
    return email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)


def bodies(msg: EmailMessage) -> tuple[str, str]:
    return msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()


def send(recipient: Recipient, items: list[AlertItem], **kwargs) -> EmailMessage:
    kwargs = {"sender": SENDER, "domain": DOMAIN, "sent_at": SENT_AT, **kwargs}
    return on_the_wire(compose_email(NOTIFICATION, recipient, items, **kwargs))


# --- one overdue milestone to its officer ---------------------------------------------------------


def test_one_overdue_milestone_reaches_its_officer_with_the_headers_a_mail_client_needs():
    item = alert()
    raw = compose_email(NOTIFICATION, OFFICER, [item], sender=SENDER, domain=DOMAIN, sent_at=SENT_AT).as_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)

    assert msg["Subject"] == "[PLADECO Putre] Hito vencido: Contrato firmado (INI-012-H2)"
    assert msg["From"] == SENDER
    (to,) = msg["To"].addresses
    assert to.display_name == "María José Ñancupil Choque"
    assert to.addr_spec == "mjnancupil@muniputre.cl"
    # The accents travel encoded (RFC 2047): the header block itself is plain ASCII.
    header_block = raw.split(b"\n\n", 1)[0]
    header_block.decode("ascii")
    assert b"=?utf-8?" in header_block
    assert msg["Message-ID"] == f"<{NOTIFICATION}@{DOMAIN}>" == message_id(NOTIFICATION, DOMAIN)
    assert msg["X-PLADECO-Notification"] == NOTIFICATION
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Date"] == format_datetime(SENT_AT)
    assert msg["Date"].datetime == SENT_AT
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in msg.iter_parts())


def test_both_parts_say_what_happened_why_what_to_do_and_where_to_click():
    text, html_part = bodies(send(OFFICER, [alert()]))

    assert text.startswith("Estimado/a María José Ñancupil Choque:\n")
    assert "Qué pasó: El hito «Contrato firmado» debía cumplirse el 10-11-2026 y sigue pendiente." in text
    assert "Por qué: Lleva 15 días de atraso; el SPI de la iniciativa es 0,72 (umbral 0,85)." in text
    assert "Qué hacer: Registre la fecha de firma del contrato o reprograme el hito con la DOM." in text
    assert "Gravedad: Advertencia" in text
    assert "Iniciativa: INI-012 — Sede social de Socoroma" in text
    assert "Unidad responsable: DOM" in text
    # 17:05 UTC on 25-11-2026 is summer time in Chile (UTC-3).
    assert "Detectada el: 25-11-2026 14:05" in text
    assert "Tablero de la iniciativa: https://pladeco.muniputre.cl/iniciativas/INI-012" in text
    assert "Confirmar recepción: https://pladeco.muniputre.cl/alertas/1/confirmar?exp=1764100000&sig=ab12" in text
    assert "funcionario/a responsable" in text
    assert "no lo responda" in text

    assert "Estimado/a María José Ñancupil Choque:" in html_part
    for label in ("Qué pasó", "Por qué", "Qué hacer", "Detectada el", "Confirmar recepción"):
        assert f">{label}</th>" in html_part
    assert "sigue pendiente." in html_part and "(umbral 0,85)" in html_part and "con la DOM." in html_part
    assert '<a href="https://pladeco.muniputre.cl/iniciativas/INI-012">' in html_part
    # The ampersand of the signed link is escaped inside the attribute, as HTML requires.
    assert '<a href="https://pladeco.muniputre.cl/alertas/1/confirmar?exp=1764100000&amp;sig=ab12">' in html_part
    assert "no lo responda" in html_part


def test_the_html_part_escapes_everything_that_comes_from_data():
    item = alert(
        message='Texto pegado: <script>alert("x")</script>',
        initiative_name="Agua & saneamiento <Zapahuira>",
        explanation="Primera línea\nSegunda línea",
        board_url="javascript:alert(1)",
    )
    recipient = dataclasses.replace(OFFICER, name="Ana <b>Mamani</b>")
    text, html_part = bodies(send(recipient, [item]))

    assert "<script>" not in html_part
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html_part
    assert "Agua &amp; saneamiento &lt;Zapahuira&gt;" in html_part
    assert "Ana &lt;b&gt;Mamani&lt;/b&gt;" in html_part
    assert "Primera línea<br>" in html_part
    # A non-web link is shown, never made clickable.
    assert 'href="javascript:' not in html_part
    assert "javascript:alert(1)" in html_part
    # The plain-text part is not HTML: it shows what the officer wrote, unchanged.
    assert 'Texto pegado: <script>alert("x")</script>' in text


# --- a group: order and counts --------------------------------------------------------------------


def test_a_group_of_three_with_one_resolved_lists_open_alerts_by_time_and_resolved_ones_last():
    later = alert(1, initiative_code="INI-040", title="Sin reportes: Alumbrado de Belén",
                  raised_at=dt.datetime(2026, 11, 20, 13, 0, tzinfo=UTC))
    earlier = alert(2, title="Hito vencido: Contrato firmado (INI-012-H2)",
                    raised_at=dt.datetime(2026, 11, 18, 13, 0, tzinfo=UTC))
    # Oldest of the three, yet it goes last: it needs no action.
    done = resolved(3, initiative_code="INI-007", title="Resuelta: SPI bajo en Camino a Parinacota",
                    raised_at=dt.datetime(2026, 11, 1, 13, 0, tzinfo=UTC))
    msg = send(OFFICER, [done, later, earlier])
    text, html_part = bodies(msg)

    assert msg["Subject"] == "[PLADECO Putre] 2 alertas nuevas · 1 resuelta — INI-012, INI-040, INI-007"
    for part in (text, html_part):
        positions = [part.index(i.title) for i in (earlier, later, done)]
        assert positions == sorted(positions)
    assert text.index("Sin reportes") < text.index("RESUELTAS") < text.index("Resuelta: SPI bajo")
    assert html_part.index("Sin reportes") < html_part.index(">Resueltas</h2>") < html_part.index("SPI bajo")
    # A resolved alert offers no acknowledgement link: there are exactly two in the text.
    assert text.count("Confirmar recepción:") == 2
    assert "1 resuelta" in compose(NOTIFICATION, OFFICER, [done, later, earlier], domain=DOMAIN).subject


def test_the_subject_counts_each_kind_in_spanish():
    items = [alert(1), alert(2, kind="escalated", escalation_level=1), alert(3, kind="reminder"),
             alert(4, kind="reminder"), resolved(5), resolved(6)]
    subject = compose(NOTIFICATION, DEPARTMENT_HEAD, items, domain=DOMAIN).subject

    assert subject == (
        "[PLADECO Putre] Escalada: 1 alerta nueva · 1 escalada · 2 recordatorios · 2 resueltas — INI-012"
    )


def test_a_critical_alert_goes_first_even_when_detected_later():
    warning = alert(1, title="Sin reportes: Alumbrado de Belén", raised_at=dt.datetime(2026, 11, 1, tzinfo=UTC))
    critical = alert(2, severity="critical", title="Pronóstico: no cumplirá el plazo (INI-012)",
                     raised_at=dt.datetime(2026, 11, 24, tzinfo=UTC))
    text, _ = bodies(send(OFFICER, [warning, critical]))

    assert text.index("Pronóstico: no cumplirá") < text.index("Sin reportes")


def test_resolved_alerts_follow_in_the_order_they_were_detected():
    newer = resolved(1, title="Resuelta: Sin reportes", raised_at=dt.datetime(2026, 11, 20, tzinfo=UTC))
    older = resolved(2, title="Resuelta: Hito vencido", raised_at=dt.datetime(2026, 11, 2, tzinfo=UTC))
    text, _ = bodies(send(OFFICER, [newer, older]))

    assert text.index("Resuelta: Hito vencido") < text.index("Resuelta: Sin reportes")
    assert "REQUIEREN ATENCIÓN" not in text  # nothing is open, so no empty section


# --- escalations and severity ---------------------------------------------------------------------


def test_an_escalation_to_a_department_head_says_nobody_acknowledged_it():
    item = alert(kind="escalated", escalation_level=1)
    msg = send(DEPARTMENT_HEAD, [item])
    text, html_part = bodies(msg)

    assert msg["Subject"] == "[PLADECO Putre] Escalada: Hito vencido: Contrato firmado (INI-012-H2)"
    (to,) = msg["To"].addresses
    assert to.display_name == "Óscar Cañipa, jefe DOM"  # the comma is quoted, not a second address
    sentence = "Una alerta se le escaló porque nadie confirmó su recepción dentro del plazo previsto."
    assert sentence in text
    assert sentence in html_part
    assert "Estado: Escalada a la jefatura de la unidad" in text
    assert "jefatura de la unidad responsable" in text  # why they receive it


def test_the_escalation_sentence_is_for_superiors_not_for_the_officer():
    item = alert(kind="escalated", escalation_level=1)
    text, _ = bodies(send(OFFICER, [item]))

    assert "nadie confirmó su recepción" not in text


def test_escalations_to_the_management_unit_are_counted_and_explained():
    items = [alert(1, kind="escalated", escalation_level=2), alert(2, kind="escalated", escalation_level=2)]
    msg = send(MANAGEMENT_UNIT, items)
    text, _ = bodies(msg)

    assert msg["Subject"] == "[PLADECO Putre] Escalada: 2 alertas escaladas — INI-012"
    assert "2 alertas se le escalaron porque nadie confirmó su recepción" in text
    assert text.count("Estado: Escalada a la Unidad Ejecutora Comunal") == 2
    assert "integra la Unidad Ejecutora Comunal" in text


def test_a_critical_alert_is_flagged_in_the_subject_and_the_body():
    critical = alert(severity="critical")
    msg = send(OFFICER, [critical])
    text, _ = bodies(msg)

    assert msg["Subject"] == "[PLADECO Putre] [CRÍTICA] Hito vencido: Contrato firmado (INI-012-H2)"
    assert "Gravedad: Crítica" in text
    escalated = compose(NOTIFICATION, DEPARTMENT_HEAD, [alert(severity="critical", kind="escalated",
                                                               escalation_level=1)], domain=DOMAIN)
    assert escalated.subject.startswith("[PLADECO Putre] [CRÍTICA] Escalada: ")
    group = compose(NOTIFICATION, OFFICER, [alert(1), alert(2, severity="critical")], domain=DOMAIN)
    assert group.subject.startswith("[PLADECO Putre] [CRÍTICA] 2 alertas nuevas")


def test_a_resolved_critical_alert_is_not_flagged_as_urgent():
    composed = compose(NOTIFICATION, OFFICER, [resolved(1, severity="critical", title="Hito cumplido")],
                       domain=DOMAIN)

    assert composed.subject == "[PLADECO Putre] Resuelta: Hito cumplido"


# --- determinism ----------------------------------------------------------------------------------


def test_compose_gives_the_same_text_for_the_same_arguments_whatever_the_order_of_the_group():
    items = [alert(1), alert(2, severity="critical"), resolved(3)]
    first = compose(NOTIFICATION, OFFICER, items, domain=DOMAIN)

    assert isinstance(first, Composed)
    assert compose(NOTIFICATION, OFFICER, items, domain=DOMAIN) == first
    assert compose(NOTIFICATION, OFFICER, list(reversed(items)), domain=DOMAIN) == first
    assert first.message_id == "<0b7f3c1e-5d2a-4c8e-9f61-2a4b6c8d0e1f@pladeco.muniputre.cl>"
    assert compose("another-id", OFFICER, items, domain=DOMAIN).message_id != first.message_id


def test_a_retried_notification_is_byte_identical_apart_from_its_date():
    items = [alert(1), resolved(2)]
    once = compose_email(NOTIFICATION, OFFICER, items, sender=SENDER, domain=DOMAIN, sent_at=SENT_AT).as_bytes()
    again = compose_email(NOTIFICATION, OFFICER, items, sender=SENDER, domain=DOMAIN, sent_at=SENT_AT).as_bytes()
    later = compose_email(NOTIFICATION, OFFICER, items, sender=SENDER, domain=DOMAIN,
                          sent_at=SENT_AT + dt.timedelta(hours=1)).as_bytes()

    assert once == again
    differing = [(a, b) for a, b in zip(once.splitlines(), later.splitlines(), strict=True) if a != b]
    assert differing == [(b"Date: Wed, 25 Nov 2026 17:10:00 +0000", b"Date: Wed, 25 Nov 2026 18:10:00 +0000")]


# --- webhook --------------------------------------------------------------------------------------


def test_the_webhook_body_is_compact_sorted_utf8_json_in_the_e_mail_order():
    putre_summer = dt.timezone(dt.timedelta(hours=-3))
    items = [resolved(1), alert(2, raised_at=dt.datetime(2026, 11, 25, 14, 5, tzinfo=putre_summer))]
    body = webhook_body(NOTIFICATION, OFFICER, items)
    document = json.loads(body)

    assert body == json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    assert "María José Ñancupil Choque".encode() in body  # raw UTF-8, not \u escapes
    assert document["notification_id"] == NOTIFICATION
    assert document["recipient"] == {"name": OFFICER.name, "email": OFFICER.email, "role": "officer"}
    assert document["summary"] == compose(NOTIFICATION, OFFICER, items, domain=DOMAIN).subject
    assert [a["alert_id"] for a in document["alerts"]] == [items[1].alert_id, items[0].alert_id]
    first = document["alerts"][0]
    assert set(first) == {
        "alert_id", "kind", "rule", "severity", "initiative_code", "initiative_name", "title", "message",
        "explanation", "action", "board_url", "ack_url", "raised_at",
    }
    assert first["raised_at"] == "2026-11-25T17:05:00Z"  # 14:05 at UTC-3, stated in UTC
    assert first["ack_url"] == items[1].ack_url
    assert document["alerts"][1]["ack_url"] is None
    assert webhook_body(NOTIFICATION, OFFICER, list(reversed(items))) == body


# --- webhook signature ----------------------------------------------------------------------------

SECRET = "s3creto-compartido"
T = 1_764_090_000


def test_the_signature_is_hmac_sha256_of_the_timestamp_and_the_body():
    body = webhook_body(NOTIFICATION, OFFICER, [alert()])
    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + body, hashlib.sha256).hexdigest()

    assert sign_webhook(body, SECRET, T) == f"t={T},v1={expected}"


def test_a_signature_verifies_only_for_the_same_body_secret_and_a_recent_timestamp():
    body = webhook_body(NOTIFICATION, OFFICER, [alert()])
    header = sign_webhook(body, SECRET, T)

    assert verify_webhook(body, SECRET, header, now=T + 10) is True
    assert verify_webhook(body, SECRET, header, now=T + 300) is True  # at the edge of the window
    assert verify_webhook(body, "otro-secreto", header, now=T + 10) is False
    assert verify_webhook(body.replace(b"INI-012", b"INI-013"), SECRET, header, now=T + 10) is False
    assert verify_webhook(body, SECRET, header, now=T + 301) is False  # stale: a replay
    assert verify_webhook(body, SECRET, header, now=T - 301) is False  # from the future
    assert verify_webhook(body, SECRET, header, now=T + 3600, tolerance_s=3600) is True
    # Re-stamping a captured request breaks the signature, since the timestamp is signed too.
    signature = header.split(",v1=")[1]
    assert verify_webhook(body, SECRET, f"t={T + 3600},v1={signature}", now=T + 3600) is False


def test_malformed_headers_are_refused_and_rotated_secrets_are_accepted():
    body = b'{"a":1}'
    good = sign_webhook(body, SECRET, T).split(",v1=")[1]
    old = sign_webhook(body, "secreto-anterior", T).split(",v1=")[1]

    for header in ("", f"v1={good}", f"t={T}", f"t=abc,v1={good}", f"t={T},v1", f"t={T},t={T},v1={good}"):
        assert verify_webhook(body, SECRET, header, now=T) is False, header
    assert verify_webhook(body, SECRET, f"t={T},v1={old},v1={good}", now=T) is True
    assert verify_webhook(body, SECRET, f"t={T},v1={good},v1={old}", now=T) is True
    assert verify_webhook(body, SECRET, f"t={T},v1={old}", now=T) is False


# --- time in Putre --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("utc", "in_putre"),
    [
        # Summer time (UTC-3) ends at 24:00 on Saturday 4 April 2026: 23:xx happens twice.
        (dt.datetime(2026, 4, 5, 2, 30, tzinfo=UTC), "04-04-2026 23:30"),
        (dt.datetime(2026, 4, 5, 3, 30, tzinfo=UTC), "04-04-2026 23:30"),
        (dt.datetime(2026, 4, 5, 15, 0, tzinfo=UTC), "05-04-2026 11:00"),
        # Summer time starts at 24:00 on Saturday 5 September 2026: 00:xx on the 6th never happens.
        (dt.datetime(2026, 9, 6, 3, 30, tzinfo=UTC), "05-09-2026 23:30"),
        (dt.datetime(2026, 9, 6, 4, 30, tzinfo=UTC), "06-09-2026 01:30"),
        (dt.datetime(2026, 9, 6, 15, 0, tzinfo=UTC), "06-09-2026 12:00"),
        (dt.datetime(2026, 11, 25, 17, 5, tzinfo=UTC), "25-11-2026 14:05"),
        # An offset other than UTC is converted, not just reformatted.
        (dt.datetime(2026, 11, 25, 14, 5, tzinfo=dt.timezone(dt.timedelta(hours=-5))), "25-11-2026 16:05"),
    ],
)
def test_moments_are_shown_on_chiles_official_clock_across_daylight_saving_changes(utc, in_putre):
    assert santiago(utc) == in_putre


def test_a_naive_moment_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="timezone-aware"):
        santiago(dt.datetime(2026, 11, 25, 14, 5))
    with pytest.raises(ValueError, match="timezone-aware"):
        alert(raised_at=dt.datetime(2026, 11, 25, 14, 5))


# --- long subjects --------------------------------------------------------------------------------


def test_a_long_group_subject_keeps_the_counts_and_cuts_the_initiative_list():
    items = [alert(n, initiative_code=f"INI-{n:03d}") for n in range(1, 31)]
    subject = compose(NOTIFICATION, OFFICER, items, domain=DOMAIN).subject

    assert len(subject) <= 150
    assert subject.startswith("[PLADECO Putre] 30 alertas nuevas — INI-001, INI-002, ")
    assert subject.endswith(", …")
    listed = subject.split(" — ", 1)[1].removesuffix(", …").split(", ")
    assert listed == [f"INI-{n:03d}" for n in range(1, len(listed) + 1)]  # whole codes, none cut
    assert 10 < len(listed) < 30


def test_a_long_single_title_is_shortened_with_an_ellipsis():
    title = "Pronóstico: no cumplirá el plazo " + "la reposición del camino rural de Socoroma a Zapahuira " * 4
    subject = compose(NOTIFICATION, OFFICER, [alert(title=title, severity="critical")], domain=DOMAIN).subject

    assert 140 <= len(subject) <= 150
    assert subject.startswith("[PLADECO Putre] [CRÍTICA] Pronóstico: no cumplirá el plazo la reposición")
    assert subject.endswith("…")


def test_line_breaks_in_data_never_reach_a_header():
    msg = send(dataclasses.replace(OFFICER, name="María\r\nBcc: x@evil.example"),
               [alert(title="Hito vencido\nBcc: y@evil.example")])

    assert msg["Bcc"] is None
    assert msg["Subject"] == "[PLADECO Putre] Hito vencido Bcc: y@evil.example"
    assert msg["To"].addresses[0].addr_spec == "mjnancupil@muniputre.cl"


# --- refusals -------------------------------------------------------------------------------------


def test_what_cannot_be_sent_is_refused():
    with pytest.raises(ValueError, match="at least one alert"):
        compose(NOTIFICATION, OFFICER, [], domain=DOMAIN)
    with pytest.raises(ValueError, match="Message-ID"):
        message_id("a@b", DOMAIN)
    with pytest.raises(ValueError, match="Message-ID"):
        message_id(NOTIFICATION, "")
    with pytest.raises(ValueError, match="empty"):
        sign_webhook(b"{}", "", T)
    with pytest.raises(ValueError, match="unknown alert kind"):
        alert(kind="silenced")
