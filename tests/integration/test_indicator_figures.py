"""The indicator service over the real broker and database: hand-checked figures for two
initiatives of the Alcaldía and for the department, late (out-of-order) reports, duplicates, and a
restart that re-reads what was already applied.

The Alcaldía's initiatives in the sample plan (no other test reports on them):
- INI-084: $35.000.000, linear curve, 2020-07-01 → 2021-06-30 (364 days), milestones H1–H3 due
  2020-08-25, 2021-02-04, 2021-05-25.
- INI-088: $20.000.000, linear curve, 2022-02-01 → 2022-05-31, milestones H1 due 2022-03-21 and
  H2 due 2022-05-06; indicators I1 (meta_programa, 0 → 3000, green ≥ 85, yellow ≥ 60) and
  I2 (alerta_temprana, 0 → 100, green ≥ 95, yellow ≥ 80).
"""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from shared.events import IndicatorsUpdated, decode_event
from shared.topics import INDICATORS, PROGRESS
from tests.integration.conftest import post_progress
from tests.integration.probes import event_id_of, eventually, produce, progress_update, read_topic

pytestmark = pytest.mark.integration

# The service judges the figures as of its today; the hand computations below are as of 2021-01-01
# in Santiago (INI-088's report is about a later day, so it is judged as of that day).
JUDGED = "2021-01-01T15:00:00+00:00"


async def figures(db, code: str):
    return await db.fetchrow("SELECT * FROM scorecard.initiative WHERE initiative_code = $1", code)


async def figures_events(kafka, code: str) -> list:
    events = []
    for record in await read_topic(kafka.bootstrap_servers, INDICATORS.name):
        event = decode_event(record.value)
        if isinstance(event.payload, IndicatorsUpdated) and event.initiative_code == code:
            events.append(event)
    return events


@pytest.fixture
async def alcaldia(services, api_key):
    ingest = services("ingest")
    indicators = services("indicators", PLADECO_INDICATORS_LAG_INTERVAL_S="1", PLADECO_INDICATORS_CLOCK_START=JUDGED)
    key = await api_key("alcaldia", ["ALCALDIA"])
    return ingest, indicators, key


async def test_figures_of_the_alcaldia_match_the_hand_computed_ones(alcaldia, db, kafka):
    ingest, _, key = alcaldia
    on_time = progress_update("INI-084", as_of="2021-01-01", physical_progress_pct=40.0,
                              spent_to_date_clp=15_000_000)
    late_report = progress_update("INI-084", as_of="2020-10-31", physical_progress_pct=20.0,
                                  spent_to_date_clp=6_000_000)  # sent after, about an earlier date
    finished = progress_update(
        "INI-088", as_of="2022-05-31", physical_progress_pct=100.0, spent_to_date_clp=19_000_000,
        milestone_updates=[{"milestone_code": "INI-088-H1", "status": "done", "date": "2022-03-25"},
                           {"milestone_code": "INI-088-H2", "status": "done", "date": "2022-05-06"}],
        indicator_measurements=[{"indicator_code": "INI-088-I1", "value": 2700, "period": "2022-05"},
                                {"indicator_code": "INI-088-I2", "value": 70, "period": "2022-05"}],
    )
    for update in (on_time, late_report, finished):
        assert post_progress(ingest, update, key).status_code == 202

    async def both_applied():
        first, second = await figures(db, "INI-084"), await figures(db, "INI-088")
        return first["report_count"] == 2 and second["report_count"] == 1 and (first, second)

    ini_084, ini_088 = await eventually(both_applied, what="both initiatives' figures")

    # INI-084: the late report (2020-10-31) is history; the current state is still 2021-01-01's.
    assert ini_084["data_date"].isoformat() == "2021-01-01"
    assert ini_084["physical_progress_pct"] == 40.0
    # planned at 2021-01-01: 184 of 364 days = 50.549 %
    assert ini_084["planned_progress_pct"] == pytest.approx(100 * 184 / 364)
    assert ini_084["earned_value_clp"] == pytest.approx(0.40 * 35_000_000)            # $14.000.000
    assert ini_084["planned_value_clp"] == pytest.approx(184 / 364 * 35_000_000)      # $17.692.308
    assert ini_084["actual_cost_clp"] == 15_000_000
    assert ini_084["spi"] == pytest.approx(40 / (100 * 184 / 364))                    # 0.791 < 0.85
    assert ini_084["cpi"] == pytest.approx(14_000_000 / 15_000_000)                    # 0.933
    assert ini_084["financial_execution_pct"] == pytest.approx(100 * 15 / 35)          # 42.9 %
    assert (ini_084["status"], ini_084["status_label"]) == ("late", "Atrasada")
    # Earned schedule: 40 % of 364 days = 145.6 days earned in 184 elapsed → SPI(t) = 0.791.
    assert ini_084["judged_on"].isoformat() == "2021-01-01"
    assert ini_084["earned_schedule_days"] == pytest.approx(0.40 * 364)
    assert ini_084["spi_t"] == pytest.approx(0.40 * 364 / 184)
    assert ini_084["milestones_overdue"] == 3  # nothing reported, all due before today

    # INI-088: done on its last day, $19.000.000 spent; H1 late (03-25 > 03-21), H2 on time.
    assert (ini_088["status"], ini_088["physical_progress_pct"], ini_088["spi"]) == ("done", 100.0, 1.0)
    assert ini_088["cpi"] == pytest.approx(20_000_000 / 19_000_000)                    # 1.053
    assert (ini_088["milestones_done_on_time"], ini_088["milestones_done_late"]) == (1, 1)
    lights = {r["indicator_code"]: (r["efficacy_pct"], r["light"]) for r in await db.fetch(
        "SELECT indicator_code, efficacy_pct, light FROM scorecard.indicator WHERE initiative_code = 'INI-088'")}
    assert lights["INI-088-I1"] == (pytest.approx(100 * 2700 / 3000), "green")         # 90 % ≥ 85
    assert lights["INI-088-I2"] == (pytest.approx(70.0), "red")                         # 70 % < 80

    # The department: budget 35 + 20 = $55.000.000.
    department = await db.fetchrow(
        "SELECT * FROM scorecard.rollup WHERE level = 'department' AND group_code = 'ALCALDIA'")
    assert department["budget_clp"] == 55_000_000
    assert department["earned_value_clp"] == pytest.approx(14_000_000 + 20_000_000)
    assert department["physical_progress_pct"] == pytest.approx(100 * 34 / 55)          # 61.8 %
    planned_value = 184 / 364 * 35_000_000 + 20_000_000
    assert department["spi"] == pytest.approx(34_000_000 / planned_value)              # 0.902
    assert department["cpi"] == pytest.approx(34_000_000 / (15_000_000 + 19_000_000))  # 1.0
    assert department["financial_execution_pct"] == pytest.approx(100 * 34 / 55)
    assert (department["late"], department["done"]) == (1, 1)
    # milestones: 1 on time, 1 late, 3 overdue → 1 / 5 = 20 %
    assert department["milestone_compliance_pct"] == pytest.approx(20.0)

    # The S-curve keeps the late report in its month: October 2020 shows 20 %.
    october = await db.fetchrow(
        "SELECT * FROM scorecard.initiative_monthly WHERE initiative_code = 'INI-084' AND month = '2020-10-01'")
    assert october["physical_progress_pct"] == 20.0
    assert october["planned_progress_pct"] == pytest.approx(100 * 122 / 364)  # 2020-10-31: 122 days

    # Each change of figures was announced for the alert service.
    [announced] = [e for e in await figures_events(kafka, "INI-088")
                   if uuid.UUID(finished["event_id"]) in e.payload.caused_by]
    assert announced.payload.figures.status == "done"
    assert {i.indicator_code: i.light for i in announced.payload.indicators} == {"INI-088-I1": "green", "INI-088-I2": "red"}


