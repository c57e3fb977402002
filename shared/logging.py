"""Structured JSON logs for every process: one JSON object per line on standard output.

The service name is bound once at start-up; handlers bind the event id and initiative code of the
event they work on (``bound_event``), so every line written while handling it carries both.
Third-party loggers (FastStream, aiokafka, uvicorn) are routed through the same JSON renderer.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import structlog

_SHARED_PROCESSORS: list[structlog.typing.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_logging(service: str, level: str = "info") -> structlog.stdlib.BoundLogger:
    """Send every log record, ours and the libraries', to stdout as JSON; bind the service."""
    numeric_level = logging.getLevelName(level.upper())
    structlog.configure(
        processors=[
            *_SHARED_PROCESSORS,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=_SHARED_PROCESSORS,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(ensure_ascii=False),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric_level)
    # FastStream gives its own logger a coloured stderr handler and stops propagation; send it
    # through the JSON handler like everything else.
    faststream_logger = logging.getLogger("faststream")
    faststream_logger.handlers.clear()
    faststream_logger.propagate = True
    # aiokafka logs every failed reconnect attempt at ERROR with a traceback; one line is enough.
    logging.getLogger("aiokafka").setLevel(max(numeric_level, logging.WARNING))
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)
    return structlog.stdlib.get_logger(service)


@contextmanager
def bound_event(event_id: object, initiative_code: str | None) -> Iterator[None]:
    """Bind an event's id and its initiative to every log line written inside the block."""
    with structlog.contextvars.bound_contextvars(
        event_id=str(event_id), initiative_code=initiative_code
    ):
        yield
