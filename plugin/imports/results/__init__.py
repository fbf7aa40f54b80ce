"""Datamigratie: a school's test history from its previous system (CSV or XLSX).

``reader`` turns the file into cells (refusing formulas, merged cells and unreadable files),
``columns`` maps its headers onto the documented format, ``plan`` checks every row against the
school and works out what would change, and ``apply`` writes that in bulk, all or nothing. The
command line (``flask import results``) and the IB's upload in Administratie
(:mod:`plugin.admin.results`) both go through :func:`~plugin.imports.results.plan.plan_results`
and :func:`~plugin.imports.results.apply.apply_results`. The format is documented in the README
("Datamigratie") and in the template Administratie offers for download.
"""

from __future__ import annotations

from plugin.imports.results import models  # noqa: F401 - registers the upload table
