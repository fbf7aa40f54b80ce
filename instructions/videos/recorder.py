"""The recorder behind ``make help-videos``: walk a tour in Chromium, frames to video.

Per step of a tour (``tours.py``): find the step's element (or fail), scroll it into view,
highlight it (the rest of the screen dims), take a screenshot, and draw a pointer gliding from
the previous step's element to this one. The last frame of each step must differ from the last
frame of the step before (or fail). The frames go to Debian's ``ffmpeg`` (WebM/VP9 and
MP4/H.264), the step captions to a Dutch WebVTT file, and the first step's frame becomes the
poster. Files are written beside each other in a temporary folder and moved into place only
when the whole part succeeded.

Only fictitious demo data may be filmed: ``ensure_demo_only`` refuses a database with any
school that is not a demo school. Playwright, Pillow and ffmpeg are needed here only; the web
app never imports this module.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select

from instructions.videos.tours import DEMO_SCHOOL, Step, Tour

WIDTH, HEIGHT = 1280, 720
FPS = 10
GLIDE_FRAMES = 8  # the pointer glides to the next element in 0.8 s
MIN_CHANGED_PIXELS = 400  # fewer changed pixels than this: the step shows nothing new
MAX_SECONDS = 90
LOCATE_TIMEOUT_MS = 5000  # how long a step's element may take to appear
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--hide-scrollbars",
]  # fmt: skip


class RecordingError(RuntimeError):
    """The recording cannot be made as scripted; the message (Dutch) says which step and why."""


def ensure_demo_only(session) -> int:
    """Refuse unless the database has schools and every one is a demo school; their number."""
    from plugin.models import School

    total = session.scalar(select(func.count()).select_from(School))
    real = session.scalar(select(func.count()).select_from(School).where(~School.is_synthetic))
    if not total:
        raise RecordingError(_("The database has no schools: load the demo data first."))
    if real:
        raise RecordingError(
            _(
                "Refused: this database holds schools that are not demo schools (%(count)s). "
                "Help videos may only show fictitious demo data.",
                count=real,
            )
        )
    return total


def hold_seconds(caption: str) -> float:
    """How long a step stays on screen: long enough to read its caption twice at ease."""
    return round(min(9.0, max(3.5, 1.5 + len(caption) / 16)), 1)


# The highlight: a rounded outline around the element, the rest of the screen dimmed.
_HIGHLIGHT = """box => {
  const old = document.getElementById('lib-video-highlight');
  if (old) old.remove();
  const mark = document.createElement('div');
  mark.id = 'lib-video-highlight';
  const pad = 6;
  Object.assign(mark.style, {
    position: 'fixed', left: (box.x - pad) + 'px', top: (box.y - pad) + 'px',
    width: (box.width + 2 * pad) + 'px', height: (box.height + 2 * pad) + 'px',
    border: '4px solid #f0a202', borderRadius: '8px', zIndex: 2147483647,
    boxShadow: '0 0 0 9999px rgba(20, 30, 50, 0.28)', pointerEvents: 'none',
  });
  document.body.appendChild(mark);
}"""
_UNHIGHLIGHT = "() => document.getElementById('lib-video-highlight')?.remove()"
# Bring an element into view when it is not wholly in it: a small one to the middle, a tall
# one (a table) with its top just under the top of the window, so its header shows.
_SCROLL = """element => {
  const r = element.getBoundingClientRect();
  if (r.top >= 0 && r.bottom <= innerHeight) return;
  const top = scrollY + r.top;
  const to = r.height > innerHeight * 0.6 ? top - 90 : top - (innerHeight - r.height) / 2;
  scrollTo({top: Math.max(0, to), behavior: 'instant'});
}"""


@dataclass
class Frame:
    image: object  # a PIL image
    seconds: float


@dataclass
class Cue:
    start: float
    end: float
    text: str


@dataclass
class Rendered:
    part: str
    seconds: float
    files: dict[str, Path]


def _pointer(image, x: float, y: float, pressed: bool = False):
    """``image`` with an arrow pointer whose tip is at (x, y) (and a ring when it clicks)."""
    from PIL import ImageDraw

    frame = image.copy()
    draw = ImageDraw.Draw(frame)
    if pressed:
        draw.ellipse((x - 22, y - 22, x + 22, y + 22), outline=(240, 162, 2), width=5)
    arrow = [(0, 0), (0, 34), (9, 26), (16, 41), (23, 38), (16, 23), (28, 23)]
    points = [(x + dx, y + dy) for dx, dy in arrow]
    draw.polygon([(px + 2, py + 2) for px, py in points], fill=(0, 0, 0))  # shadow
    draw.polygon(points, fill=(255, 255, 255), outline=(0, 0, 0), width=2)
    return frame


def changed_pixels(before, after) -> int:
    """How many pixels differ visibly between two frames of the same size."""
    from PIL import ImageChops

    difference = ImageChops.difference(before, after).convert("L").point(lambda v: v > 24 and 255)
    return difference.histogram()[255]


def _screenshot(page):
    from PIL import Image

    return Image.open(io.BytesIO(page.screenshot(type="png"))).convert("RGB")


def _locate(page, tour: Tour, number: int, step: Step):
    """The step's element, scrolled into view, and its box; a RecordingError when it is gone."""
    from playwright.sync_api import Error

    where = {"part": tour.part, "number": number, "target": step.target}
    where["url"] = urlsplit(page.url).path
    missing = _(
        "Help video %(part)s, step %(number)s: the element %(target)s is missing on %(url)s. "
        "Did the screen change? Update the tour in instructions/videos/tours.py.",
        **where,
    )
    element = page.locator(step.target).first
    try:
        element.wait_for(state="visible", timeout=LOCATE_TIMEOUT_MS)  # pages may still update
        element.evaluate(_SCROLL)
        box = element.bounding_box(timeout=LOCATE_TIMEOUT_MS)
    except Error as error:
        raise RecordingError(missing) from error
    if not box or box["width"] < 1 or box["height"] < 1:
        raise RecordingError(missing)
    return element, box


