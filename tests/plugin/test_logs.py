"""Logs: one JSON object per line, and no personal data even when a write fails."""

from __future__ import annotations

import io
import json
import logging
import time

import pytest
from flask_migrate import upgrade

from plugin.auth import Role
from plugin.extensions import db
from plugin.logs import JsonFormatter
from plugin.models import School, StaffMember, StaffRole
from tests.conftest import fresh_database, make_app

NAME = "Geheime Leerkrachtnaam"
SUB = "platform-user-id-8f3c2a"


@pytest.fixture
def log_lines():
    """Everything logged during the test, as the JSON handler writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


@pytest.mark.no_db
def test_a_failed_write_logs_no_names_or_platform_ids(tmp_path, log_lines):
    with fresh_database("lib_logs", tmp_path / "logs.sqlite") as url:
        app = make_app(url, PROPAGATE_EXCEPTIONS=False)

        @app.post("/_test/duplicate-staff")
        def duplicate_staff():
            school = db.session.get(School, 1) or School(name="School")
            for _ in range(2):  # the second breaks the unique (issuer, sub) constraint
                db.session.add(StaffMember(school=school, display_name=NAME, lti_subject=SUB,
                                           lti_issuer="https://p.example",
                                           role=StaffRole.LEERKRACHT))  # fmt: skip
            db.session.flush()
            return "saved"

        with app.app_context():
            upgrade()
            client = app.test_client()
            with client.session_transaction() as session:
                session["principal"] = {"role": Role.LEERKRACHT.value, "school_id": 1,
                                        "display_name": NAME, "staff_id": None}  # fmt: skip
                session["sid"], session["signed_in_at"] = "s" * 32, int(time.time())
            response = client.post("/_test/duplicate-staff")
            db.session.remove()
            db.engine.dispose()
    assert response.status_code == 500
    lines = log_lines()
    text = json.dumps(lines)
    assert NAME not in text
    assert SUB not in text
    assert "[parameters:" not in text

    error = next(line for line in lines if line["level"] == "ERROR")
    assert "IntegrityError" in error["exception"]
    closing = lines[-1]
    assert closing["message"] == "POST /_test/duplicate-staff"
    assert closing["status"] == 500
    assert closing["route"] == "/_test/duplicate-staff"
    assert closing["role"] == "leerkracht"
    assert closing["request_id"] == error["request_id"]
    assert isinstance(closing["duration_ms"], float)
    assert closing["time"].endswith("+00:00")


def test_request_line_names_the_route_template_never_ids_or_the_query(client, log_lines):
    response = client.get("/rapportages/groep/12345?login_hint=secret-hint")
    assert response.status_code in {401, 404}
    line = log_lines()[-1]
    assert response.headers["X-Request-ID"] == line["request_id"]
    # The random request id and the measured duration may contain any digits; the rest may not.
    rest = json.dumps({k: v for k, v in line.items() if k not in {"request_id", "duration_ms"}})
    assert "12345" not in rest
    assert "secret-hint" not in rest


def test_a_sane_request_id_from_the_proxy_is_kept_and_a_hostile_one_replaced(client, log_lines):
    client.get("/health", headers={"X-Request-ID": "abc-123-def-456"})
    client.get("/health", headers={"X-Request-ID": '"}, {"level": "forged'})
    first, second = (line for line in log_lines() if line["message"] == "GET /health")
    assert first["request_id"] == "abc-123-def-456"
    assert len(second["request_id"]) == 32
    assert "forged" not in json.dumps(second)
