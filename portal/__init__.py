"""Sign-in from a school portal tile, without an LMS: OpenID Connect through the school's
identity provider (Entree Federatie, Microsoft Entra ID or any standard provider).

``/login?school=<BRIN>&next=/…`` is what a portal tile links to; ``/login/callback`` finishes
the sign-in. The person is recognised among the school's own people and gets exactly the access
an LTI launch would give them (:mod:`portal.people`); see :mod:`portal.client` for the
protocol checks and :mod:`portal.demo_idp` for the development identity provider.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("portal", __name__, template_folder="templates")

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """The signed-out page's link to the provider, and (in development) the demo provider."""
    from plugin.web import sign_out_link_provider
    from portal.views import end_session_link

    sign_out_link_provider(app, end_session_link)
    if app.config.get("DEMO_PLATFORM"):
        from portal.demo_idp import bp as demo_bp
        from portal.demo_idp.server import init_server

        init_server(app)
        app.register_blueprint(demo_bp)


from portal import views  # noqa: E402, F401 - registers the routes on bp
