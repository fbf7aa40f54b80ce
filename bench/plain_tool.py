"""The yardstick of ``python -m bench launch``: a plain LTI 1.3 tool in the shape of pylti1p3's
own Flask example (dmitry-viskov/pylti1.3-flask-example, ``game/app.py``), written here.

As there: the registration in a JSON file read by ``ToolConfJsonFile`` on every request,
launch data in Flask-Caching's in-process cache (``FlaskCacheDataStorage``), the platform's
keys fetched from its JWKS URL on every launch (the library's default: no key cache), and the
launch answered with a rendered page. No database. Left out: the example's cookie-check page
(``enable_check_cookies``: a JavaScript round trip a benchmark client cannot make, and that
would only make this tool slower), its deep linking, grades and scoreboard routes.

Served by gunicorn: ``gunicorn 'bench.plain_tool:create()'`` with ``PLAIN_TOOL_CONFIG`` naming
the JSON file.
"""

from __future__ import annotations

import os

from flask import Flask, render_template_string
from flask_caching import Cache
from pylti1p3.contrib.flask import (
    FlaskCacheDataStorage,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
)
from pylti1p3.tool_config import ToolConfJsonFile

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1><p>Welcome, {{ name }}.</p>
<p>Launch {{ launch_id }}{% if deep_link %} (deep linking){% endif %}.</p>
<ul>{% for role in roles %}<li>{{ role }}</li>{% endfor %}</ul></body></html>"""


def create() -> Flask:
    app = Flask("plain-pylti1p3-tool")
    app.config.from_mapping({
        "CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 600,
        "SECRET_KEY": "bench-plain-tool-secret",
        "SESSION_COOKIE_NAME": "pylti1p3-flask-app-sessionid", "SESSION_COOKIE_HTTPONLY": True,
    })  # fmt: skip
    cache = Cache(app)
    config_path = os.environ["PLAIN_TOOL_CONFIG"]

    @app.route("/login/", methods=["GET", "POST"])
    def login():
        tool_conf = ToolConfJsonFile(config_path)
        flask_request = FlaskRequest()
        target_link_uri = flask_request.get_param("target_link_uri")
        if not target_link_uri:
            raise ValueError('Missing "target_link_uri" param')
        oidc_login = FlaskOIDCLogin(
            flask_request, tool_conf, launch_data_storage=FlaskCacheDataStorage(cache)
        )
        return oidc_login.redirect(target_link_uri)

    @app.route("/launch/", methods=["POST"])
    def launch():
        tool_conf = ToolConfJsonFile(config_path)
        flask_request = FlaskRequest()
        message_launch = FlaskMessageLaunch(
            flask_request, tool_conf, launch_data_storage=FlaskCacheDataStorage(cache)
        )
        data = message_launch.get_launch_data()
        return render_template_string(
            PAGE, title="Plain tool", name=data.get("name", ""),
            launch_id=message_launch.get_launch_id(),
            deep_link=message_launch.is_deep_link_launch(),
            roles=data.get("https://purl.imsglobal.org/spec/lti/claim/roles", []),
        )  # fmt: skip

    return app