def _act(page, element, step: Step) -> None:
    if step.select is not None:
        element.select_option(label=step.select)
    if step.fill is not None:  # one character per field, Enter moving on to the next field
        element.focus()
        for character in step.fill:
            field = page.locator(":focus")
            field.fill(character)
            field.press("Enter")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(400)  # let the saved state show


def walk(page, tour: Tour) -> tuple[list[Frame], list[Cue]]:
    """Walk ``tour`` on a signed-in ``page``: the frames and one caption cue per step."""
    frames: list[Frame] = []
    cues: list[Cue] = []
    clock = 0.0
    x, y = WIDTH * 0.5, HEIGHT * 0.6
    previous = None
    for number, step in enumerate(tour.steps, start=1):
        if step.goto:
            page.goto(step.goto)
            page.wait_for_load_state("networkidle")
        element, box = _locate(page, tour, number, step)
        page.evaluate(_HIGHLIGHT, box)
        shot = _screenshot(page)
        tip_x = min(max(box["x"] + min(box["width"] / 2, 60), 8), WIDTH - 40)
        tip_y = min(max(box["y"] + min(box["height"] / 2, 24), 8), HEIGHT - 48)
        start = clock
        for index in range(1, GLIDE_FRAMES + 1):
            t = index / GLIDE_FRAMES
            ease = t * t * (3 - 2 * t)
            position = (x + (tip_x - x) * ease, y + (tip_y - y) * ease)
            frames.append(Frame(_pointer(shot, *position), 1 / FPS))
        clock += GLIDE_FRAMES / FPS
        if step.select is not None or step.fill is not None:
            page.evaluate(_UNHIGHLIGHT)
            _act(page, element, step)
            box = element.bounding_box() or box
            page.evaluate(_HIGHLIGHT, box)
            shot = _screenshot(page)
        held = _pointer(shot, tip_x, tip_y)
        if previous is not None and changed_pixels(previous, held) < MIN_CHANGED_PIXELS:
            raise RecordingError(
                _(
                    "Help video %(part)s, step %(number)s shows nothing new: its frames do not "
                    "differ from the step before. Did the screen change? Update the tour in "
                    "instructions/videos/tours.py.",
                    part=tour.part,
                    number=number,
                )
            )
        text = str(step.caption)
        hold = hold_seconds(text)
        if step.click:
            frames.append(Frame(held, hold - 0.3))
            frames.append(Frame(_pointer(shot, tip_x, tip_y, pressed=True), 0.3))
        else:
            frames.append(Frame(held, hold))
        clock += hold
        cues.append(Cue(start, clock, text))
        page.evaluate(_UNHIGHLIGHT)
        if step.click:
            element.click()
            page.wait_for_load_state("networkidle")
        previous, x, y = held, tip_x, tip_y
    if clock > MAX_SECONDS:
        raise RecordingError(
            _(
                "Help video %(part)s would last %(seconds)s seconds; keep it under %(max)s.",
                part=tour.part,
                seconds=round(clock),
                max=MAX_SECONDS,
            )
        )
    return frames, cues


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02}:{minutes:02}:{secs:02}.{millis:03}"


