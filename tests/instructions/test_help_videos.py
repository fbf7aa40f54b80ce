"""Help videos the tool records of its demo: how a help page shows them (or only its written
steps), how they are served (ranges, caching, CSP), and the recorder's refusal to film a
database with a real school. The recording itself is tested in tests/browser."""

from __future__ import annotations

import re

import pytest

from instructions.help import HELP_PARTS, PARTS_BY_SLUG
from instructions.videos.recorder import (
    Cue,
    RecordingError,
    ensure_demo_only,
    hold_seconds,
    webvtt,
)
from instructions.videos.tours import TOURS, TOURS_BY_PART

WEBM = b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 40  # not a real video: the bytes are served
VTT = "WEBVTT\n\n1\n00:00:00.000 --> 00:00:04.000\nHallo\n"


@pytest.fixture
def videos(app, tmp_path, monkeypatch):
    """A video folder with a recorded video (webm, mp4, captions, poster) for "nakijken"."""
    monkeypatch.setitem(app.config, "HELP_VIDEO_DIR", str(tmp_path))
    (tmp_path / "nakijken.webm").write_bytes(WEBM)
    (tmp_path / "nakijken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(5000))
    (tmp_path / "nakijken.vtt").write_text(VTT)
    (tmp_path / "nakijken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    return tmp_path


def test_every_help_part_has_a_tour_and_every_tour_a_help_part():
    assert set(TOURS_BY_PART) == set(PARTS_BY_SLUG)
    assert {"administratie", "digibord"} <= set(PARTS_BY_SLUG)
    for tour in TOURS:
        assert tour.role in ("leerkracht", "ib", "leerling")
        assert 4 <= len(tour.steps) <= 10, tour.part


@pytest.mark.parametrize("part", [p.slug for p in HELP_PARTS])
def test_without_any_video_a_part_shows_its_written_steps_only(
    client, app, tmp_path, part, monkeypatch
):
    monkeypatch.setitem(app.config, "HELP_VIDEO_DIR", str(tmp_path))  # empty
    page = client.get(f"/help/{part}").get_data(as_text=True)
    assert '<ol class="steps">' in page
    assert "<video" not in page
    assert "HELP_VIDEO" not in page
    assert "make help-videos" not in page
    assert "configur" not in page.lower()


def test_a_recorded_video_plays_with_dutch_captions_a_poster_and_a_transcript(client, videos):
    page = client.get("/help/nakijken").get_data(as_text=True)
    video = re.search(r"<video[^>]*>.*?</video>", page, re.S).group(0)
    assert re.search(r'poster="/help/nakijken/video\.jpg\?v=\d+"', video)
    webm = video.index('src="/help/nakijken/video.webm?v=')
    mp4 = video.index('src="/help/nakijken/video.mp4?v=')
    assert webm < mp4  # VP9 first, H.264 for older tablets
    assert 'type="video/webm"' in video
    assert 'type="video/mp4"' in video
    track = re.search(r"<track[^>]*>", video).group(0)
    assert 'kind="captions"' in track
    assert 'srclang="nl"' in track
    assert " default" in track
    assert 'src="/help/nakijken/video.vtt?v=' in track
    # The transcript under the video holds the captions' texts, in Dutch.
    transcript = page.split('class="transcript"')[1]
    assert "Wat het filmpje laat zien" in transcript
    assert "Typ + voor goed, - voor fout, of het antwoord dat de leerling gaf." in transcript
    assert transcript.count("<li>") == len(TOURS_BY_PART["nakijken"].steps)
    assert '<ol class="steps">' in page  # the written steps stay


def test_a_video_without_captions_is_not_shown(client, videos):
    (videos / "nakijken.vtt").unlink()
    assert "<video" not in client.get("/help/nakijken").get_data(as_text=True)


def get(client, url: str, **kwargs):
    """The response, read and closed (a served file is a stream)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def test_videos_are_served_in_ranges_and_cached_for_a_year(client, videos):
    response = get(client, "/help/nakijken/video.webm?v=1", headers={"Range": "bytes=100-199"})
    assert response.status_code == 206
    assert response.data == WEBM[100:200]
    assert response.headers["Content-Range"] == f"bytes 100-199/{len(WEBM)}"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.mimetype == "video/webm"
    cache = response.cache_control
    assert cache.public
    assert cache.max_age == 365 * 24 * 3600
    assert cache.immutable
    assert "no-store" not in response.headers["Cache-Control"]

    whole = get(client, "/help/nakijken/video.mp4")
    assert whole.status_code == 200
    assert whole.mimetype == "video/mp4"
    captions = get(client, "/help/nakijken/video.vtt")
    assert captions.mimetype == "text/vtt"
    assert captions.get_data(as_text=True) == VTT
    assert get(client, "/help/nakijken/video.jpg").mimetype == "image/jpeg"
    # Another part's video is not recorded; unknown parts and kinds do not exist.
    assert get(client, "/help/dashboard/video.webm").status_code == 404
    assert get(client, "/help/onbekend/video.webm").status_code == 404
    assert get(client, "/help/nakijken/video.exe").status_code == 404


def test_the_csp_lets_videos_come_from_the_tool_and_the_configured_video_host(
    client, app, monkeypatch
):
    policy = client.get("/help/nakijken").headers["Content-Security-Policy"]
    assert "media-src 'self';" in policy
    monkeypatch.setitem(app.config, "HELP_VIDEO_BASE_URL", "https://video.example:8443/lib/")
    policy = client.get("/help/nakijken").headers["Content-Security-Policy"]
    assert "media-src 'self' https://video.example:8443;" in policy


def test_the_schools_own_videos_are_shown_instead_of_the_recorded_ones(
    client, app, videos, monkeypatch
):
    monkeypatch.setitem(app.config, "HELP_VIDEO_BASE_URL", "https://video.example/lib")
    page = client.get("/help/nakijken").get_data(as_text=True)
    assert '<source src="https://video.example/lib/nakijken.mp4">' in page
    assert "/help/nakijken/video.webm" not in page


def test_the_recorder_films_only_a_database_of_demo_schools(app):
    from plugin.extensions import db
    from tests.factories import SchoolFactory

    with pytest.raises(RecordingError, match="geen scholen"):
        ensure_demo_only(db.session)
    SchoolFactory(is_synthetic=True)
    SchoolFactory(is_synthetic=True)
    assert ensure_demo_only(db.session) == 2
    SchoolFactory(is_synthetic=False, name="Echte school")
    with pytest.raises(RecordingError, match=r"geen demoschool zijn \(1\)"):
        ensure_demo_only(db.session)


def test_captions_are_webvtt_with_one_numbered_cue_per_step():
    text = webvtt([Cue(0, 4.25, "Eén"), Cue(4.25, 65.5, "Twee")])
    assert text == (
        "WEBVTT\n\n1\n00:00:00.000 --> 00:00:04.250\nEén\n\n"
        "2\n00:00:04.250 --> 00:01:05.500\nTwee\n"
    )
    assert hold_seconds("kort") == 3.5
    assert hold_seconds("x" * 500) == 9.0


def test_the_help_index_marks_the_parts_that_have_a_video(client, app, videos, monkeypatch):
    page = client.get("/help/").get_data(as_text=True)
    assert page.count("Met filmpje en ondertiteling.") == 1
    nakijken = page.split('href="/help/nakijken"')[1].split("</li>")[0]
    assert "Met filmpje en ondertiteling." in nakijken
    monkeypatch.setitem(app.config, "HELP_VIDEO_BASE_URL", "https://video.example/lib")
    page = client.get("/help/").get_data(as_text=True)
    assert page.count("Met filmpje en ondertiteling.") == len(HELP_PARTS)


def test_a_hosted_video_gets_the_captions_its_content_pack_names(
    client, app, pack_dir, monkeypatch
):
    from instructions.pack import read_pack
    from instructions.pack.load import load_pack

    (pack_dir / "videos.yaml").write_text(
        "videos:\n  - {part: nakijken, title: Nakijken, file: nakijken.mp4, captions: nakijken.vtt,"
        " minutes: 3}\n"
    )
    load_pack(read_pack(pack_dir))
    monkeypatch.setitem(app.config, "HELP_VIDEO_BASE_URL", "https://video.example/lib")
    page = client.get("/help/nakijken").get_data(as_text=True)
    track = re.search(r"<track[^>]*>", page).group(0)
    assert 'src="https://video.example/lib/nakijken.vtt"' in track
    assert 'srclang="nl"' in track
    assert 'crossorigin="anonymous"' in page
