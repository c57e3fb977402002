"""PLADECO_DATABASE_PASSWORD_FILE: the role's password read from a file (Docker secrets style)."""

from __future__ import annotations

import pytest

from shared.settings import CommonSettings, with_password


def test_the_file_replaces_the_urls_password(tmp_path, monkeypatch):
    secret = tmp_path / "pladeco_ingest"
    secret.write_text("s3cr/et:@\n", encoding="utf-8")
    monkeypatch.setenv("PLADECO_DATABASE_URL", "postgresql://pladeco_ingest@postgres:5432/pladeco")
    monkeypatch.setenv("PLADECO_DATABASE_PASSWORD_FILE", str(secret))
    # The trailing newline goes; characters that mean something in a URL are escaped.
    assert CommonSettings().database_url == "postgresql://pladeco_ingest:s3cr%2Fet%3A%40@postgres:5432/pladeco"


def test_without_a_file_the_url_is_kept(monkeypatch):
    monkeypatch.setenv("PLADECO_DATABASE_URL", "postgresql://owner:pw@db:5432/pladeco")
    monkeypatch.delenv("PLADECO_DATABASE_PASSWORD_FILE", raising=False)
    assert CommonSettings().database_url == "postgresql://owner:pw@db:5432/pladeco"


def test_a_password_replaces_the_one_in_the_url_and_a_url_without_user_is_refused():
    assert with_password("postgres://u:old@h/db", "new") == "postgres://u:new@h/db"
    with pytest.raises(ValueError, match="names no user"):
        with_password("postgresql://h:5432/db", "x")
