"""Control for the iframe test: the app with pylti1p3's default state cookie and an
unpartitioned session cookie (what the tool would do without our cookie subclass)."""

from pylti1p3.contrib.flask import FlaskCookieService

from lti import launch
from plugin import create_app

launch.IframeCookieService.update_response = FlaskCookieService.update_response
app = create_app({"SESSION_COOKIE_PARTITIONED": False})
