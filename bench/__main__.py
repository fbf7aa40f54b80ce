"""Benchmarks. ``python -m bench`` (``make bench``) measures the report pages and dashboards at
board scale through gunicorn (see bench/pages.py); a subcommand runs another benchmark:

    python -m bench [--schools 40] [--years 20] [--reuse] [--load]
    python -m bench edexml [--pupils 10000]      (the EDEXML import; see bench/edexml.py)
    python -m bench results                      (the results import; see bench/results_import.py)
"""

from __future__ import annotations

import importlib
import sys

SUBCOMMANDS = {
    # name: module with a ``main(argv)``; add a benchmark with one line here.
    "edexml": "bench.edexml",
    "results": "bench.results_import",
    "launch": "bench.launch",  # a full LTI launch against a plain pylti1p3 tool
}


def main(argv: list[str]) -> None:
    if argv[:1] and argv[0] in SUBCOMMANDS:
        return importlib.import_module(SUBCOMMANDS[argv[0]]).main(argv[1:])
    from bench.pages import main as pages

    return pages(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
