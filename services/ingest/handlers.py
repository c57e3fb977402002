"""Handlers of the ingest service: HTTP (single updates, batches, spreadsheets) and the raw Kafka
topic. Thin: parsing and rules are in ``domain`` and ``spreadsheet``, SQL in ``store``.

Every channel goes through the same steps: the key and the size (HTTP, before anything is parsed)
→ parse (JSON nested at most ``MAX_JSON_DEPTH`` deep) → the key's scope, before anything about the
content is said → judge against the plan catalogue → record and publish (``store.accept``: the
event is confirmed by Kafka before the update counts as accepted). Kafka or PostgreSQL away is a
503 with ``Retry-After``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog
from aiokafka.errors import KafkaError
from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from starlette.datastructures import UploadFile as StarletteUploadFile
from starlette.formparsers import MultiPartException, MultiPartParser, parse_options_header

from services.ingest.domain import (
    ONE_UPDATE,
    ProgressUpdate,
    content_fingerprint,
    judge_updates,
    parse_one_update,
    progress_event,
    read_body,
    scope_problems,
    validate_updates,
)
from services.ingest.metrics import IngestMetrics
from services.ingest.schemas import (
    ERROR_RESPONSES,
    ItemResult,
    ProgressAnswer,
    RowProblem,
    RowReport,
    RowResult,
    UploadAnswer,
)
from services.ingest.spreadsheet import column_for, parse_progress_sheet
from services.ingest.store import Candidate, ConflictingEventIds, IngestStore, Outcome
from shared.auth import ApiKey, Permission
from shared.clock import SANTIAGO, Clock
from shared.consumer import TRANSIENT_DATABASE_ERRORS, ApplyFailed, apply_with_retry, dead_letter, subscriber
from shared.http import DATABASE_UNAVAILABLE, ErrorAnswer, error_response
from shared.http import authenticate as check_key
from shared.logging import bound_event
from shared.problems import Problem
from shared.topics import PROGRESS_RAW

Publish = Callable[[Any], Awaitable[None]]
PUBLISH_ERRORS = (KafkaError, TimeoutError)


@dataclass(frozen=True)
class IngestRules:
    retry_after_s: int
    grace_days: int
    max_body_bytes: int
    max_upload_bytes: int


# --- HTTP -----------------------------------------------------------------------------------------


def progress_router(
    *, store: IngestStore, publish: Publish, clock: Clock, metrics: IngestMetrics, rules: IngestRules,
) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["progress"])
    log = structlog.stdlib.get_logger()

    async def authenticate(request: Request) -> ApiKey | JSONResponse:
        return await check_key(request, store.api_key, Permission.REPORT_PROGRESS, realm="pladeco-ingest")

    def forbidden(key: ApiKey, out_of_scope: list[Problem], count: int) -> JSONResponse:
        metrics.rejected("http", out_of_scope, count)
        return error_response(403, f"La clave {key.key_id} ({key.source_system}) no puede informar "
                              "sobre estas iniciativas; no se registró nada.", out_of_scope)

    def upload_too_large() -> JSONResponse:
        metrics.rejected("upload", [Problem("$", "body_too_large", "")])
        return error_response(413, f"El archivo supera {rules.max_upload_bytes} bytes; divídalo.")

    async def unavailable(channel: str, count: int, error: Exception) -> JSONResponse:
        metrics.updates.labels(channel, "unavailable").inc(count)
        log.warning("progress_updates_unavailable", channel=channel, error=repr(error))
        return error_response(503, "El sistema no puede recibir avances en este momento; "
                              "no se registró nada. Reintente más tarde.",
                              headers={"Retry-After": str(rules.retry_after_s)})

    @router.post(
        "/progress",
        status_code=status.HTTP_202_ACCEPTED,
        summary="Report progress: one update or a batch (all or nothing)",
        response_model=ProgressAnswer,
        responses={200: {"model": ProgressAnswer, "description": "Every update was already accepted before."},
                   **ERROR_RESPONSES},
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"anyOf": [{"$ref": "#/components/schemas/ProgressUpdate"},
                                 {"type": "array", "items": {"$ref": "#/components/schemas/ProgressUpdate"},
                                  "minItems": 1, "maxItems": 1000}]}}}}},
    )
    async def report_progress(request: Request) -> Any:
        key = await authenticate(request)
        if isinstance(key, JSONResponse):
            return key
        raw = await _read_limited(request, rules.max_body_bytes)
        if raw is None:
            metrics.rejected("http", [Problem("$", "body_too_large", "")])
            return error_response(413, f"El cuerpo supera {rules.max_body_bytes} bytes; envíe lotes más pequeños.")
        body, problems = read_body(raw)
        if not problems:
            # The scope first: a key learns nothing about the content of other units' initiatives.
            out_of_scope = scope_problems(body, catalogue=await store.catalogue(), units=key.units)
            if out_of_scope:
                return forbidden(key, out_of_scope, len(body) if isinstance(body, list) else 1)
            updates, is_batch, problems = validate_updates(body)
        if problems:
            metrics.rejected("http", problems)
            return error_response(422, "La actualización tiene errores; no se registró nada.", problems)
        judgement = await _judge(store, updates, clock, rules, units=key.units, is_batch=is_batch)
        if judgement.out_of_scope:
            return forbidden(key, judgement.out_of_scope, len(updates))
        if judgement.problems:
            metrics.rejected("http", judgement.problems, len(updates))
            return error_response(422, "La actualización tiene errores; no se registró nada.", judgement.problems)
        received_at = clock()
        candidates = [_candidate(u, key.source_system, received_at) for u in updates]
        try:
            outcomes = await store.accept(candidates, channel="http", received_at=received_at, publish=publish)
        except ConflictingEventIds as conflict:
            problems = [Problem("$", "event_id_reused", f"el event_id {e} ya se usó con otro contenido")
                        for e in conflict.event_ids]
            metrics.rejected("http", problems, len(updates))
            return error_response(409, "Un event_id ya se usó con otro contenido; no se registró nada.", problems)
        except PUBLISH_ERRORS + DATABASE_UNAVAILABLE as error:
            return await unavailable("http", len(updates), error)
        metrics.outcomes("http", outcomes)
        for candidate, outcome in zip(candidates, outcomes, strict=True):
            with bound_event(candidate.event_id, candidate.initiative_code):
                log.info("progress_update_" + outcome.value, channel="http", source_system=key.source_system)
        answer = _progress_answer(candidates, outcomes, is_batch)
        code = 202 if answer.accepted else 200
        return JSONResponse(answer.model_dump(mode="json"), status_code=code)

    @router.post(
        "/progress/upload",
        summary="Upload a spreadsheet of progress updates (CSV or XLSX), one row per update",
        response_model=UploadAnswer,
        responses={**ERROR_RESPONSES, 422: {
            "model": UploadAnswer | ErrorAnswer,
            "description": "Row-by-row report (UploadAnswer), nothing accepted; or a request that is not a "
            "well-formed upload (ErrorAnswer: invalid_multipart, missing_field, invalid_mode).",
        }},
        openapi_extra={
            "parameters": [{"name": "mode", "in": "query", "required": False, "schema": {
                "type": "string", "enum": list(UPLOAD_MODES), "default": "all_or_nothing"}}],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary",
                                        "description": "The CSV or XLSX file (docs/ingest.md)."}},
            }}}},
        },
    )
    async def upload_progress(request: Request) -> Any:
        # The key, the mode and the size are checked before the body is read, and the multipart
        # body is parsed only once it has been read within the limit.
        key = await authenticate(request)
        if isinstance(key, JSONResponse):
            return key
        mode = request.query_params.get("mode", "all_or_nothing")
        if mode not in UPLOAD_MODES:
            problem = Problem("query.mode", "invalid_mode", f"modo desconocido {mode[:40]!r}; use uno de: {', '.join(UPLOAD_MODES)}")
            return error_response(422, "La carga tiene errores; no se registró nada.", [problem])
        raw = await _read_limited(request, rules.max_upload_bytes + MULTIPART_ALLOWANCE)
        if raw is None:
            return upload_too_large()
        upload, problems = await read_upload(request.headers, raw)
        if problems:
            metrics.rejected("upload", problems)
            return error_response(422, "La carga tiene errores; no se registró nada.", problems)
        filename, content = upload
        if len(content) > rules.max_upload_bytes:
            return upload_too_large()
        parsed = parse_progress_sheet(filename, content, default_reporter=key.source_system)
        report = await _judge_rows(store, parsed, clock, rules, key)
        if parsed.problems or not report.valid or (mode == "all_or_nothing" and report.bad):
            metrics.rejected("upload", report.problems() + [Problem("", p.code, "") for p in parsed.problems],
                             len(report.rows))
            return JSONResponse(report.answer(mode, parsed.problems, sent=False).model_dump(mode="json"), status_code=422)
        received_at = clock()
        candidates = [_candidate(u, key.source_system, received_at) for _, u in report.valid]
        try:
            outcomes = await store.accept(candidates, channel="upload", received_at=received_at, publish=publish)
        except ConflictingEventIds as conflict:
            problems = [Problem("id_evento", "event_id_reused", f"el id_evento {e} ya se usó con otro contenido")
                        for e in conflict.event_ids]
            return error_response(409, "Un id_evento ya se usó con otro contenido; no se registró nada.", problems)
        except PUBLISH_ERRORS + DATABASE_UNAVAILABLE as error:
            return await unavailable("upload", len(candidates), error)
        metrics.outcomes("upload", outcomes)
        metrics.rejected("upload", report.problems(), len(report.bad))
        report.record(outcomes)
        return JSONResponse(report.answer(mode, [], sent=True).model_dump(mode="json"), status_code=200)

    return router


async def _read_limited(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it exceeds ``limit`` bytes (it is never read whole)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


UPLOAD_MODES = ("all_or_nothing", "valid_rows")
MULTIPART_ALLOWANCE = 64 * 1024
"""Bytes a multipart body may carry beyond the file itself (boundaries, part headers)."""


async def read_upload(headers: Any, raw: bytes) -> tuple[tuple[str, bytes], list[Problem]]:
    """(file name, file bytes) of a multipart/form-data body already read within the limit, or the
    problems that make it no upload."""
    content_type = headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        return ("", b""), [Problem("$", "invalid_multipart", "envíe el archivo como multipart/form-data, en el campo «file»")]

    boundary = parse_options_header(content_type)[1].get(b"boundary", b"")
    if not boundary or b"--" + boundary + b"--" not in raw:
        return ("", b""), [Problem("$", "invalid_multipart", "el cuerpo multipart está incompleto o no "
                                                             "declara su separador (boundary)")]

    async def body() -> Any:
        yield raw

    try:
        form = await MultiPartParser(headers, body(), max_files=4, max_fields=16).parse()
    except MultiPartException as error:
        return ("", b""), [Problem("$", "invalid_multipart", f"el cuerpo multipart no es válido ({error.message})")]
    try:
        upload = form.get("file")
        if not isinstance(upload, StarletteUploadFile):
            return ("", b""), [Problem("file", "missing_field", "falta el archivo en el campo «file»")]
        return (upload.filename or "", await upload.read()), []
    finally:
        await form.close()


async def _judge(store: IngestStore, updates: list[ProgressUpdate], clock: Clock, rules: IngestRules, *,
                 units: frozenset[str] | None, is_batch: bool):  # noqa: ANN202
    today = clock().astimezone(SANTIAGO).date()
    catalogue = await store.catalogue()
    judgement = judge_updates(updates, catalogue=catalogue, today=today, grace_days=rules.grace_days,
                              units=units, is_batch=is_batch)
    if any(p.code == "unknown_initiative" for p in judgement.problems):
        # A plan revision may have been applied since the view was cached: look again once.
        catalogue = await store.catalogue(refresh=True)
        judgement = judge_updates(updates, catalogue=catalogue, today=today, grace_days=rules.grace_days,
                                  units=units, is_batch=is_batch)
    return judgement


def _candidate(update: ProgressUpdate, source_system: str, received_at: dt.datetime) -> Candidate:
    return Candidate(
        event_id=update.event_id, initiative_code=update.initiative_code,
        content_sha256=content_fingerprint(update), source_system=source_system,
        event=progress_event(update, source_system=source_system, received_at=received_at),
    )


def _progress_answer(candidates: list[Candidate], outcomes: list[Outcome], is_batch: bool) -> ProgressAnswer:
    results = [ItemResult(event_id=c.event_id, status=o.value) for c, o in zip(candidates, outcomes, strict=True)]
    accepted = sum(1 for o in outcomes if o is Outcome.ACCEPTED)
    return ProgressAnswer(
        status="accepted" if accepted else "duplicate",
        event_id=None if is_batch else candidates[0].event_id,
        accepted=accepted, duplicates=len(outcomes) - accepted, results=results,
    )


# --- spreadsheets ---------------------------------------------------------------------------------


async def _judge_rows(store: IngestStore, parsed: Any, clock: Clock, rules: IngestRules, key: ApiKey) -> RowReport:
    report = RowReport(rows=[], valid=[], bad=[])
    for sheet_row in parsed.rows:
        problems = [RowProblem(column=p.column, code=p.code, message=p.message) for p in sheet_row.problems]
        update = None
        if sheet_row.update is not None and not problems:
            update = ONE_UPDATE.validate_python(sheet_row.update)
            judgement = await _judge(store, [update], clock, rules, units=key.units, is_batch=False)
            problems = [RowProblem(column=_column(p.path), code=p.code, message=p.message)
                        for p in judgement.problems + judgement.out_of_scope]
        result = RowResult(row=sheet_row.row, status="rejected" if problems or update is None else "valid_not_sent",
                           event_id=update.event_id if update else None, errors=problems)
        report.rows.append(result)
        if result.status == "rejected":
            report.bad.append(result)
        else:
            report.valid.append((result, update))
    return report


def _column(path: str) -> str | None:
    dotted = path.removeprefix("$").lstrip(".").replace("[", ".").replace("]", "")
    return column_for(dotted) if dotted else None


# --- the raw Kafka topic --------------------------------------------------------------------------


def register_raw_subscriber(
    broker: KafkaBroker, *, store: IngestStore, publish: Publish, clock: Clock, metrics: IngestMetrics,
    rules: IngestRules, group_id: str,
) -> None:
    log = structlog.stdlib.get_logger()

    # The offset is committed once the update is accepted (or dead-lettered); if Kafka or the
    # database fails meanwhile, the handler raises and the message comes again.
    @subscriber(
        broker, PROGRESS_RAW,
        group_id=group_id,
        title="ingest.progress.raw",
        description="Progress updates published directly by Kafka-speaking systems: the same JSON "
        "as POST /v1/progress, exactly one update (one JSON object) per message, key = initiative code, "
        "optional header `source-system`. Valid ones go on to pladeco.progress; invalid ones (a list: "
        "`not_an_object`) to pladeco.deadletter with the reason.",
    )
    async def on_raw_update(message: KafkaMessage) -> None:
        record = message.raw_message
        headers = dict(record.headers or [])
        source_system = _header(headers, "source-system") or "kafka"
        update, problems = parse_one_update(record.value or b"")
        if update is not None:
            judgement = await _judge(store, [update], clock, rules, units=None, is_batch=False)
            problems = judgement.problems
        if problems:
            metrics.rejected("kafka", problems)
            await dead_letter(
                broker, message, consumer=group_id, reason_code=problems[0].code,
                reason="; ".join(f"{p.path}: {p.message}" for p in problems),
                errors=[{"loc": p.path, "type": p.code, "msg": p.message} for p in problems], now=clock(),
            )
            return
        received_at = clock()
        candidate = _candidate(update, source_system, received_at)
        with bound_event(candidate.event_id, candidate.initiative_code):
            try:
                # Kafka or the database away: wait for them (the offset stays); anything else is
                # retried a few times, then dead-lettered.
                [outcome] = await apply_with_retry(
                    lambda: store.accept([candidate], channel="kafka", received_at=received_at, publish=publish),
                    transient=TRANSIENT_DATABASE_ERRORS + PUBLISH_ERRORS,
                )
            except ApplyFailed as failure:
                metrics.rejected("kafka", [Problem("$", "apply_failed", str(failure))])
                await dead_letter(broker, message, consumer=group_id, reason_code="apply_failed",
                                  reason=str(failure), now=clock())
                return
            except ConflictingEventIds:
                problem = Problem("$.event_id", "event_id_reused", "el event_id ya se usó con otro contenido")
                metrics.rejected("kafka", [problem])
                await dead_letter(broker, message, consumer=group_id, reason_code=problem.code,
                                  reason=problem.message, now=clock())
                return
            metrics.outcomes("kafka", [outcome])
            log.info("progress_update_" + outcome.value, channel="kafka", source_system=source_system,
                     offset=record.offset)


def _header(headers: dict[str, Any], name: str) -> str | None:
    value = headers.get(name)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value.strip()[:80] if value and value.strip() else None


def request_metrics_middleware(metrics: IngestMetrics) -> Callable[..., Awaitable[Any]]:
    async def measure(request: Request, call_next: Callable[[Request], Awaitable[Any]]) -> Any:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", None)
        if path and path.startswith("/v1/"):
            metrics.request_seconds.labels(path, str(response.status_code)).observe(time.perf_counter() - started)
        return response

    return measure
