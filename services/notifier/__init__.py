"""Notifier: tells the responsible officers about alerts, and escalates."""
