"""The gunicorn config, the two systemd units and the nginx site, each checked by the program
that reads it; and the headers nginx sends are exactly the ones the app trusts."""

from __future__ import annotations

import datetime
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from werkzeug.middleware.proxy_fix import ProxyFix

from tests.deploy.conftest import (
    GUNICORN_CONF,
    INSTALL_DIR,
    NGINX_SITE,
    ROOT,
    UNITS,
    child_env,
    venv_bin,
)

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def _run(args: list[str], tmp_path: Path, timeout: int = 60) -> subprocess.CompletedProcess:
    env = child_env(DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite'}", SECRET_KEY="k" * 40)
    return subprocess.run(  # noqa: S603 - fixed argv, no shell
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _exec_start(unit: Path) -> list[str]:
    line = next(x for x in unit.read_text().splitlines() if x.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


def _here(argv: list[str]) -> list[str]:
    """A unit's command as it runs from this checkout (the README installs to /opt)."""
    program = Path(argv[0])
    assert str(program).startswith(f"{INSTALL_DIR}/.venv/bin/"), program
    return [venv_bin(program.name), *argv[1:]]


@pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="the same on every database backend: it runs in the SQLite pass",
)
def test_the_web_units_gunicorn_command_passes_check_config(tmp_path):
    """`gunicorn --check-config` with the unit's own arguments: it reads
    deploy/gunicorn.conf.py and loads the app."""
    web = _exec_start(UNITS[0])
    assert web[1:] == ["--config", "deploy/gunicorn.conf.py", "wsgi:app"]
    done = _run([*_here(web), "--check-config"], tmp_path)
    assert done.returncode == 0, done.stderr


def test_the_worker_units_command_exists(app):
    worker = _exec_start(UNITS[1])
    _here(worker)  # the venv's flask
    assert worker[1:3] == ["--app", "wsgi"]
    result = app.test_cli_runner().invoke(args=[*worker[3:], "--help"])
    assert result.exit_code == 0, result.output
    assert "Run queued and periodic jobs" in result.output


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_both_units(tmp_path):
    """`systemd-analyze verify`, with the install folder pointed at this checkout (it checks
    that ExecStart's program exists); any warning (an unknown key) fails too."""
    rendered = []
    for unit in UNITS:
        text = unit.read_text().replace(f"{INSTALL_DIR}/.venv/bin/", venv_bin("x")[:-1])
        target = tmp_path / unit.name
        target.write_text(text.replace(INSTALL_DIR, str(ROOT)))
        rendered.append(str(target))
    done = subprocess.run(  # noqa: S603
        [SYSTEMD_ANALYZE, "verify", *rendered], capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr


def _site() -> str:
    return NGINX_SITE.read_text()


def test_nginx_sends_exactly_the_forwarded_headers_the_app_trusts(app):
    proxy_fix = app.wsgi_app
    while not isinstance(proxy_fix, ProxyFix):
        proxy_fix = proxy_fix.app  # other middleware may wrap it
    trusted = {
        "X-Forwarded-For": proxy_fix.x_for, "X-Forwarded-Proto": proxy_fix.x_proto,
        "X-Forwarded-Host": proxy_fix.x_host, "X-Forwarded-Port": proxy_fix.x_port,
        "X-Forwarded-Prefix": proxy_fix.x_prefix,
    }  # fmt: skip
    sent = re.findall(r"proxy_set_header\s+(X-Forwarded-[\w-]+)\s", _site())
    assert sorted(sent) == sorted(name for name, hops in trusted.items() if hops)
    assert len(sent) == len(set(sent))
    # nginx, on the same machine as gunicorn, is the one hop in front of the app
    assert app.config["PROXY_FIX_HOPS"] == 1
    assert set(trusted.values()) <= {0, 1}


def test_every_nginx_server_logs_without_query_strings():
    site = _site()
    log_format = re.search(r"log_format leerling_in_beeld (.*?);", site, re.S).group(1)
    assert "$uri" in log_format
    for leaky in ("$request ", "$request_uri", "$args", "$query_string", "$http_referer"):
        assert leaky not in log_format + " "
    servers = site.count("server {")
    assert servers == 2
    assert len(re.findall(r"^\s+access_log \S+ leerling_in_beeld;$", site, re.M)) == servers


def test_nginx_sends_requests_where_gunicorn_listens():
    gunicorn_bind = re.search(r'"BIND", "([^"]+)"', GUNICORN_CONF.read_text()).group(1)
    upstreams = re.findall(r"proxy_pass\s+http://([^;/]+);", _site())
    assert upstreams == [gunicorn_bind]
    assert gunicorn_bind.startswith("127.0.0.1:")


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lvs.school.example")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption())
    )  # fmt: skip
    return cert_path, key_path


@pytest.mark.skipif(
    NGINX is None,
    reason="nginx is not installed: `make system-deps` installs Debian's nginx only where "
    "that starts no service (a container); elsewhere `apt-get install nginx` to run this",
)
def test_nginx_accepts_the_site(tmp_path):
    """`nginx -t` on the site inside a minimal nginx.conf; the certificate and log paths point
    into a temporary folder (a throwaway self-signed certificate), nothing else changes."""
    cert, key = _self_signed(tmp_path)
    site = (
        _site()
        .replace("/etc/ssl/leerling-in-beeld/fullchain.pem", str(cert))
        .replace("/etc/ssl/leerling-in-beeld/privkey.pem", str(key))
        .replace("/var/log/nginx/", f"{tmp_path}/")
    )
    assert "ssl_certificate /etc" not in site
    assert "_log /var/log" not in site
    (tmp_path / "site.conf").write_text(site)
    temp_paths = " ".join(
        f"{kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{ access_log off; {temp_paths} include {tmp_path}/site.conf; }}\n"
    )
    done = subprocess.run(  # noqa: S603
        [NGINX, "-t", "-q", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
         "-e", "stderr"], capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "[warn]" not in done.stderr, done.stderr
