"""Ingest: municipal systems and officers push progress updates; accepted ones become events."""
