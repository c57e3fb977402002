"""Indicators: applies plan and progress events to PostgreSQL and keeps the scorecard current."""
