"""Tests of deploy/: each file there is checked by the tool that will read it (gunicorn,
nginx, systemd, the app's own settings), and ``make serve`` is run for real.

None needs the shared test database (marked ``no_db``). The nginx and systemd checks skip,
saying why, where those programs are not installed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
DEPLOY = ROOT / "deploy"
ENV_EXAMPLE = DEPLOY / "env.example"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
NGINX_SITE = DEPLOY / "nginx-leerling-in-beeld.conf"
UNITS = (DEPLOY / "leerling-in-beeld.service", DEPLOY / "leerling-in-beeld-worker.service")
INSTALL_DIR = "/opt/leerling-in-beeld"  # where the README installs the tool
# The README's command that fills in the secret; the tests run exactly this on a copy.
FILL_SECRET = (
    "sed -i \"s|^SECRET_KEY=$|SECRET_KEY=$(python3 -c 'import secrets; "
    "print(secrets.token_urlsafe(48))')|\" /etc/leerling-in-beeld/env"
)
# And the one that fills in the key that encrypts the tool's private LTI keys (a Fernet key:
# 32 random bytes, URL-safe base64; no package needed).
FILL_KEY_ENCRYPTION = (
    'sed -i "s|^LTI_KEY_ENCRYPTION_KEYS=$|LTI_KEY_ENCRYPTION_KEYS=$(python3 -c '
    "'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')|\" "
    "/etc/leerling-in-beeld/env"
)
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.no_db)


def filled_env_file(folder: Path) -> Path:
    """A copy of deploy/env.example with its secret filled in by the README's command."""
    target = folder / "env"
    target.write_text(ENV_EXAMPLE.read_text())
    for fill in (FILL_SECRET, FILL_KEY_ENCRYPTION):
        command = fill.replace("/etc/leerling-in-beeld/env", str(target))
        subprocess.run(["bash", "-c", command], check=True, timeout=30)  # noqa: S603, S607
    return target


def child_env(**values: str) -> dict[str, str]:
    """The test process's environment without anything that would steer the child: the app's
    settings, Flask's, the tests' and an outer make's (``make test`` runs this suite)."""
    from plugin.config import ENV_KEYS

    dropped = {*ENV_KEYS, "HOST", "PORT", "WORKERS", "BIND", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"}
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in dropped and not key.startswith(("FLASK_", "TEST_"))
    }
    env["PYTHONPATH"] = str(ROOT)
    env.update(values)
    return env


def gunicorn_environment_names() -> set[str]:
    """The environment variables deploy/gunicorn.conf.py reads."""
    return set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', GUNICORN_CONF.read_text()))


def venv_bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)
