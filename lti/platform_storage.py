"""LTI platform storage (1EdTech "LTI Client Side postMessages"): the proof of state when the
browser gives the tool's frame no cookies.

The launch POST comes from the platform's site, so an attacker can make a victim's browser
send any of its fields: a field there can never prove anything. The proof comes from a second
request instead, which only the tool's own page makes: that page (served to this browser in
answer to the launch) asks the platform's storage frame in *this* browser for the state and
nonce that the login stored there (``lti.get_data`` by ``postMessage`` to the platform's
origin only), and posts them back. An attacker who started a login has their state in their own
browser's platform storage, not in the victim's, so the victim's page finds nothing.

The second request must be same-origin: ``Sec-Fetch-Site: same-origin`` where the browser
sends it, and an ``Origin`` equal to the tool's public origin (browsers send it on every POST).
"""

from __future__ import annotations

from flask import request

from plugin.web import same_origin_request


def storage_proof() -> dict[str, str] | None:
    """The state and nonce the tool's page read from platform storage; None unless this is a
    same-origin request (then the launch falls back to the new-window offer)."""
    if not same_origin_request():
        return None
    return {
        "state": request.form.get("lti_storage_state", ""),
        "nonce": request.form.get("lti_storage_nonce", ""),
    }
