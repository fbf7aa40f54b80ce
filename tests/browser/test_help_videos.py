"""The help videos, recorded for real: one short video end to end (Chromium walks the demo,
ffmpeg encodes), checked with ffprobe and by its captions; the recorder's loud failures; and
every QR code on the printed help cards opening a page that plays its video with captions."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from instructions.videos import recorder
from instructions.videos.tours import TOURS_BY_PART, Step, Tour
from plugin import create_app
from tests.browser.site import DESKTOP, PHONE, sideways_overflow
from tests.browser.test_pages import AXE, AXE_OPTIONS, describe

pytestmark = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
    reason="needs Debian's ffmpeg (make system-deps)",
)
PART = "digibord"  # the shortest tour


@pytest.fixture(scope="module")
def caption_app(live_server):
    """An app on the live server's database: the recorder's captions are translated in it."""
    app = create_app(
        {
            "DATABASE_URL": live_server.env["DATABASE_URL"],
            "SECRET_KEY": live_server.env["SECRET_KEY"],
        }
    )
    with app.app_context():
        yield app


@pytest.fixture(scope="module")
def video_dir(live_server) -> Path:
    folder = Path(live_server.env["HELP_VIDEO_DIR"])
    yield folder
    shutil.rmtree(folder, ignore_errors=True)  # the other browser tests see no videos


@pytest.fixture(scope="module")
def rendered(browser, live_server, caption_app, video_dir) -> recorder.Rendered:
    from plugin.extensions import db

    recorder.ensure_demo_only(db.session)
    db.session.remove()  # no read transaction left open on the server's SQLite file
    [result] = recorder.record_with(browser, live_server.url, [TOURS_BY_PART[PART]], video_dir)
    return result


def probe(path: Path) -> dict:
    entries = "stream=codec_name,width,height:format=duration"
    command = [shutil.which("ffprobe"), "-v", "error", "-show_entries", entries, "-of", "json"]
    done = subprocess.run(  # noqa: S603 - fixed argv
        [*command, str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    found = json.loads(done.stdout)
    [stream] = found["streams"]  # one video stream, no sound
    return {**stream, "duration": float(found["format"]["duration"])}


def test_one_help_video_is_recorded_encoded_and_captioned_in_dutch(rendered, video_dir):
    tour = TOURS_BY_PART[PART]
    for kind, codec in (("webm", "vp9"), ("mp4", "h264")):
        path = video_dir / f"{PART}.{kind}"
        info = probe(path)
        assert info["codec_name"] == codec
        assert (info["width"], info["height"]) == (1280, 720)
        assert 30 <= info["duration"] <= 90
        assert abs(info["duration"] - rendered.seconds) < 0.5
        assert path.stat().st_size < 5_000_000
    captions = (video_dir / f"{PART}.vtt").read_text(encoding="utf-8")
    assert captions.startswith("WEBVTT\n")
    assert captions.count(" --> ") == len(tour.steps)
    assert "Op het digibord laat je voorbeeldopgaven zien voor een toets." in captions
    assert "example items" not in captions
    with Image.open(video_dir / f"{PART}.jpg") as poster:
        assert poster.size == (1280, 720)


def test_a_missing_element_stops_the_recording_and_names_the_step(
    page, caption_app, tmp_path, monkeypatch
):
    monkeypatch.setattr(recorder, "LOCATE_TIMEOUT_MS", 1000)
    recorder.sign_in(page, "leerkracht")
    tour = Tour("digibord", "leerkracht", (
        Step("Het digibord", "main h1", goto="/digibord/"),
        Step("Een knop die er niet meer is", "#verdwenen-knop"),
    ))  # fmt: skip
    with pytest.raises(recorder.RecordingError, match=r"stap 2.*#verdwenen-knop.*ontbreekt"):
        recorder.render(page, tour, tmp_path)
    assert not list(tmp_path.glob("digibord.*"))  # nothing half-written


def test_a_step_that_shows_nothing_new_stops_the_recording(page, caption_app, tmp_path):
    recorder.sign_in(page, "leerkracht")
    tour = Tour("digibord", "leerkracht", (
        Step("Het digibord", "main h1", goto="/digibord/"),
        Step("Nog eens hetzelfde", "main h1"),
    ))  # fmt: skip
    with pytest.raises(recorder.RecordingError, match=r"stap 2 laat niets nieuws zien"):
        recorder.render(page, tour, tmp_path)


def _decode(png: bytes) -> str:
    from pyzbar import pyzbar

    found = pyzbar.decode(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    return found[0].data.decode()


def test_every_qr_code_on_the_help_cards_opens_a_page_that_plays_its_video_with_captions(
    page, rendered, video_dir
):
    pytest.importorskip("pyzbar.pyzbar", reason="needs the zbar library (libzbar0)")
    # One recorded video stands in for every part here: what is checked is the way from the
    # printed card to a playing, captioned video (each part's own tour is make help-videos').
    for kind, path in rendered.files.items():
        for part in TOURS_BY_PART:
            if part != PART:
                shutil.copyfile(path, video_dir / f"{part}.{kind}")
    page.goto("/help/kaarten")
    codes = page.locator(".help-card img")
    assert codes.count() == len(TOURS_BY_PART)
    addresses = [_decode(codes.nth(i).screenshot()) for i in range(codes.count())]
    assert sorted(addresses) == sorted(
        f"{page.url.split('/help/')[0]}/help/{p}" for p in TOURS_BY_PART
    )
    for address in addresses:
        page.goto(address)
        state = page.evaluate(
            """async () => {
              const video = document.querySelector('video');
              video.muted = true;
              await video.play();
              await new Promise(r => setTimeout(r, 600));
              const track = video.textTracks[0];
              return {ready: video.readyState, time: video.currentTime, src: video.currentSrc,
                      kind: track.kind, lang: track.language, mode: track.mode,
                      cues: track.cues ? track.cues.length : 0,
                      first: track.cues && track.cues.length ? track.cues[0].text : ''};
            }"""
        )
        assert state["ready"] >= 2, address  # HAVE_CURRENT_DATA or better: it plays
        assert state["time"] > 0, address
        assert state["src"].endswith(".webm") or ".webm?" in state["src"]
        assert (state["kind"], state["lang"], state["mode"]) == ("captions", "nl", "showing")
        assert state["cues"] == len(TOURS_BY_PART[PART].steps)
        assert state["first"].startswith("Op het digibord")
    # The page with its video fits a phone and passes the same axe checks as every page.
    page.set_viewport_size({"width": PHONE, "height": 844})
    assert sideways_overflow(page) == 0
    page.set_viewport_size({"width": DESKTOP, "height": 800})
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, "\n".join(describe(violations))
