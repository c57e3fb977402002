"""docs/configuration.md documents every setting a service reads."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from shared.settings import ENV_PREFIX

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
SETTINGS = [
    ("services.ingest.settings", "IngestSettings"),
    ("services.indicators.settings", "IndicatorSettings"),
    ("services.alerts.settings", "AlertSettings"),
    ("services.notifier.settings", "NotifierSettings"),
    ("services.portal.settings", "PortalSettings"),
]


@pytest.mark.parametrize(("module", "name"), SETTINGS)
def test_every_setting_of_the_service_is_documented(module: str, name: str):
    settings_type = getattr(importlib.import_module(module), name)
    documented = DOCS.read_text(encoding="utf-8")

    missing = [
        f"{ENV_PREFIX}{field}".upper()
        for field in settings_type.model_fields
        if f"`{ENV_PREFIX}{field}`".upper() not in documented.upper()
    ]

    assert missing == [], f"add {missing} to docs/configuration.md"
