"""Help videos the tool records itself: captioned screen recordings of the demo.

``make help-videos`` (``python -m instructions.videos``) walks a scripted tour per help part
through the demo in headless Chromium and writes, per part, into the video folder
(``HELP_VIDEO_DIR``, default ``instance/help-videos``; never committed):

- ``<part>.webm`` (VP9) and ``<part>.mp4`` (H.264, for older tablets),
- ``<part>.vtt``: Dutch captions, one cue per step of the tour,
- ``<part>.jpg``: the poster frame.

This module only finds those files for the help pages; the tours are in ``tours`` and the
recorder (Playwright, ffmpeg) in ``recorder``, which the web app never imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app, url_for

# The files of one part's video, by extension, with their media types.
MEDIA_TYPES = {
    "webm": "video/webm",
    "mp4": "video/mp4",
    "vtt": "text/vtt",
    "jpg": "image/jpeg",
}
VIDEO_KINDS = ("webm", "mp4")


def video_dir() -> Path:
    """The folder the recorder writes to and the help pages serve from."""
    configured = current_app.config.get("HELP_VIDEO_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "help-videos"


def video_file(slug: str, kind: str) -> Path | None:
    """The existing file of ``slug``'s video of ``kind`` (an extension of ``MEDIA_TYPES``)."""
    if kind not in MEDIA_TYPES:
        return None
    path = video_dir() / f"{slug}.{kind}"
    return path if path.is_file() else None


@dataclass(frozen=True)
class LocalVideo:
    """A recorded video as the help page plays it: sources (newest codec first), captions and
    a poster, each with a version in its address so browsers may cache them for a year."""

    sources: tuple[tuple[str, str], ...]  # (url, media type)
    captions: str
    poster: str | None


def local_video(slug: str) -> LocalVideo | None:
    """``slug``'s recorded video, or None when it has not been recorded (a video without its
    captions is not shown: captions are how a teacher follows it in a silent classroom)."""
    captions = video_file(slug, "vtt")
    videos = [(kind, video_file(slug, kind)) for kind in VIDEO_KINDS]
    videos = [(kind, path) for kind, path in videos if path]
    if captions is None or not videos:
        return None

    def address(kind: str, path: Path) -> str:
        version = int(path.stat().st_mtime)
        return url_for("instructions.help_video", part=slug, kind=kind, v=version)

    poster = video_file(slug, "jpg")
    return LocalVideo(
        sources=tuple((address(kind, path), MEDIA_TYPES[kind]) for kind, path in videos),
        captions=address("vtt", captions),
        poster=address("jpg", poster) if poster else None,
    )
