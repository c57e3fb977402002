"""docker-compose.yml is valid Compose and runs the same system as the native stack: the same
variables, ports, topics and Prometheus jobs."""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from cli.main import build_parser
from shared.settings import ENV_PREFIX

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SCHEMA = ROOT / "var" / "tools" / "compose-spec.json"
SETTINGS = {
    "ingest": ("services.ingest.settings", "IngestSettings"),
    "indicators": ("services.indicators.settings", "IndicatorSettings"),
    "alerts": ("services.alerts.settings", "AlertSettings"),
    "notifier": ("services.notifier.settings", "NotifierSettings"),
    "portal": ("services.portal.settings", "PortalSettings"),
}
DEPLOY_VARIABLES = {"PLADECO_DB_NAME", "PLADECO_DB_USER", "PLADECO_DB_PASSWORD"}


def settings_type(service: str):
    module, name = SETTINGS[service]
    return getattr(importlib.import_module(module), name)


def env_names(settings) -> set[str]:
    return {f"{ENV_PREFIX}{field}".upper() for field in settings.model_fields}


def published_host_ports(service: dict) -> list[int]:
    return [int(str(port).split(":")[-2]) for port in service.get("ports", [])]


def test_the_compose_file_is_valid_against_the_compose_specification():
    assert SCHEMA.exists(), f"{SCHEMA} is missing: run deploy/install.sh"
    validator = jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text()))

    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(COMPOSE)]

    assert errors == []


@pytest.mark.parametrize("name", list(SETTINGS))
def test_each_service_reads_only_real_settings_and_publishes_its_default_port(name: str):
    service = COMPOSE["services"][name]
    settings = settings_type(name)

    unknown = {v for v in service["environment"] if v.startswith(ENV_PREFIX)} - env_names(settings)
    default_port = settings.model_fields["http_port"].default

    assert unknown == set(), f"{name} sets variables no settings class reads"
    assert int(service["environment"]["PLADECO_HTTP_PORT"]) == default_port
    assert published_host_ports(service) == [default_port]
    assert str(default_port) in " ".join(service["healthcheck"]["test"])
    assert service["command"] == ["pladeco", "serve", name]


def test_every_command_in_compose_is_a_real_pladeco_command():
    parser = build_parser()
    for name, service in COMPOSE["services"].items():
        command = service.get("command")
        if isinstance(command, list) and command[0] == "pladeco":
            parser.parse_args(command[1:])  # exits (SystemExit) on an unknown sub-command


def test_grafana_gets_only_the_deploy_variables_and_the_datasources_have_fixed_unique_uids():
    grafana_env = set(COMPOSE["services"]["grafana"]["environment"])
    datasources = yaml.safe_load(
        (ROOT / "grafana/provisioning/datasources/datasources.yaml").read_text()
    )["datasources"]
    uids = [source["uid"] for source in datasources]

    assert {v for v in grafana_env if v.startswith(ENV_PREFIX)} <= DEPLOY_VARIABLES
    assert sorted(uids) == ["pladeco-postgres", "pladeco-postgres-public", "pladeco-prometheus"]


def script_default(script: str, variable: str) -> int:
    text = (ROOT / "deploy" / script).read_text()
    return int(re.search(rf"\${{{variable}:-(\d+)}}", text)[1])


def test_kafka_and_postgres_listen_where_the_native_scripts_do():
    assert published_host_ports(COMPOSE["services"]["kafka"]) == [
        script_default("kafka.sh", "PLADECO_KAFKA_PORT")
    ]
    assert published_host_ports(COMPOSE["services"]["postgres"]) == [
        script_default("postgres.sh", "PLADECO_PG_PORT")
    ]
    native = (ROOT / "deploy/kafka/server.properties").read_text()
    assert "auto.create.topics.enable=false" in native
    assert COMPOSE["services"]["kafka"]["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


def scrape_jobs(path: str) -> dict[str, list[tuple[int, dict]]]:
    config = yaml.safe_load((ROOT / path).read_text())
    return {
        job["job_name"]: sorted(
            (int(target.rsplit(":", 1)[1]), group.get("labels", {}))
            for group in job["static_configs"]
            for target in group["targets"]
        )
        for job in config["scrape_configs"]
    }


def test_prometheus_scrapes_the_same_jobs_ports_and_labels_natively_and_under_compose():
    assert scrape_jobs("deploy/prometheus/prometheus.yml") == scrape_jobs(
        "deploy/prometheus/prometheus.compose.yml"
    )
    services = {labels["service"]: port
                for port, labels in scrape_jobs("deploy/prometheus/prometheus.yml")["pladeco"]}
    assert services == {name: settings_type(name).model_fields["http_port"].default
                        for name in SETTINGS}


@pytest.mark.parametrize("config", ["prometheus.yml", "prometheus.compose.yml"])
def test_both_prometheus_configs_pass_promtool(config: str):
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: run deploy/install.sh"
    result = subprocess.run([promtool, "check", "config", str(ROOT / "deploy/prometheus" / config)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
