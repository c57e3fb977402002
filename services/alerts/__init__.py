"""Alerts: early-warning rules and the predictive trend check over the scorecard."""
