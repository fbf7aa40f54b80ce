"""deploy/gunicorn.conf.py freezes what a worker loaded, so full garbage collections do not
walk the whole app in the middle of a request."""

from __future__ import annotations

import gc
import runpy

from tests.deploy.conftest import GUNICORN_CONF


def test_a_worker_freezes_the_loaded_app_after_loading_it():
    settings = runpy.run_path(str(GUNICORN_CONF))
    assert gc.get_freeze_count() == 0
    try:
        settings["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 10_000  # the app and its libraries, loaded in this process
    finally:
        gc.unfreeze()
