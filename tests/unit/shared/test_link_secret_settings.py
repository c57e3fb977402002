"""No default link secret outside development: a service without one does not start, and says
which setting is missing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from services.alerts.settings import AlertSettings
from services.notifier.settings import NotifierSettings
from shared.settings import DEVELOPMENT_LINK_SECRET, describe_settings_error
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def no_secret_in_the_environment(monkeypatch):
    for name in ("PLADECO_ALERTS_LINK_SECRET", "PLADECO_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("settings", [AlertSettings, NotifierSettings])
def test_without_a_secret_in_production_the_settings_name_the_missing_variable(settings):
    with pytest.raises(ValidationError) as refused:
        settings()

    message = describe_settings_error(refused.value)
    assert message.startswith("invalid setting PLADECO_ALERTS_LINK_SECRET")
    assert "openssl rand -hex 32" in message


@pytest.mark.parametrize("settings", [AlertSettings, NotifierSettings])
def test_a_short_secret_is_refused(settings):
    with pytest.raises(ValidationError, match="at least 32 characters"):
        settings(alerts_link_secret="corto-pero-no-tanto")


def test_development_falls_back_to_the_public_development_secret():
    assert AlertSettings(environment="development").link_secret() == DEVELOPMENT_LINK_SECRET
    assert AlertSettings(alerts_link_secret="x" * 32).link_secret() == "x" * 32


@pytest.mark.parametrize("service", ["alerts", "notifier"])
def test_a_service_without_its_secret_exits_2_naming_it(service):
    env = {k: v for k, v in os.environ.items() if k not in ("PLADECO_ALERTS_LINK_SECRET", "PLADECO_ENVIRONMENT")}

    result = subprocess.run([sys.executable, "-m", "cli", "serve", service], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=60)

    assert result.returncode == 2
    assert f"pladeco {service}: invalid setting PLADECO_ALERTS_LINK_SECRET" in result.stderr
