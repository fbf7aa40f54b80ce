"""QR codes as pure functions: a payload (an absolute URL) in, SVG or PNG bytes out.

The payload is encoded as-is in byte mode with error correction level M, so a printed card
still scans when slightly damaged. Neither function touches the request or the database.
"""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def _code(payload: str) -> qrcode.QRCode:
    if not payload:
        raise ValueError("a QR code needs a payload")
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(payload)
    code.make(fit=True)
    return code


def qr_svg(payload: str) -> bytes:
    """A standalone SVG document (paths, no fixed size: it scales with its container)."""
    image = _code(payload).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode").encode("utf-8")


def qr_png(payload: str) -> bytes:
    """A black-on-white PNG (needs Pillow); used for printing and for decoding in tests."""
    image = _code(payload).make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
