"""The commands `make run` relies on, on a database of their own."""

import pytest
from sqlalchemy import func, select

from plugin.extensions import db
from plugin.models import School
from tests.conftest import make_app


@pytest.fixture
def fresh_app(tmp_path):
    return make_app(f"sqlite:///{tmp_path / 'setup.sqlite'}")


def _schools(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(School))


@pytest.mark.no_db
def test_setup_migrates_loads_the_demo_once_and_reports_in_dutch(fresh_app):
    runner = fresh_app.test_cli_runner()
    first = runner.invoke(args=["setup"])
    assert first.exit_code == 0, first.output
    assert "Fictieve demogegevens geladen" in first.output
    assert _schools(fresh_app) == 3

    second = runner.invoke(args=["setup"])
    assert second.exit_code == 0, second.output
    assert "geladen" not in second.output
    assert _schools(fresh_app) == 3


@pytest.mark.no_db
def test_demo_load_refuses_a_database_that_holds_schools(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["setup"]).exit_code == 0
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code != 0
    assert "bevat al scholen" in result.output
