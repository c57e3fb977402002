"""Alerts and notifications over the real broker, database, an SMTP server (aiosmtpd) and an HTTP
receiver: a missed milestone reaches its officer once, escalates to the department head (e-mail and
webhook) when nobody acknowledges it, resolves when reported done; a silence mutes; an acknowledged
alert does not escalate; a notifier killed mid-batch notifies every alert exactly once.

The alert service's clock starts on 2020-08-26 (America/Santiago): the sample plan's milestones due
before then (INI-039-H1 on 2020-08-25 among them) are overdue; later ones are not.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest

from services.notifier.messages import verify_webhook
from tests.conftest import ROOT
from tests.integration.conftest import post_progress
from tests.integration.probes import eventually, progress_update

pytestmark = pytest.mark.integration

SECRET = "integration-test-link-secret-of-32-or-more-characters"
WEBHOOK_SECRET = "integration-test-webhook-secret"
CLOCK_START = "2020-08-26T15:00:00+00:00"


def rules_file(tmp_path: Path, *, escalate_after: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(f"""
version: 1
escalation:
  department_head_after: {escalate_after}
  management_unit_after: 100000s
rules:
  - name: hito_vencido
    kind: milestone_overdue
    severity: warning
    title: "Hito vencido: {{milestone_name}} ({{milestone_code}})"
    message: "El hito de {{initiative_code}} venció el {{due_date}}."
    action: "Informe el estado del hito."
