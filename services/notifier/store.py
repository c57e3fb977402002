"""SQL of the notifier: who hears of what (items), groups per recipient (notifications, recorded
before they are sent), reminders, and delivery outcomes.

Grouping follows Alertmanager: a recipient's first notice waits ``group_wait`` so that alerts
raised together go out together; later notices wait until ``group_interval`` after the previous
one; alerts still firing are repeated every ``repeat_interval``; an alert resolved before it was
ever sent is dropped, never announced.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.notifier.routing import Contacts, Person
from shared.events import AlertChanged, EventEnvelope

NOTIFIER = "pladeco-notifier"
REMINDER_NAMESPACE = uuid.UUID("3c2b1a09-8f7e-4d6c-9b5a-1e2f3a4b5c6d")
KIND_OF_EVENT = {"alert.raised": "raised", "alert.escalated": "escalated", "alert.resolved": "resolved"}


async def contacts(connection: asyncpg.Connection, initiative_code: str) -> Contacts:
    officers = await connection.fetch(
        "SELECT name, email FROM initiative_officer WHERE initiative_code = $1 ORDER BY position", initiative_code
    )
    head = await connection.fetchrow(
        "SELECT d.head_name, d.head_email FROM initiative i JOIN department d ON d.code = i.responsible_unit "
        "WHERE i.code = $1", initiative_code,
    )
    unit = await connection.fetchrow("SELECT management_unit_name, management_unit_email FROM plan LIMIT 1")
    return Contacts(
        officers=tuple(Person(row["name"], row["email"], "officer") for row in officers),
        department_head=Person(head["head_name"], head["head_email"], "department_head") if head else None,
        management_unit=Person(unit["management_unit_name"], unit["management_unit_email"], "management_unit")
        if unit else None,
    )


async def record_alert_event(
    connection: asyncpg.Connection, event: EventEnvelope[AlertChanged], people: list[Person], item: dict[str, Any],
    *, now: dt.datetime,
) -> bool:
    """Turn one alert event into items for its recipients, once. False when already recorded."""
    first = await connection.fetchval(
        "INSERT INTO processed_event (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING true",
        NOTIFIER, event.event_id,
    )
    if not first:
        return False
    alert_id = event.payload.alert_id
    if event.event_type == "alert.acknowledged":
        await connection.execute("UPDATE notifier_alert SET state = 'acknowledged' WHERE alert_id = $1", alert_id)
        return True
    if event.event_type == "alert.resolved":
        await _resolved(connection, event, item, now=now)
        return True
    kind = KIND_OF_EVENT[event.event_type]
    for person in people:
        await _add_item(connection, event.event_id, person, kind, item, now)
        await connection.execute(
            """
            INSERT INTO notifier_alert (alert_id, recipient_email, state, item) VALUES ($1, $2, 'firing', $3::jsonb)
            ON CONFLICT (alert_id, recipient_email) DO UPDATE SET state = 'firing', item = EXCLUDED.item
            """,
            alert_id, person.email, json.dumps(item),
        )
    return True


async def _add_item(connection: asyncpg.Connection, event_id: uuid.UUID, person: Person, kind: str,
                    item: dict[str, Any], now: dt.datetime) -> None:
    await connection.execute(
        """
        INSERT INTO notification_item (event_id, alert_id, recipient_email, recipient_name, recipient_role, kind,
                                       item, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) ON CONFLICT DO NOTHING
        """,
        event_id, uuid.UUID(item["alert_id"]), person.email, person.name, person.role, kind, json.dumps(item), now,
    )


async def _resolved(connection: asyncpg.Connection, event: EventEnvelope[AlertChanged], item: dict[str, Any],
                    *, now: dt.datetime) -> None:
    alert_id = event.payload.alert_id
    # Resolved before anyone was told: drop the unsent notice and say nothing.
    await connection.execute(
        "UPDATE notification_item SET dropped = true WHERE alert_id = $1 AND group_id IS NULL AND NOT dropped",
        alert_id,
    )
    told = await connection.fetch(
        "SELECT DISTINCT recipient_email, recipient_name, recipient_role FROM notification_item "
        "WHERE alert_id = $1 AND group_id IS NOT NULL", alert_id,
    )
    for row in told:
        person = Person(row["recipient_name"], row["recipient_email"], row["recipient_role"])
        await _add_item(connection, event.event_id, person, "resolved", item, now)
    await connection.execute("UPDATE notifier_alert SET state = 'resolved' WHERE alert_id = $1", alert_id)


async def add_reminders(connection: asyncpg.Connection, *, now: dt.datetime, repeat_interval: dt.timedelta) -> int:
    rows = await connection.fetch(
        "SELECT n.alert_id, n.recipient_email, n.item::text, n.last_notified_at, i.recipient_name, i.recipient_role "
        "FROM notifier_alert n JOIN LATERAL (SELECT recipient_name, recipient_role FROM notification_item x "
        "  WHERE x.alert_id = n.alert_id AND x.recipient_email = n.recipient_email LIMIT 1) i ON true "
        "WHERE n.state = 'firing' AND n.last_notified_at <= $1", now - repeat_interval,
    )
    for row in rows:
        # One reminder per alert, recipient and round: its id comes from the last notice's time.
        event_id = uuid.uuid5(REMINDER_NAMESPACE, f"{row['alert_id']}|{row['recipient_email']}|{row['last_notified_at'].isoformat()}")
        person = Person(row["recipient_name"], row["recipient_email"], row["recipient_role"])
        await _add_item(connection, event_id, person, "reminder", json.loads(row["item"]), now)
    return len(rows)


@dataclass(frozen=True)
class Group:
    recipient: Person
    items: list[dict[str, Any]]
    item_ids: list[int]


async def ready_groups(
    connection: asyncpg.Connection, *, now: dt.datetime, group_wait: dt.timedelta, group_interval: dt.timedelta,
) -> list[Group]:
    """The recipients whose unsent items may go out now, with their items (locked)."""
    rows = await connection.fetch(
        """
        SELECT i.item_id, i.recipient_email, i.recipient_name, i.recipient_role, i.kind, i.item::text
        FROM notification_item i
        WHERE i.group_id IS NULL AND NOT i.dropped
          AND i.recipient_email IN (
              SELECT u.recipient_email FROM notification_item u
              WHERE u.group_id IS NULL AND NOT u.dropped
              GROUP BY u.recipient_email
              HAVING min(u.created_at) <= $1
                 AND NOT EXISTS (SELECT 1 FROM notification n WHERE n.recipient_email = u.recipient_email
                                 AND n.created_at > $2))
        ORDER BY i.recipient_email, i.item_id
        FOR UPDATE
        """,
        now - group_wait, now - group_interval,
    )
    groups: dict[str, Group] = {}
    for row in rows:
        group = groups.setdefault(row["recipient_email"], Group(
            Person(row["recipient_name"], row["recipient_email"], row["recipient_role"]), [], []))
        group.items.append({**json.loads(row["item"]), "kind": row["kind"]})
        group.item_ids.append(row["item_id"])
    return list(groups.values())


async def record_notification(
    connection: asyncpg.Connection, group: Group, *, group_id: uuid.UUID, channel: str,
    notification_id: uuid.UUID, message_id: str, subject: str, now: dt.datetime,
) -> None:
    await connection.execute(
        """
        INSERT INTO notification (notification_id, group_id, recipient_email, recipient_name, recipient_role,
                                  channel, message_id, subject, item_count, status, next_attempt_at, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $10)
        """,
        notification_id, group_id, group.recipient.email, group.recipient.name, group.recipient.role, channel,
        message_id, subject, len(group.items), now,
    )


async def assign_items(connection: asyncpg.Connection, group: Group, group_id: uuid.UUID, now: dt.datetime) -> None:
    await connection.execute("UPDATE notification_item SET group_id = $2 WHERE item_id = ANY($1::bigint[])",
                             group.item_ids, group_id)
    alert_ids = list({uuid.UUID(item["alert_id"]) for item in group.items})
    await connection.execute(
        "UPDATE notifier_alert SET last_notified_at = $3 WHERE alert_id = ANY($1::uuid[]) AND recipient_email = $2",
        alert_ids, group.recipient.email, now,
    )


async def due_notifications(connection: asyncpg.Connection, now: dt.datetime, limit: int = 50) -> list[asyncpg.Record]:
    return await connection.fetch(
        "SELECT * FROM notification WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY created_at LIMIT $2",
        now, limit,
    )


async def group_items(connection: asyncpg.Connection, group_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await connection.fetch(
        "SELECT kind, item::text FROM notification_item WHERE group_id = $1 ORDER BY item_id", group_id
    )
    return [{**json.loads(row["item"]), "kind": row["kind"]} for row in rows]


async def mark_sent(connection: asyncpg.Connection, notification_id: uuid.UUID, now: dt.datetime) -> None:
    await connection.execute(
        "UPDATE notification SET status = 'sent', sent_at = $2, attempts = attempts + 1 WHERE notification_id = $1",
        notification_id, now,
    )


async def mark_attempt_failed(
    connection: asyncpg.Connection, notification_id: uuid.UUID, *, error: str, permanent: bool,
    next_attempt_at: dt.datetime,
) -> None:
    await connection.execute(
        "UPDATE notification SET attempts = attempts + 1, last_error = $2, "
        "status = CASE WHEN $3 THEN 'failed' ELSE status END, next_attempt_at = $4 WHERE notification_id = $1",
        notification_id, error[:2000], permanent, next_attempt_at,
    )


async def pending_count(connection: asyncpg.Connection) -> int:
    """How many notifications wait to be delivered."""
    return int(await connection.fetchval("SELECT count(*) FROM notification WHERE status = 'pending'"))
