"""The Kafka topics of the system, in one place: names, partitions, retention.

Events are keyed by initiative code, so each initiative's events stay in order within a partition.
History topics (the plan and accepted progress) are kept forever and never compacted: compaction
would keep only the last event per initiative and the audit trail would be gone.
`pladeco topics ensure` creates what is missing and reports any topic whose settings drifted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

DAY_MS = 24 * 60 * 60 * 1000
FOREVER = -1
PLAN_MAX_MESSAGE_BYTES = 16 * 1024 * 1024
"""A plan revision travels as one message (applied all or nothing); the first load of a large plan
is a few MB of JSON before compression."""


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    retention_ms: int
    description: str
    extra_config: dict[str, str] = field(default_factory=dict)

    def config(self, replication_factor: int) -> dict[str, str]:
        config = {
            "cleanup.policy": "delete",
            "retention.ms": str(self.retention_ms),
            # With three or more replicas an acknowledged write must reach two of them.
            "min.insync.replicas": "2" if replication_factor >= 3 else "1",
            **self.extra_config,
        }
        return config


PLAN = TopicSpec(
    "pladeco.plan",
    partitions=6,
    retention_ms=FOREVER,
    description="Plan changes: initiatives defined, budgets, targets and milestones changed. "
    "Kept forever: auditors rebuild any past plan from it.",
    extra_config={"max.message.bytes": str(PLAN_MAX_MESSAGE_BYTES)},
)
PROGRESS_RAW = TopicSpec(
    "pladeco.progress.raw",
    partitions=6,
    retention_ms=30 * DAY_MS,
    description="Progress updates as municipal systems publish them directly, before validation.",
)
PROGRESS = TopicSpec(
    "pladeco.progress",
    partitions=6,
    retention_ms=FOREVER,
    description="Accepted progress updates (validated, deduplicated). Kept forever.",
)
INDICATORS = TopicSpec(
    "pladeco.indicators",
    partitions=6,
    retention_ms=90 * DAY_MS,
    description="Indicator values that changed; derived, so a replay can rebuild them.",
)
ALERTS = TopicSpec(
    "pladeco.alerts",
    partitions=6,
    retention_ms=FOREVER,
    description="Alert lifecycle: raised, acknowledged, escalated, resolved. Kept forever.",
)
DEAD_LETTER = TopicSpec(
    "pladeco.deadletter",
    partitions=1,
    retention_ms=FOREVER,
    description="Events a consumer could not accept, with the reason and the source offset.",
)

AUDIT = TopicSpec(
    "pladeco.audit",
    partitions=1,
    retention_ms=FOREVER,
    description="The event log's head hash after every append: a copy of the chain's state outside "
    "the database, so that a rewritten chain shows. Kept forever.",
)

ALL_TOPICS: tuple[TopicSpec, ...] = (PLAN, PROGRESS_RAW, PROGRESS, INDICATORS, ALERTS, DEAD_LETTER, AUDIT)


@dataclass(frozen=True)
class TopicReport:
    created: list[str]
    already_present: list[str]
    drifted: list[str]


async def ensure_topics(
    bootstrap_servers: str,
    replication_factor: int,
    specs: tuple[TopicSpec, ...] = ALL_TOPICS,
) -> TopicReport:
    """Create the missing topics; report existing ones whose partitions or retention differ."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="pladeco-topics")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [spec for spec in specs if spec.name not in existing]
        if missing:
            await admin.create_topics(
                [
                    NewTopic(
                        name=spec.name,
                        num_partitions=spec.partitions,
                        replication_factor=replication_factor,
                        topic_configs=spec.config(replication_factor),
                    )
                    for spec in missing
                ]
            )
        present = [spec for spec in specs if spec.name in existing]
        drifted = await _drifted(admin, present, replication_factor)
    finally:
        await admin.close()
    return TopicReport(
        created=[spec.name for spec in missing],
        already_present=[spec.name for spec in present],
        drifted=drifted,
    )


async def _drifted(
    admin: AIOKafkaAdminClient, specs: list[TopicSpec], replication_factor: int
) -> list[str]:
    if not specs:
        return []
    problems: list[str] = []
    described = await admin.describe_topics([spec.name for spec in specs])
    partitions = {topic["topic"]: len(topic["partitions"]) for topic in described}
    responses = await admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, spec.name) for spec in specs]
    )
    actual: dict[str, dict[str, str]] = {}
    for response in responses:
        for resource in response.resources:
            _error_code, _error_message, _type, name, entries = resource[:5]
            actual[name] = {entry[0]: entry[1] for entry in entries}
    for spec in specs:
        if partitions.get(spec.name) != spec.partitions:
            problems.append(
                f"{spec.name}: {partitions.get(spec.name)} partitions, expected {spec.partitions}"
            )
        for key, expected in spec.config(replication_factor).items():
            if key == "min.insync.replicas":
                continue
            got = actual.get(spec.name, {}).get(key)
            if got != expected:
                problems.append(f"{spec.name}: {key}={got}, expected {expected}")
    return problems
