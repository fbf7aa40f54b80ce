"""The LTI 1.3 protocol, on pylti1p3(next): OIDC login and a launch validated stricter than the
library does by itself.

Gaps of pylti1p3 closed here: the nonce is consumed (a captured launch form cannot be replayed),
``aud``/``azp`` are checked against the registration, ``exp``/``iat`` are required, only RS256 is
accepted, ``target_link_uri`` must be the one the login was started for and point at this tool,
``roles`` must be a list, and an unknown issuer, client or deployment is a 4xx, never a 500.
State and nonce live in :mod:`lti.state` (Redis or database), so any app process can finish a
login that another one started.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from flask import current_app, request
from pylti1p3.contrib.flask import (
    FlaskCookieService,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
    FlaskSessionService,
)
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.launch_data_storage.base import LaunchDataStorage

from lti import claims
from lti.context import LaunchContext, from_claims
from lti.errors import LaunchRejected
from lti.platform_keys import platform_key
from lti.state import store
from lti.tool_config import DatabaseToolConf

log = logging.getLogger(__name__)

MAX_ID_TOKEN = 64 * 1024
STATE_TTL = 10 * 60
LAUNCH_DATA_TTL = 4 * 3600
ALGORITHMS = ["RS256"]
LEEWAY = 60
SUBJECT = re.compile(r"[\x20-\x7e]{1,255}")
"""A platform user id: at most 255 ASCII characters (the staff and pupil columns' size)."""


class NeedsPlatformStorage(Exception):
    """No state cookie, but the platform offers LTI platform storage: check state there."""

    def __init__(self, state: str, record: dict):
        super().__init__(state)
        self.state, self.record = state, record


class IframeCookieService(FlaskCookieService):
    """State cookies that survive inside the platform's iframe: ``SameSite=None; Secure;
    Partitioned`` always, also on ``http://localhost`` (browsers treat it as secure)."""

    def update_response(self, response):
        for key, data in self._cookie_data_to_set.items():
            response.set_cookie(
                key, data["value"], max_age=data["exp"], path="/", httponly=True,
                secure=True, samesite="None", partitioned=True,
            )  # fmt: skip


class SharedStorage(LaunchDataStorage):
    """pylti1p3's storage interface over :data:`lti.state.store` (no extra session cookie)."""

    def get_session_cookie_name(self) -> None:
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        return store.get(self._prepare_key(key))

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        store.set(self._prepare_key(key), value, exp or LAUNCH_DATA_TTL)

    def check_value(self, key: str) -> bool:
        return store.get(self._prepare_key(key)) is not None


class OneTimeSessionService(FlaskSessionService):
    """A nonce is valid once, and only with its own login: it is kept in the login's state
    record (:meth:`ToolOIDCLogin.prepare`), never on its own. The launch takes that record
    (atomically, across processes: one use) and :meth:`ToolMessageLaunch.validate_nonce`
    requires the token's nonce to be the record's. So nothing is stored or deleted per nonce
    (two statements less on every login and launch), and a nonce cannot be used twice."""

    def save_nonce(self, nonce: str) -> None:
        pass  # kept in the state record

    def check_nonce(self, nonce: str) -> bool:
        return True  # checked against the state record, which was taken (once) already


def _services() -> dict[str, Any]:
    flask_request = FlaskRequest()
    session_service = OneTimeSessionService(flask_request)
    session_service.set_data_storage(SharedStorage())
    session_service.data_storage.set_request(flask_request)
    session_service.set_launch_data_lifetime(LAUNCH_DATA_TTL)
    return {
        "request": flask_request,
        "tool_config": DatabaseToolConf(),
        "session_service": session_service,
        "cookie_service": IframeCookieService(flask_request),
    }


def on_this_tool(url: str | None) -> bool:
    """``url`` is an absolute URL on this tool's public origin."""
    if not url:
        return False
    base, target = urlsplit(current_app.config["PUBLIC_BASE_URL"]), urlsplit(url)
    return (target.scheme, target.netloc) == (base.scheme, base.netloc)


# --- OIDC login ---------------------------------------------------------------------------

LOGIN_PARAMS = ("iss", "login_hint", "lti_message_hint", "target_link_uri", "client_id",
                "lti_deployment_id", "lti_storage_target")  # fmt: skip


class ToolOIDCLogin(FlaskOIDCLogin):
    def prepare(self, launch_url: str) -> tuple[str, dict]:
        """Validate the login request; return the platform's auth URL and the state record."""
        target = self._get_request_param("target_link_uri")
        if target and not on_this_tool(target):
            raise LaunchRejected(f"login target_link_uri {target!r} is not this tool")
        url = self._prepare_redirect_url(launch_url)
        query = parse_qs(urlsplit(url).query)
        state, nonce = query["state"][0], query["nonce"][0]
        params = {key: self._get_request_param(key) for key in LOGIN_PARAMS}
        parts = urlsplit(url)
        record = {
            "nonce": nonce,
            "login": {k: v for k, v in params.items() if v},
            "origin": f"{parts.scheme}://{parts.netloc}",
        }
        store.add("state:" + state, record, STATE_TTL)  # a new random key: one INSERT
        return url, {"state": state, **record}


def login(launch_url: str) -> tuple[str, dict, IframeCookieService]:
    """Handle ``/lti/login``: the auth URL to send the browser to, the state record, and the
    cookie service whose cookies the response must carry."""
    services = _services()
    oidc = ToolOIDCLogin(
        services["request"],
        services["tool_config"],
        session_service=services["session_service"],
        cookie_service=services["cookie_service"],
    )
    try:
        url, record = oidc.prepare(launch_url)
    except (OIDCException, LtiException) as error:
        raise LaunchRejected(
            f"login refused: {error}", kind="unknown_platform", status=403
        ) from error
    return url, record, services["cookie_service"]


# --- Launch -------------------------------------------------------------------------------


class ToolMessageLaunch(FlaskMessageLaunch):
    """pylti1p3's launch with every check the library leaves out."""

    _state_record: dict | None = None
    via_storage: bool = False
    """The state was proven through platform storage: this frame keeps no cookies."""
    storage_proof: dict | None = None
    """State and nonce that the tool's own page read from the platform's storage frame and
    posted same-origin (:func:`lti.platform_storage.storage_proof`); never a launch field."""

    def validate(self) -> ToolMessageLaunch:
        self._validated = True
        try:
            self.validate_size()
            self.validate_state()
            self.validate_jwt_format()
            self.validate_registration()
            self.validate_jwt_signature()
            self.validate_nonce()
            self.validate_deployment()
            self.validate_message()
            self.validate_claims()
            return self.save_launch_data()
        except Exception:
            self._validated = False
            raise

    def validate_size(self) -> None:
        token = self._get_request_param("id_token") or ""
        if not token:
            raise LaunchRejected("no id_token")
        if len(token) > MAX_ID_TOKEN:
            raise LaunchRejected(f"id_token of {len(token)} bytes")

    def validate_state(self) -> ToolMessageLaunch:
        state = self._get_request_param("state")
        if not state:
            raise LaunchRejected("missing state", kind="state", status=401)
        cookie_ok = self._cookie_service.get_cookie(state) == state
        if cookie_ok:  # the usual launch: take the state in one statement
            record = store.take("state:" + state)
            if record is None:
                raise LaunchRejected("unknown, expired or used state", kind="state", status=401)
        else:
            record = self._state_without_cookie(state)
        self._state_record = record
        self.via_storage = not cookie_ok
        return self

    def _state_without_cookie(self, state: str) -> dict:
        """No state cookie (a frame without cookies): the state must be proven through
        platform storage; it is only taken once it is."""
        record = store.get("state:" + state)
        if record is None:
            raise LaunchRejected("unknown, expired or used state", kind="state", status=401)
        proof = self.storage_proof
        storage_ok = proof is not None and (proof.get("state"), proof.get("nonce")) == (
            state,
            record.get("nonce"),
        )
        if not storage_ok:
            if record["login"].get("lti_storage_target") and proof is None:
                raise NeedsPlatformStorage(state, record)
            raise LaunchRejected("missing state cookie", kind="cookie", status=401, record=record)
        if not store.discard("state:" + state):  # one DELETE; only one process wins it
            raise LaunchRejected("state used twice", kind="state", status=401)
        return record

    def get_client_id(self) -> str:
        """The registration's client id: ``azp`` when present (it must be one of ``aud``),
        else the only audience. Several audiences without ``azp`` are refused."""
        body = self._jwt.get("body", {})
        aud, azp = body.get("aud"), body.get("azp")
        audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
        if not audiences or not all(isinstance(item, str) for item in audiences):
            raise LaunchRejected("missing or malformed aud")
        if azp is not None:
            if azp not in audiences:
                raise LaunchRejected(f"azp {azp!r} not in aud")
            return azp
        if len(audiences) > 1:
            raise LaunchRejected("several audiences and no azp")
        return audiences[0]

    def validate_registration(self) -> ToolMessageLaunch:
        body = self._jwt.get("body", {})
        deployment_id = body.get(claims.DEPLOYMENT_ID)
        if isinstance(deployment_id, str):
            # One query for the registration, the deployment and its school (pylti1p3 and
            # the launch ask for all three); an unknown deployment falls back to pylti1p3's
            # own lookups and errors.
            self._tool_config.prefetch(body.get("iss"), self.get_client_id(), deployment_id)
        try:
            return super().validate_registration()
        except LtiException as error:
            raise LaunchRejected(str(error), kind="unknown_platform", status=403) from error

    def validate_jwt_signature(self) -> ToolMessageLaunch:
        header = self._jwt.get("header", {})
        if header.get("alg") not in ALGORITHMS:
            raise LaunchRejected(f"alg {header.get('alg')!r} refused")
        if not header.get("kid"):
            raise LaunchRejected("no kid")
        key = platform_key(self._registration.get_key_set_url(), header["kid"])
        try:
            self._jwt["body"] = jwt.decode(
                self._get_id_token(), key, algorithms=ALGORITHMS,
                audience=self._registration.get_client_id(),
                issuer=self._registration.get_issuer(), leeway=LEEWAY,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )  # fmt: skip
        except jwt.PyJWTError as error:
            raise LaunchRejected(f"id_token rejected: {error}") from error
        return self

    def validate_nonce(self) -> ToolMessageLaunch:
        nonce = self._jwt["body"].get("nonce")
        if not nonce:
            raise LaunchRejected("missing nonce")
        if nonce != (self._state_record or {}).get("nonce"):
            raise LaunchRejected("nonce does not belong to this login")
        if not self._session_service.check_nonce(nonce):
            raise LaunchRejected("nonce already used")
        return self

    def validate_deployment(self) -> ToolMessageLaunch:
        try:
            return super().validate_deployment()
        except LtiException as error:
            raise LaunchRejected(str(error), kind="unknown_platform", status=403) from error

    def save_launch_data(self) -> ToolMessageLaunch:
        """Nothing to keep: pylti1p3's launch cache (``from_cache``) is not used here (deep
        linking keeps its own record), so a launch writes no launch data."""
        return self

    def validate_message(self) -> ToolMessageLaunch:
        try:
            return super().validate_message()
        except LtiException as error:
            raise LaunchRejected(str(error)) from error

    def validate_claims(self) -> None:
        body = self._jwt["body"]
        subject = body.get("sub")
        if isinstance(subject, bool) or not isinstance(subject, str | int):
            raise LaunchRejected("sub is not a string")
        if not SUBJECT.fullmatch(str(subject)):
            raise LaunchRejected("sub is not 1-255 printable ASCII characters (LTI 1.3 5.3.6)")
        roles = body.get(claims.ROLES)
        if not isinstance(roles, list):
            raise LaunchRejected("roles claim is not a list")
        if body.get(claims.MESSAGE_TYPE) not in claims.MESSAGE_TYPES:
            raise LaunchRejected("message type not supported")
        if body.get(claims.MESSAGE_TYPE) == claims.DEEP_LINKING_REQUEST:
            settings = body.get(claims.DEEP_LINKING_SETTINGS) or {}
            if not str(settings.get("deep_link_return_url", "")).startswith(
                ("https://", "http://")
            ):
                raise LaunchRejected("deep linking request without a usable return URL")
        target = body.get(claims.TARGET_LINK_URI)
        login_target = (self._state_record or {}).get("login", {}).get("target_link_uri")
        if not on_this_tool(target) or (login_target and target != login_target):
            raise LaunchRejected(f"target_link_uri {target!r} mismatch")


@dataclass(frozen=True)
class ValidatedLaunch:
    context: LaunchContext
    claims: dict
    via_storage: bool
    """State came from LTI platform storage, not a cookie: the session cookie may not stick."""
    deployment: Any
    """The launch's :class:`lti.models.Deployment`, its registration and school loaded."""
    login: dict
    """The original login request's parameters (to restart it in a new window)."""


def validate_launch(storage_proof: dict | None = None) -> ValidatedLaunch:
    """Validate the POSTed launch: the context, the verified claims, how state was proven.

    ``storage_proof`` is only passed by the same-origin storage step, never from the launch.
    """
    services = _services()
    message = ToolMessageLaunch(
        services["request"],
        services["tool_config"],
        session_service=services["session_service"],
        cookie_service=services["cookie_service"],
    )
    message.storage_proof = storage_proof
    try:
        message.validate()
    except LtiException as error:
        raise LaunchRejected(str(error)) from error
    body = message.get_launch_data()
    return ValidatedLaunch(
        context=from_claims(body, message.get_client_id(), message.get_launch_id()),
        claims=dict(body),
        via_storage=message.via_storage,
        deployment=services["tool_config"].deployment,
        login=dict((message._state_record or {}).get("login", {})),
    )


def launch_form() -> dict[str, str]:
    """The launch form's fields, to re-post after a platform-storage check."""
    return {key: request.form.get(key, "") for key in ("id_token", "state")}
