"""Leerling in beeld: the Flask application factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from plugin.config import load_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then the environment, then ``config`` (tests)."""
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"))
    app.config.from_mapping(load_settings(Path(app.instance_path), config))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    from plugin import logs

    logs.configure(app)  # first: its after_request hook runs last and sees the final status

    hops = int(app.config["PROXY_FIX_HOPS"])
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)

    from plugin import inputs

    inputs.register(app)  # before the blueprints: their <int:…> rules use its converter
    _init_extensions(app)
    _register_blueprints(app)
    from plugin import limits

    limits.init_app(app)  # after the blueprints: it wraps the views marked rate_limited

    from plugin import cli, errors, unit_of_work, web

    errors.register(app)
    unit_of_work.register(app)
    web.register(app)
    cli.register(app)
    return app


def _init_extensions(app: Flask) -> None:
    from plugin import i18n
    from plugin.extensions import babel, cache, csrf, db, migrate

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(PROJECT_ROOT / "translations"),
    )
    csrf.init_app(app)
    cache_config = {"CACHE_DEFAULT_TIMEOUT": 3600}
    if app.config.get("REDIS_URL"):
        cache_config |= {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"]}
    else:
        cache_config |= {"CACHE_TYPE": "SimpleCache"}
    cache.init_app(app, config=cache_config)
    app.jinja_env.policies["ext.i18n.trimmed"] = True


def _register_blueprints(app: Flask) -> None:
    """Domain packages plug in here; each exposes ``bp`` (and optionally ``init_app``)."""
    import importlib

    from plugin.views import bp as core_bp

    app.register_blueprint(core_bp)
    for name in ("plugin.jobs", "plugin.dashboard", "plugin.admin", "plugin.imports", "lti",
                 "reports", "instructions", "portal", "plugin.privacy"):  # fmt: skip
        module = importlib.import_module(name)
        bp = getattr(module, "bp", None)
        if bp is not None:
            app.register_blueprint(bp)
        init = getattr(module, "init_app", None)
        if init is not None:
            init(app)
