"""One module per board (``grafana/build_dashboards.py`` lists them); ``common.py`` holds what they share."""
