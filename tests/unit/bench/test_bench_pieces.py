"""The benchmark's own pieces (the bench itself is run by hand, `python -m bench`): its table, its
memory reading, its per-event CPU steps and how its SMTP inbox finds an initiative's e-mail."""

from __future__ import annotations

import os

from bench.__main__ import Row, print_table
from bench.alerting import Inbox
from bench.memory import memory_of
from bench.stages import per_event_costs


def test_the_table_shows_each_ratio_against_its_baseline_and_whether_the_target_is_met(capsys):
    rows = [Row("raw aiokafka consume (baseline)", 200_000, "events/s"),
            Row("Kafka → figures committed", 4_000, "events/s", 200_000, "raw consume", "≥ 0.5", False),
            Row("p99 accepted → figures committed at 1,000/s", 0.9, "s", None, "", "< 1 s", True),
            Row("memory of ingest, plan ×10 vs sample", 90, "MiB", 80, "sample", "≤ 1.2", True)]

    print_table(rows, ["a note"], 271.4)

    out = capsys.readouterr().out
    assert "271 s" in out
    assert "|      4,000/s |    200,000/s |   0.020 |   ≥ 0.5 | NO  |" in out
    assert "|      0.900 s |" in out and "| yes |" in out
    assert "|       90 MiB |       80 MiB |   1.125 |" in out
    assert out.rstrip().endswith("a note")


def test_memory_is_read_from_proc_for_a_live_process():
    memory = memory_of(os.getpid())
    assert 5 < memory.resident_mib <= memory.peak_mib < 10_000


def test_each_cpu_step_of_an_event_is_measured():
    costs = per_event_costs(count=200)
    assert len(costs) == 3 and all(0 < microseconds < 100_000 for microseconds in costs.values())


def test_the_inbox_finds_the_first_e_mail_naming_an_initiative_and_not_its_copies():
    inbox = Inbox()
    inbox.arrived += [(10.0, "Sobrecosto: INI-012-X2 gastó"), (11.0, "Sobrecosto: INI-012 gastó"),
                      (12.0, "Recordatorio: INI-012")]
    assert inbox.first_mention("INI-012") == 11.0
    assert inbox.first_mention("INI-013") is None
    assert inbox.first_mention("INI-012-X2") == 10.0
