"""On a three-broker KRaft cluster (replication factor 3, min.insync.replicas 2, as
`deploy/stack.sh up --brokers 3` runs it), one broker killed -9 mid-stream loses and doubles
nothing, and the ingest never answers 202 for an update that fewer than two replicas hold.

The cluster is the project's own (deploy/kafka.sh with PLADECO_KAFKA_BROKERS=3) under var/test-cluster/,
on ports 19192–19197 moved by PLADECO_TEST_PORT_OFFSET; the topics are created by `pladeco topics
ensure`. The database is the session's; the ingest and the indicator service talk to the cluster.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from tests.conftest import PORT_OFFSET, ROOT, ServiceProcess
from tests.integration.probes import event_id_of, eventually, progress_update, read_topic

pytestmark = pytest.mark.integration

UPDATES = 600
KILL_AFTER = 200
CLUSTER_VAR = ROOT / "var" / "test-cluster"
BASE_PORT = 19192 + PORT_OFFSET
CLUSTER_ENV = {
    "PLADECO_VAR_DIR": str(CLUSTER_VAR),
    "PLADECO_KAFKA_BROKERS": "3",
    "PLADECO_KAFKA_PORT": str(BASE_PORT),
    "PLADECO_KAFKA_CONTROLLER_PORT": str(BASE_PORT + 1),
    "PLADECO_KAFKA_HEAP": "384m",
}


@dataclass
class Cluster:
    bootstrap_servers: str

    def kill(self, node: int) -> None:
        """SIGKILL to node N's broker: no shutdown, no flush."""
        pid = int((CLUSTER_VAR / "run" / f"kafka-{node}.pid").read_text())
        os.kill(pid, signal.SIGKILL)


def kafka_sh(command: str) -> None:
    subprocess.run([str(ROOT / "deploy" / "kafka.sh"), command], env={**os.environ, **CLUSTER_ENV},
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        pytest.skip("the tests use someone else's broker; the cluster is started by deploy/kafka.sh only")
    kafka_sh("stop")
    shutil.rmtree(CLUSTER_VAR, ignore_errors=True)
    kafka_sh("start")
    try:
        yield Cluster(",".join(f"127.0.0.1:{BASE_PORT + 2 * n}" for n in range(3)))
    finally:
        kafka_sh("stop")


async def topic_layout(bootstrap: str, topic: str) -> tuple[list[dict], str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
        responses = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        entries = {entry[0]: entry[1] for response in responses for resource in response.resources
                   if resource[3] == topic for entry in resource[4]}
        return described["partitions"], entries.get("min.insync.replicas", f"missing from {responses}")
    finally:
        await admin.close()


async def test_a_broker_killed_mid_stream_loses_and_doubles_nothing(cluster, database_url, api_key, db, tmp_path):
    env = {"PLADECO_KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrap_servers, "PLADECO_DATABASE_URL": database_url,
           "PLADECO_STARTUP_TIMEOUT_S": "90"}
    ensured = subprocess.run([sys.executable, "-m", "cli", "topics", "ensure"], cwd=ROOT, capture_output=True,
                             text=True, timeout=120, env={**os.environ, **env, "PLADECO_KAFKA_REPLICATION_FACTOR": "3"})
    assert ensured.returncode == 0, ensured.stdout + ensured.stderr
    # A topic just created reaches every broker's metadata a moment later.
    for _ in range(60):
        partitions, min_insync = await topic_layout(cluster.bootstrap_servers, "pladeco.progress")
        if not min_insync.startswith("missing") and len(partitions) == 6:
            break
        await asyncio.sleep(0.5)
    assert min_insync == "2"
    assert sorted(len(p["replicas"]) for p in partitions) == [3] * 6

    key = await api_key("cluster-tests")
    started = [ServiceProcess(name, env, tmp_path / "logs").start() for name in ("ingest", "indicators")]
    ingest = started[0]
    try:
        codes = [f"INI-{n:03d}" for n in range(1, 31)]
        updates = [progress_update(codes[i % len(codes)], physical_progress_pct=float(i % 100)) for i in range(UPDATES)]
        answers: Counter[str] = Counter()
        queue: asyncio.Queue[dict] = asyncio.Queue()
        for update in updates:
            queue.put_nowait(update)
        accepted = 0
        killed = asyncio.Event()

        async def reporter(client: httpx.AsyncClient) -> None:
            nonlocal accepted
            while not queue.empty():
                update = queue.get_nowait()
                while True:  # a refused update is sent again, with the same event id
                    try:
                        answer = await client.post("/v1/progress", json=update)
                        answers[str(answer.status_code)] += 1
                        if answer.status_code == 202:
                            break
                        assert answer.status_code == 503, answer.text
                    except httpx.TimeoutException:
                        answers["timeout"] += 1
                    await asyncio.sleep(0.5)
                accepted += 1
                if accepted == KILL_AFTER and not killed.is_set():
                    killed.set()
                    cluster.kill(1)

        async with httpx.AsyncClient(base_url=ingest.url, timeout=90,
                                     headers={"authorization": f"Bearer {key}"}) as client:
            await asyncio.gather(*(reporter(client) for _ in range(4)))
        assert killed.is_set() and accepted == UPDATES

        ids = [uuid.UUID(u["event_id"]) for u in updates]

        async def all_applied() -> bool:
            return await db.fetchval("SELECT count(*) FROM progress_report WHERE event_id = ANY($1::uuid[])",
                                     ids) >= UPDATES

        await eventually(all_applied, timeout_s=180, what=f"all {UPDATES} updates applied")
        applied = Counter(row["event_id"] for row in await db.fetch(
            "SELECT event_id FROM progress_report WHERE event_id = ANY($1::uuid[])", ids))
        assert set(applied) == set(ids) and set(applied.values()) == {1}, "an update applied twice"

        on_topic = Counter(event_id_of(record.value)
                           for record in await read_topic(cluster.bootstrap_servers, "pladeco.progress", timeout_s=60))
        assert set(on_topic) == {str(i) for i in ids}, "an update lost on the topic (or one nobody sent)"
        assert set(on_topic.values()) == {1}, "an update written twice to the topic"

        # The survivors hold every partition: two in-sync replicas each, node 1 out of every set.
        partitions, _ = await topic_layout(cluster.bootstrap_servers, "pladeco.progress")
        assert all(1 not in p["isr"] and len(p["isr"]) == 2 for p in partitions), partitions

        # A second broker gone: one replica left, below min.insync.replicas. The ingest must not
        # answer 202 (it answers 503, or keeps the client waiting while the producer retries).
        cluster.kill(2)
        refused = progress_update("INI-002", physical_progress_pct=99.0)
        try:
            answer = httpx.post(f"{ingest.url}/v1/progress", json=refused, timeout=30,
                                headers={"authorization": f"Bearer {key}"})
            assert answer.status_code != 202 and answer.status_code in (503,), answer.text
        except httpx.TimeoutException:
            pass
        assert await db.fetchval("SELECT count(*) FROM ingest_event WHERE event_id = $1",
                                 uuid.UUID(refused["event_id"])) == 0
        print(f"answers while posting {UPDATES} updates with broker 1 killed after {KILL_AFTER}: {dict(answers)}")
    finally:
        for service in reversed(started):
            service.stop()