async def test_the_same_event_twice_and_a_rewound_consumer_count_nothing_twice(alcaldia, services, db, kafka):
    ingest, indicators, key = alcaldia
    update = progress_update("INI-084", as_of="2021-03-31", physical_progress_pct=55.0)
    assert post_progress(ingest, update, key).status_code == 202
    await eventually(lambda: db.fetchval("SELECT count(*) FROM progress_report WHERE event_id = $1",
                                         uuid.UUID(update["event_id"])), what="the report")
    # A second copy straight onto the topic (a producer retry, a replayed file...).
    [record] = [r for r in await read_topic(kafka.bootstrap_servers, PROGRESS.name)
                if event_id_of(r.value) == update["event_id"]]
    await produce(kafka.bootstrap_servers, PROGRESS.name, record.value, key=record.key)
    marker = progress_update("INI-088", as_of="2022-05-31", physical_progress_pct=100.0)
    assert post_progress(ingest, marker, key).status_code == 202
    await eventually(lambda: db.fetchval("SELECT count(*) FROM progress_report WHERE event_id = $1",
                                         uuid.UUID(marker["event_id"])), what="the marker")
    before = await snapshot(db, kafka)

    # The service dies after its database commits but before Kafka learns of them: the group's
    # committed offsets go back to the beginning, as if no commit had reached Kafka.
    indicators.process.kill()
    indicators.process.wait()
    await rewind_group(kafka.bootstrap_servers, "pladeco-indicators", PROGRESS.name)
    restarted = services("indicators", PLADECO_INDICATORS_CLOCK_START=JUDGED)
    marker_after = progress_update("INI-084", as_of="2021-04-30", physical_progress_pct=60.0)
    assert post_progress(ingest, marker_after, key).status_code == 202
    await eventually(lambda: db.fetchval("SELECT count(*) FROM progress_report WHERE event_id = $1",
                                         uuid.UUID(marker_after["event_id"])), what="the report after the restart")

    after = await snapshot(db, kafka)
    assert after["reports"] == before["reports"] + 1, "only the new report was added"
    assert after["ini_084_reports"] == before["ini_084_reports"] + 1
    assert after["figures_events"] == before["figures_events"] + 1, "re-read events announce nothing"
    assert restarted.process.poll() is None
    # ... and it did read them all again: every earlier event came back as a duplicate.
    metrics = httpx.get(f"{restarted.url}/metrics", timeout=10).text
    skipped = sum(float(line.split()[-1]) for line in metrics.splitlines()
                  if line.startswith("pladeco_indicators_duplicates_skipped_total"))
    assert skipped >= before["reports"]


async def snapshot(db, kafka) -> dict:
    return {
        "reports": await db.fetchval("SELECT count(*) FROM progress_report"),
        "ini_084_reports": await db.fetchval("SELECT report_count FROM initiative_figures WHERE initiative_code = 'INI-084'"),
        "figures_events": len(await figures_events(kafka, "INI-084")),
    }


async def rewind_group(bootstrap: str, group_id: str, topic: str) -> None:
    """Commit offset 0 for every partition on behalf of the (now empty) group."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group_id, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(PROGRESS.partitions)]
        consumer.assign(partitions)
        deadline = asyncio.get_running_loop().time() + 60
        while True:  # the dead member's session must expire before the group accepts this commit
            try:
                await consumer.commit({tp: OffsetAndMetadata(0, "") for tp in partitions})
                return
            except Exception:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(1)
    finally:
        await consumer.stop()