""", encoding="utf-8")
    return path


def routes_file(tmp_path: Path, webhook_url: str, head_email: str) -> Path:
    path = tmp_path / "routes.yaml"
    path.write_text(json.dumps({
        "version": 1, "default_channels": ["email"],
        "webhooks": {"turismo-chat": {"url": webhook_url, "secret_env": "PLADECO_TEST_WEBHOOK_SECRET"}},
        "recipients": {head_email: ["email", "webhook:turismo-chat"]},
    }), encoding="utf-8")
    return path


def pladeco(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *args], env={**os.environ, **env}, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def people(sample_plan: dict, code: str) -> tuple[list[str], str]:
    initiative = next(i for i in sample_plan["iniciativas"] if i["codigo"] == code)
    head = next(d for d in sample_plan["departamentos"] if d["codigo"] == initiative["unidad_responsable"])
    return [o["email"] for o in initiative["responsables"]], head["jefatura"]["email"]


def mentions(message, text: str) -> bool:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return text in body or text in str(message["Subject"])


async def test_a_missed_milestone_reaches_its_officer_escalates_and_resolves(
    services, service_env, sample_plan, smtp_server, webhook_receiver, api_key, db, tmp_path
):
    catcher, smtp_port = smtp_server
    officers, head = people(sample_plan, "INI-039")
    silenced_officers, _ = people(sample_plan, "INI-074")
    cli_env = {k: v for k, v in service_env.items() if k != "PLADECO_STARTUP_TIMEOUT_S"}
    muted = pladeco(cli_env, "alerts", "silence", "--initiative", "INI-074", "--until", "2030-12-31",
                    "--actor", "secplan@muniputre.example", "--reason", "Iniciativa en revisión por el Concejo")
    assert muted.returncode == 0, muted.stderr

    services("indicators")
    ingest = services("ingest")
    alerts = services("alerts", PLADECO_ALERTS_RULES_FILE=str(rules_file(tmp_path, escalate_after="12s")),
                      PLADECO_ALERTS_TICK_S="1", PLADECO_ALERTS_CLOCK_START=CLOCK_START,
                      PLADECO_ALERTS_LINK_SECRET=SECRET)
    services("notifier", PLADECO_SMTP_PORT=str(smtp_port), PLADECO_ALERTS_PUBLIC_URL=alerts.url, PLADECO_NOTIFIER_GROUP_WAIT_S="1",
             PLADECO_NOTIFIER_GROUP_INTERVAL_S="2", PLADECO_NOTIFIER_DISPATCH_INTERVAL_S="0.5",
             PLADECO_NOTIFIER_ROUTES_FILE=str(routes_file(tmp_path, webhook_receiver.url, head)),
             PLADECO_TEST_WEBHOOK_SECRET=WEBHOOK_SECRET, PLADECO_ALERTS_LINK_SECRET=SECRET)

    # One e-mail to the officer, about the missed milestone.
    [first] = await eventually(lambda: _async(catcher.to(officers[0])), what="the officer's e-mail")
    assert mentions(first, "INI-039-H1")
    assert first["Message-ID"].startswith("<") and first["X-PLADECO-Notification"]

    # Silenced: nothing about INI-074 reaches anyone.
    assert not any(mentions(m, "INI-074-H1") for m in catcher.received())

    # Another officer acknowledges their alert with the signed link in their e-mail.
    others = [m for m in catcher.received() if not mentions(m, "INI-039")]
    acknowledged = None
    if others:
        link = re.search(r"https?://\S+/acknowledge\?\S+", others[0].get_body(preferencelist=("plain",)).get_content())
        assert link, "every notice carries its signed acknowledge link"
        confirmed = httpx.post(link.group(0), timeout=10)
        assert confirmed.status_code == 200 and "confirmada" in confirmed.text
        acknowledged = re.search(r"/v1/alerts/([0-9a-f-]+)/", link.group(0)).group(1)
        # On a loaded machine its 12 s may have run out before the click: what matters is that an
        # acknowledged alert is escalated no further.
        level_when_acknowledged = await db.fetchval("SELECT escalation_level FROM alert WHERE alert_id = $1",
                                                    uuid.UUID(acknowledged))
        assert httpx.post(link.group(0).replace("token=", "token=0"), timeout=10).status_code == 403

    # Nobody acknowledged INI-039's: after 12 s the department head hears of it, by e-mail and webhook.
    [escalated] = await eventually(lambda: _async([m for m in catcher.to(head) if mentions(m, "INI-039-H1")]),
                                   timeout_s=90, what="the escalation to the department head")
    assert "Escalada" in str(escalated["Subject"])
    hooks = await eventually(lambda: _async([p for p in webhook_receiver.posts if b"INI-039-H1" in p[1]]),
                             what="the webhook")
    headers, body = hooks[0]
    assert verify_webhook(body, WEBHOOK_SECRET, headers["x-pladeco-signature"], now=int(dt.datetime.now().timestamp()))
    if acknowledged:
        level = await db.fetchval("SELECT escalation_level FROM alert WHERE alert_id = $1", uuid.UUID(acknowledged))
        assert level == level_when_acknowledged, "an acknowledged alert is not escalated"

    # The officer reports the milestone done: the alert resolves, and those told hear so.
    key = await api_key("turismo", ["TURISMO"])
    done = progress_update("INI-039", as_of="2020-08-31", physical_progress_pct=15.0,
                           milestone_updates=[{"milestone_code": "INI-039-H1", "status": "done", "date": "2020-08-28"}])
    assert post_progress(ingest, done, key).status_code == 202
    resolved = await eventually(
        lambda: _async([m for m in catcher.to(officers[0]) if "resuelta" in str(m["Subject"]).lower()
                        or "Resueltas" in m.get_body(preferencelist=("plain",)).get_content()]),
        timeout_s=60, what="the resolved notice")
    assert mentions(resolved[0], "INI-039-H1")
    state = await db.fetchval("SELECT state FROM alert WHERE subject_code = 'INI-039-H1' ORDER BY first_seen_at DESC LIMIT 1")
    assert state == "resolved"
    # Exactly one first notice to the officer about it, whatever else happened.
    first_notices = [m for m in catcher.to(officers[0]) if mentions(m, "INI-039-H1")
                     and "Escalada" not in str(m["Subject"]) and m is not resolved[0]]
    assert len(first_notices) == 1


async def _async(value):
    return value


async def test_a_notifier_killed_mid_batch_notifies_every_alert_exactly_once(
    services, sample_plan, smtp_server, db, tmp_path
):
    catcher, smtp_port = smtp_server
    started = dt.datetime.now(dt.UTC)
    notifier_env = dict(PLADECO_SMTP_PORT=str(smtp_port), PLADECO_NOTIFIER_GROUP_WAIT_S="0.5",
                        PLADECO_NOTIFIER_GROUP_INTERVAL_S="1", PLADECO_NOTIFIER_DISPATCH_INTERVAL_S="0.2",
                        PLADECO_ALERTS_LINK_SECRET=SECRET)
    notifier = services("notifier", **notifier_env)
    # Late 2025: most of the plan's milestones are overdue, so one evaluation raises many alerts.
    services("alerts", PLADECO_ALERTS_RULES_FILE=str(rules_file(tmp_path, escalate_after="3000s")),
             PLADECO_ALERTS_TICK_S="2", PLADECO_ALERTS_CLOCK_START="2025-11-30T15:00:00+00:00",
             PLADECO_ALERTS_LINK_SECRET=SECRET)

    await eventually(lambda: _async(len(catcher.received()) >= 5), timeout_s=90, what="the first e-mails")
    notifier.process.kill()  # in the middle of the batch
    notifier.process.wait()
    services("notifier", **notifier_env)

    async def settled():
        unsent = await db.fetchval("SELECT count(*) FROM notification_item WHERE group_id IS NULL AND NOT dropped")
        pending = await db.fetchval("SELECT count(*) FROM notification WHERE status = 'pending'")
        return unsent == 0 and pending == 0 and len(catcher.received()) > 5

    await eventually(settled, timeout_s=120, what="every notification delivered")
    sent = await db.fetch(
        "SELECT notification_id::text, message_id FROM notification WHERE channel = 'email' AND sent_at >= $1", started)
    received_ids = [m["Message-ID"] for m in catcher.received()]
    # The kill may land between the server's acceptance of an e-mail and its "sent" mark (one
    # e-mail at a time is in flight): that one e-mail, and only it, arrives again, with the same
    # Message-ID, so mail systems recognise the copy (docs/alerts.md).
    repeated = [message_id for message_id, times in Counter(received_ids).items() if times > 1]
    assert len(repeated) <= 1, f"only the e-mail in flight at the kill may arrive again: {repeated}"
    assert all(received_ids.count(message_id) == 2 for message_id in repeated), "and only once more"
    assert sorted(set(received_ids)) == sorted(r["message_id"] for r in sent), "each recorded notification arrived"
    raised = await db.fetchval(
        "SELECT count(*) FROM notification_item i JOIN alert a USING (alert_id) "
        "WHERE i.kind = 'raised' AND a.first_seen_at >= '2025-11-30'")
    per_alert = await db.fetch(
        "SELECT alert_id, recipient_email, count(*) AS times FROM notification_item WHERE kind = 'raised' "
        "GROUP BY alert_id, recipient_email HAVING count(*) > 1")
    assert raised > 5 and per_alert == [], "every alert is told once to each of its officers"
