"""The import benchmarks still run end to end (at toy size): a benchmark that breaks when the
code it measures is restructured fails here, not on the day someone needs its figures."""

from __future__ import annotations

import pytest

from bench import edexml, results_import


@pytest.fixture(autouse=True)
def _sqlite_only(monkeypatch):
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)


def test_the_edexml_benchmark_imports_a_small_board(capsys):
    edexml.main(["--pupils", "40"])
    assert "first import" in capsys.readouterr().out


def test_the_results_benchmark_imports_a_small_file(capsys):
    results_import.main(["--rows", "200"])
    assert "200" in capsys.readouterr().out