def webvtt(cues: Iterable[Cue]) -> str:
    """Captions as WebVTT: one numbered cue per step."""
    blocks = ["WEBVTT", ""]
    for number, cue in enumerate(cues, start=1):
        blocks += [str(number), f"{_timestamp(cue.start)} --> {_timestamp(cue.end)}", cue.text, ""]
    return "\n".join(blocks)


def _ffmpeg(arguments: list[str]) -> None:
    command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *arguments]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RecordingError(_("ffmpeg failed: %(error)s", error=done.stderr.strip()[-800:]))


def encode(frames: list[Frame], folder: Path, part: str) -> dict[str, Path]:
    """The frames as ``<part>.webm`` (VP9) and ``<part>.mp4`` (H.264) in ``folder``."""
    if shutil.which("ffmpeg") is None:
        raise RecordingError(_("ffmpeg is missing: install it with apt-get install ffmpeg."))
    images = folder / "frames"
    images.mkdir()
    lines = []
    for index, frame in enumerate(frames):
        path = images / f"{index:05}.png"
        frame.image.save(path, compress_level=1)
        lines += [f"file '{path}'", f"duration {frame.seconds:.3f}"]
    lines.append(f"file '{images / f'{len(frames) - 1:05}.png'}'")  # the last duration counts
    listing = folder / "frames.txt"
    listing.write_text("\n".join(lines) + "\n")
    source = ["-f", "concat", "-safe", "0", "-i", str(listing), "-vf", f"fps={FPS}"]
    webm, mp4 = folder / f"{part}.webm", folder / f"{part}.mp4"
    _ffmpeg([
        *source, "-c:v", "libvpx-vp9", "-pix_fmt", "yuv420p", "-b:v", "0", "-crf", "34",
        "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1", "-g", str(FPS * 10), "-an",
        str(webm),
    ])  # fmt: skip
    _ffmpeg([
        *source, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "veryfast", "-crf", "28",
        "-tune", "stillimage", "-movflags", "+faststart", "-an", str(mp4),
    ])  # fmt: skip
    shutil.rmtree(images)
    listing.unlink()
    return {"webm": webm, "mp4": mp4}


def render(page, tour: Tour, target: Path) -> Rendered:
    """Record ``tour`` on a signed-in ``page`` into ``target`` (files replaced only when all
    of them were made)."""
    frames, cues = walk(page, tour)
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target, prefix=".recording-") as temporary:
        folder = Path(temporary)
        files = encode(frames, folder, tour.part)
        files["vtt"] = folder / f"{tour.part}.vtt"
        files["vtt"].write_text(webvtt(cues), encoding="utf-8")
        files["jpg"] = folder / f"{tour.part}.jpg"
        poster = frames[GLIDE_FRAMES - 1].image if len(frames) >= GLIDE_FRAMES else frames[0].image
        poster.save(files["jpg"], quality=82)
        final = {}
        for kind, path in files.items():
            final[kind] = target / path.name
            path.replace(final[kind])
    return Rendered(tour.part, cues[-1].end, final)


def sign_in(page, role: str) -> None:
    """Sign in as ``role`` of the demo school through the demo platform (the real LTI flow)."""
    page.goto("/demo/")
    card = page.locator("section.card", has_text=DEMO_SCHOOL)
    card.locator(f"button[value='{role}']").click()
    page.wait_for_url("**/dashboard")


def record_with(browser, base_url: str, tours: Iterable[Tour], target: Path) -> list[Rendered]:
    """Record every tour against the running app at ``base_url`` into ``target``, each in a
    fresh browser context signed in as its role. Needs an app context (for the captions)."""
    results = []
    for tour in tours:
        context = browser.new_context(
            base_url=base_url, locale="nl-NL", viewport={"width": WIDTH, "height": HEIGHT},
            reduced_motion="reduce",
        )  # fmt: skip
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            sign_in(page, tour.role)
            results.append(render(page, tour, target))
        finally:
            context.close()
    return results


def record(base_url: str, tours: Iterable[Tour], target: Path) -> list[Rendered]:
    """``record_with`` in a Chromium of its own (Debian's, never a downloaded one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return record_with(browser, base_url, tours, target)
        finally:
            browser.close()


def describe(results: list[Rendered]) -> str:
    """One line per recorded part: its length and file sizes (for the person who ran it)."""
    lines = []
    for result in results:
        sizes = ", ".join(
            f"{kind} {path.stat().st_size / 1_000_000:.1f} MB"
            for kind, path in result.files.items()
            if kind in ("webm", "mp4")
        )
        lines.append(f"{result.part:14} {result.seconds:5.1f} s  {sizes}")
    return "\n".join(lines)
