"""Demo platform pages: choose a school and a role, then the platform's OIDC endpoints."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import abort, current_app, redirect, render_template, request, url_for

from lti import keys
from lti.demo import CLIENT_ID, bp
from lti.demo import platform as demo
from lti.state import store
from plugin.extensions import db
from plugin.models import School

STORAGE_FRAME = "lti_storage"


@bp.get("/")
def index():
    """Pick a fictitious school and a role to launch the tool as."""
    return render_template("demo/index.html", schools=demo.demo_schools(), users=demo.USERS)


@bp.post("/start")
def start():
    """Register the demo platform (first use) and start the tool's OIDC login."""
    school = db.session.get(School, request.form.get("school", type=int) or 0)
    user = demo.USERS.get(request.form.get("user", ""))
    if school is None or not school.is_synthetic or user is None:
        abort(400)
    demo.ensure_registered(school)
    launch_url = url_for("lti.launch", _external=False)
    params = demo.login_start_params(school, user, _public(launch_url))
    if request.form.get("frame"):
        # Like Canvas: a hidden frame on the platform's auth origin offers LTI platform storage.
        params["lti_storage_target"] = STORAGE_FRAME
        return _in_frame(_public(url_for("lti.oidc_login") + "?" + urlencode(params)), school)
    # The tool's public address, even when this page was opened under another host name:
    # the state cookie must be set where the launch arrives.
    return redirect(_public(url_for("lti.oidc_login") + "?" + urlencode(params)))


def _in_frame(login_url: str, school: School):
    """The tool inside an iframe, as a school platform shows it. Opened via the other local
    host name (localhost vs 127.0.0.1) the frame is cross-site, so only partitioned
    ``SameSite=None; Secure`` cookies keep the session."""
    response = current_app.make_response(
        render_template("demo/frame.html", login_url=login_url, school=school,
                        storage_url=_public(url_for("demo.storage")), storage_name=STORAGE_FRAME)
    )  # fmt: skip
    public = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        f"script-src 'self'; frame-src 'self' {public.scheme}://{public.netloc}; "
        "base-uri 'self'; object-src 'none'; frame-ancestors 'self'"
    )
    return response


@bp.get("/auth")
def auth():
    """The platform's OIDC authorization endpoint: answer with a signed id_token form-post."""
    args = request.args
    # Like a real platform's login hint, it stays valid for a while: the tool may restart the
    # login in a new window when the frame had no cookies.
    hint = store.get("demo-hint:" + args.get("login_hint", ""))
    if (
        hint is None
        or args.get("client_id") != CLIENT_ID
        or not demo.valid_redirect(args.get("redirect_uri"))
        or not args.get("nonce")
        or args.get("response_mode") != "form_post"
    ):
        abort(400)
    token = demo.id_token(hint, args["nonce"], args["redirect_uri"])
    return render_template(
        "demo/post.html", action=args["redirect_uri"], id_token=token, state=args.get("state")
    )


@bp.get("/storage")
def storage():
    """The platform's storage frame: answers ``lti.put_data``/``lti.get_data`` messages."""
    return render_template("demo/storage.html")


@bp.get("/jwks")
def jwks():
    """The demo platform's public keys."""
    published = keys.published_keys(keys.DEMO_PLATFORM)
    return {"keys": published}


def _public(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"] + path
