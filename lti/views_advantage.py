"""LTI Advantage pages: the deep-linking picker and dynamic registration."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask import abort, render_template, request, session

from lti import deep_linking
from lti.state import store
from lti.views import LAUNCH_SESSION_KEY, bp
from plugin.auth import Permission, require_permission
from plugin.extensions import db
from plugin.limits import rate_limited
from plugin.web import allow_form_action, allow_framing_by


@bp.route("/deep-link", methods=["GET", "POST"])
@require_permission(Permission.VIEW_DASHBOARD)
def deep_link():
    """Pick the page a new tile opens; answer the platform with a signed response."""
    from plugin.auth import current_principal

    launch_id = session.get(LAUNCH_SESSION_KEY)
    pending = deep_linking.pending_request(launch_id)
    if pending is None:
        abort(404)
    options = deep_linking.choices(current_principal(), date.today())
    if request.method == "GET":
        return render_template("lti/deep_link.html", choices=options)
    choice = next((c for c in options if c.key == request.form.get("choice")), None)
    if choice is None:
        abort(400)
    token = deep_linking.response_token(pending, choice)
    store.pop("dl:" + launch_id)
    return_url = pending["settings"]["deep_link_return_url"]
    parts = urlsplit(return_url)
    allow_form_action(f"{parts.scheme}://{parts.netloc}")  # from the platform's signed launch
    return render_template(
        "lti/autopost.html",
        action=pending["settings"]["deep_link_return_url"],
        fields={"JWT": token},
    )


@bp.get("/register")
@rate_limited("registration")
def register():
    """Dynamic registration: the platform opens this with its configuration URL and token."""
    from lti import dynamic_registration as dynreg
    from lti.views import log, public_url

    # The platform frames this page before it is registered: allow its origin for this
    # response, once the code is known to be valid and the URL is a well-formed https URL.
    code = request.args.get("code", "")
    origin = dynreg.configuration_origin(request.args.get("openid_configuration", ""))
    if origin is not None and dynreg.pending_school(code) is not None:
        allow_framing_by(origin)
    try:
        registration = dynreg.register(
            request.args.get("code", ""), request.args.get("openid_configuration", ""),
            request.args.get("registration_token"), public_url,
        )  # fmt: skip
    except dynreg.DynamicRegistrationError as error:
        db.session.rollback()
        log.warning("dynamic registration refused: %s", error)
        return render_template("lti/registered.html", ok=False, shown=error.shown), 400
    return render_template("lti/registered.html", ok=True, registration=registration)
