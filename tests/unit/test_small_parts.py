"""Query loading, ids, migration bookkeeping and log redaction."""

from __future__ import annotations

import json
import logging

import pytest

from service.db import migrations, queries
from service.ids import parse_uuid, uuid7
from service.logs import JsonFormatter, client_request_id_var, redact, request_id_var


def test_named_queries() -> None:
    q = queries.parse("-- name: one\nSELECT 1;\n\n-- name: two_rows\nSELECT 2\nUNION SELECT 3;\n")
    assert q.one == "SELECT 1;"
    assert q.two_rows == "SELECT 2\nUNION SELECT 3;"
    assert q.names() == ["one", "two_rows"]
    with pytest.raises(AttributeError, match="no query 'three'"):
        _ = q.three


def test_duplicate_or_empty_queries_are_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        queries.parse("-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;")
    with pytest.raises(ValueError, match="empty"):
        queries.parse("-- name: a\n-- name: b\nSELECT 2;")


def test_uuid7_is_versioned_ordered_and_unique() -> None:
    ids = [uuid7() for _ in range(5000)]
    assert all(i.version == 7 and i.variant == "specified in RFC 4122" for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_parse_uuid_accepts_only_canonical_form() -> None:
    value = str(uuid7())
    assert str(parse_uuid(value)) == value
    for bad in ("", "123", value.replace("-", ""), "{" + value[1:-1] + "}", value + " "):
        assert parse_uuid(bad) is None


def test_migration_problems() -> None:
    files = [migrations.Migration(1, "a", "SELECT 1"), migrations.Migration(2, "b", "SELECT 2")]
    done = {1: files[0].checksum}
    assert migrations.problems(files, done) == ["002_b is not applied"]
    assert migrations.problems(files, {1: "x", 2: files[1].checksum, 3: "y"}) == [
        "001_a was edited after it was applied",
        "version 003 is applied but has no file",
    ]


def test_secrets_are_redacted_from_log_lines() -> None:
    line = redact("GET /auth/verify-email?token=abc123&lang=en Authorization: Bearer eyJ.x.y")
    assert "abc123" not in line
    assert "eyJ" not in line
    assert "lang=en" in line


def test_log_lines_are_json_with_the_request_id() -> None:
    record = logging.LogRecord(
        "t", logging.INFO, __file__, 1, "opened /x?reset_token=zzz", None, None
    )
    record.fields = {"status": 200}
    entry = json.loads(JsonFormatter().format(record))
    assert entry["event"] == "opened /x?reset_token=[redacted]"
    assert entry["status"] == 200
    assert "requestId" in entry
    assert "clientRequestId" not in entry


def test_log_lines_keep_the_clients_request_id_apart() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "event", None, None)
    ours = request_id_var.set("0190f1c2-0000-7000-8000-000000000001")
    theirs = client_request_id_var.set("trace-1234-abcd")
    try:
        entry = json.loads(JsonFormatter().format(record))
    finally:
        client_request_id_var.reset(theirs)
        request_id_var.reset(ours)
    assert entry["requestId"] == "0190f1c2-0000-7000-8000-000000000001"
    assert entry["clientRequestId"] == "trace-1234-abcd"
