"""Public help pages with QR codes that decode to the right absolute URL, and videos that are
either configured or plainly absent."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from instructions.help import HELP_PARTS
from instructions.qr import qr_png, qr_svg

pyzbar = pytest.importorskip("pyzbar.pyzbar", reason="needs the zbar library (libzbar0)")


def decode(png: bytes) -> str:
    found = pyzbar.decode(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    return found[0].data.decode()


@pytest.mark.no_db
def test_qr_png_decodes_to_its_payload_and_svg_is_a_document():
    url = "https://lvs.school.example/help/nakijken?x=1&y=%C3%A9"
    assert decode(qr_png(url)) == url
    svg = qr_svg(url).decode()
    assert svg.startswith("<svg")
    assert "<path" in svg
    with pytest.raises(ValueError, match="payload"):
        qr_svg("")


@pytest.mark.parametrize("part", [p.slug for p in HELP_PARTS])
def test_each_help_qr_code_decodes_to_the_public_url(client, app, part, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://lvs.school.example")
    response = client.get(f"/help/{part}/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    expected = f"https://lvs.school.example/help/{part}"
    from flask import url_for

    with app.test_request_context():
        assert url_for("instructions.help_part", part=part) == f"/help/{part}"
    # The SVG served is the same code as the PNG we can decode.
    assert response.data == qr_svg(expected)
    assert decode(qr_png(expected)) == expected
    page = client.get(f"/help/{part}").get_data(as_text=True)
    assert expected in page


def test_help_pages_are_public_and_without_a_video_show_the_written_steps(client):
    for url in ("/help/", "/help/dashboard", "/help/kaarten", "/productinformatie"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get("/help/nakijken").get_data(as_text=True)
    assert '<ol class="steps">' in page
    assert ".mp4" not in page
    assert "HELP_VIDEO_BASE_URL" not in page  # teachers never see configuration names
    assert "filmpje" not in page


def test_a_pupils_menu_does_not_link_the_staff_help(client, login, school):
    from plugin.auth import Role
    from tests.factories import PupilFactory

    login(role=Role.LEERLING, school=school, pupil=PupilFactory(school=school))
    page = client.get("/digibord/").get_data(as_text=True)
    nav = page.split('class="main-nav"')[1].split("</nav>")[0]
    assert "/help/" not in nav
    assert client.get("/help/nakijken").status_code == 200  # still public (printed QR codes)


def test_a_configured_video_is_linked(client, app, monkeypatch, pack_dir):
    from instructions.pack import read_pack
    from instructions.pack.load import load_pack

    load_pack(read_pack(pack_dir))
    monkeypatch.setitem(app.config, "HELP_VIDEO_BASE_URL", "https://video.example/lib/")
    page = client.get("/help/nakijken").get_data(as_text=True)
    assert 'href="https://video.example/lib/nakijken.mp4"' in page
    assert "(3 min.)" in page


def test_help_cards_carry_every_qr_code_and_address(client):
    page = client.get("/help/kaarten").get_data(as_text=True)
    for part in HELP_PARTS:
        assert f"/help/{part.slug}/qr.svg" in page
        assert f"http://localhost/help/{part.slug}" in page
