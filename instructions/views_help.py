"""Public help: the tour, a help page per part with its QR code and video, printable help
cards and product information. No login and no pupil data on any of these pages."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, send_file

from instructions import bp, services
from instructions.help import HELP_PARTS, PARTS_BY_SLUG, public_url, video_url
from instructions.qr import qr_svg
from instructions.videos import MEDIA_TYPES, local_video, video_file
from instructions.videos.tours import TOURS_BY_PART

A_YEAR = 365 * 24 * 3600


def _video(slug: str) -> tuple[str | None, str | None, object]:
    """A hosted video (``HELP_VIDEO_BASE_URL``): its address, its captions' address, if the
    content pack names them, and the pack's document."""
    document = services.document(f"video-{slug}", "video")
    file = document.body["file"] if document else f"{slug}.mp4"
    captions = document.body.get("captions") if document else None
    return video_url(file), video_url(captions), document


@bp.get("/help/")
def help_index():
    """Help: every part with its page (marked when it has a video), plus the help cards."""
    hosted = bool(current_app.config.get("HELP_VIDEO_BASE_URL"))
    with_video = {part.slug for part in HELP_PARTS if hosted or local_video(part.slug)}
    return render_template("instructions/help_index.html", parts=HELP_PARTS, with_video=with_video)


@bp.get("/help/<part>")
def help_part(part: str):
    """One part's help page (reachable from a printed QR code on a phone)."""
    info = PARTS_BY_SLUG.get(part) or abort(404)
    url, captions_url, document = _video(part)
    # A school's or publisher's own videos (HELP_VIDEO_BASE_URL) come first; then the ones
    # the tool recorded itself (make help-videos); else the written steps are the whole help.
    recorded = None if url else local_video(part)
    tour = TOURS_BY_PART.get(part)
    return render_template(
        "instructions/help_part.html", part=info, video_url=url, video=document,
        captions_url=captions_url,
        recorded=recorded, transcript=tour.steps if tour and recorded else (),
        page_url=public_url(".help_part", part=part),
    )  # fmt: skip


@bp.get("/help/<part>/video.<any(webm, mp4, vtt, jpg):kind>")
def help_video(part: str, kind: str):
    """A recorded help video, its captions or its poster: range requests for seeking, and
    cached for a year (the page's address carries the file's version)."""
    path = video_file(part, kind) if part in PARTS_BY_SLUG else None
    if path is None:
        abort(404)
    response = send_file(path, mimetype=MEDIA_TYPES[kind], conditional=True, max_age=A_YEAR)
    response.cache_control.immutable = True
    return response


@bp.get("/help/<part>/qr.svg")
def help_qr(part: str):
    """The QR code (SVG) that opens the part's help page."""
    if part not in PARTS_BY_SLUG:
        abort(404)
    svg = qr_svg(public_url(".help_part", part=part))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "max-age=3600"})


@bp.get("/help/kaarten")
def help_cards():
    """Printable help cards: one per part, each with its QR code and address."""
    cards = [(part, public_url(".help_part", part=part.slug)) for part in HELP_PARTS]
    return render_template("instructions/help_cards.html", cards=cards)


@bp.get("/productinformatie")
def product():
    """Product information: what the tool does, for whom, and how privacy is handled."""
    return render_template("instructions/product.html", parts=HELP_PARTS)
