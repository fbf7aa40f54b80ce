"""Flask extensions, created unbound and initialised in :func:`plugin.create_app`."""

from __future__ import annotations

import redis
from flask import current_app
from flask_babel import Babel
from flask_caching import Cache
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from plugin.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
cache = Cache()


def get_redis() -> redis.Redis | None:
    """The shared Redis client when ``REDIS_URL`` is configured, else ``None``.

    One client per app (it holds a connection pool), created on first use.
    """
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("lib_redis")
    if client is None:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        current_app.extensions["lib_redis"] = client
    return client
