"""The ``pladeco`` command: starts each service and runs the operators' and planners' tools."""
