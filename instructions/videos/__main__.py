"""``make help-videos`` = ``python -m instructions.videos [part ...] [--out FOLDER]``.

Starts the demo on a fresh SQLite database in a temporary folder (``flask setup`` loads the
fictitious demo data, as ``make shots`` does), serves it with ``flask run`` on a free local
port, checks that every school in that database is a demo school, and records the tours of
the given parts (default: all) into the video folder (``HELP_VIDEO_DIR``, default
``instance/help-videos``). With ``--database-url`` it films an existing database instead, and
refuses when any school in it is not a demo school. Exits non-zero, in Dutch, on any failure.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from flask_babel import gettext as _

from instructions.videos.recorder import RecordingError
from plugin import create_app

ROOT = Path(__file__).resolve().parent.parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(database_url: str, base_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "TEST_"))}
    env.update(
        APP_ENV="development", DATABASE_URL=database_url, PUBLIC_BASE_URL=base_url,
        SECRET_KEY=secrets.token_urlsafe(32), DEMO_PLATFORM="1", REDIS_URL="",
        PYTHONPATH=str(ROOT), LOG_LEVEL="WARNING",
    )  # fmt: skip
    return env


class DemoServer:
    """``flask run`` of the demo on a free port (stopped on exit)."""

    def __init__(self, env: dict[str, str], port: int, log: Path):
        self.env, self.port, self.log_path = env, port, log
        self.url = f"http://127.0.0.1:{port}"

    def __enter__(self) -> DemoServer:
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [*FLASK, "run", "--host", "127.0.0.1", "--port", str(self.port), "--no-reload",
             "--with-threads"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if requests.get(self.url + "/health", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise RecordingError(_("The demo did not start:\n%(log)s", log=self.log_path.read_text()))

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def main(argv: list[str]) -> int:
    from instructions.videos.tours import TOURS, TOURS_BY_PART

    parser = argparse.ArgumentParser(prog="make help-videos", description=__doc__)
    parser.add_argument("parts", nargs="*", metavar="part", help=", ".join(TOURS_BY_PART))
    parser.add_argument("--out", type=Path, help="folder for the videos")
    parser.add_argument("--database-url", help="film this database (demo schools only)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="help-videos-") as folder:
        port = _free_port()
        database_url = args.database_url or f"sqlite:///{Path(folder) / 'demo.sqlite'}"
        env = _environment(database_url, f"http://127.0.0.1:{port}")
        # The recorder's own app (captions, the demo-only check) is a development app on the
        # same database as the demo server, whatever the shell's APP_ENV says.
        app = create_app({
            "APP_ENV": "development", "DATABASE_URL": database_url, "REDIS_URL": None,
            "SECRET_KEY": env["SECRET_KEY"], "PUBLIC_BASE_URL": env["PUBLIC_BASE_URL"],
        })  # fmt: skip
        with app.app_context():  # the captions and messages in Dutch
            unknown = [part for part in args.parts if part not in TOURS_BY_PART]
            if unknown:
                parser.error(
                    _(
                        "Unknown help part: %(parts)s (choose from %(choices)s).",
                        parts=", ".join(unknown),
                        choices=", ".join(TOURS_BY_PART),
                    )
                )
            tours = [TOURS_BY_PART[p] for p in args.parts] if args.parts else list(TOURS)
            try:
                return _record(
                    env, port, Path(folder), tours, args.out, fresh=not args.database_url
                )
            except RecordingError as error:
                print(error, file=sys.stderr)
                return 1


def _record(env, port: int, folder: Path, tours, out: Path | None, fresh: bool) -> int:
    from instructions.videos import recorder, video_dir
    from plugin.extensions import db

    started = time.monotonic()
    if fresh:  # a new database with the fictitious demo data, as make run and make shots make
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [*FLASK, "setup"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RecordingError(
                _("flask setup failed:\n%(output)s", output=f"{done.stdout}\n{done.stderr}")
            )
    recorder.ensure_demo_only(db.session)
    db.session.remove()  # no transaction left open while the server uses the database
    target = out.resolve() if out else video_dir()
    with DemoServer(env, port, folder / "server.log") as server:
        results = recorder.record(server.url, tours, target)
    print(recorder.describe(results))
    seconds = round(time.monotonic() - started)
    print(_("%(count)s help video(s) in %(seconds)s s: %(folder)s", count=len(results),
            seconds=seconds, folder=target))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
