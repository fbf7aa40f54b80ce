"""Imports from the school's own administration.

``edexml`` reads the Edustandaard export (EDEXML 2.0/2.1) of ParnasSys, ESIS and others;
``plan`` works out what would change and ``apply`` writes it, all or nothing. The command line
(``flask import edexml``) and the upload in Administratie (``plugin.admin.imports``) both go
through :func:`plan_import` and :func:`apply_import`.
"""

from __future__ import annotations

from flask import Flask

from plugin.imports import models  # noqa: F401 - registers the upload table
from plugin.imports.results import models as _results  # noqa: F401 - and the results upload


def init_app(app: Flask) -> None:
    from plugin.imports import cli, uploads
    from plugin.imports.results import uploads as results_uploads
    from plugin.jobs import register_job

    cli.register(app)
    for staged in (uploads.EDEXML, results_uploads.RESULTS):
        register_job(app, staged.job_kind, staged.run_job)
