"""LTI Advantage pages: the deep-linking picker (dynamic registration follows in this module)."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request, session

from lti import deep_linking
from lti.state import store
from lti.views import LAUNCH_SESSION_KEY, bp
from plugin.auth import Permission, require_permission
from plugin.extensions import db


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
    db.session.commit()
    return render_template(
        "lti/autopost.html",
        action=pending["settings"]["deep_link_return_url"],
        fields={"JWT": token},
    )
