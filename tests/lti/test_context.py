"""Unit tests on plain claims: the LaunchContext, role mapping and where an ECK iD may come from."""

from __future__ import annotations

import dataclasses

import pytest

from lti import claims
from lti.context import from_claims
from lti.models import Registration
from lti.services import map_role
from plugin.auth import Role


def test_context_is_frozen_and_reads_the_claims(lti_claims):
    lti_claims[claims.CUSTOM] = {"rol": "ib", "nested": {"not": "kept"}}
    ctx = from_claims(lti_claims, "tool-client-1", "launch-1")
    assert (ctx.issuer, ctx.user_sub, ctx.context_label, ctx.locale) == (
        "https://platform.example", "teacher-42", "Groep 5", "nl-NL",
    )  # fmt: skip
    assert ctx.custom == {"rol": "ib"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.user_sub = "someone-else"


def _role(roles, custom=None, **registration) -> Role | None:
    reg = Registration(ib_roles=list(claims.DEFAULT_IB_ROLES))
    for key, value in registration.items():
        setattr(reg, key, value)
    body = {"iss": "i", "sub": "s", claims.ROLES: roles, claims.CUSTOM: custom or {}}
    return map_role(from_claims(body, "c"), reg)


@pytest.mark.parametrize(
    ("roles", "custom", "expected"),
    [
        ([claims.ROLE_INSTRUCTOR], None, Role.LEERKRACHT),
        (["Instructor"], None, Role.LEERKRACHT),
        ([claims.ROLE_LEARNER], None, Role.LEERLING),
        (["Learner"], None, Role.LEERLING),
        ([claims.ROLE_INSTITUTION_ADMIN], None, Role.IB),
        ([claims.ROLE_INSTRUCTOR], {"rol": "IB"}, Role.LEERKRACHT),
        ([claims.ROLE_INSTRUCTOR], {"rol": "ib"}, Role.LEERKRACHT),
        ([claims.ROLE_LEARNER], {"rol": "ib"}, Role.LEERLING),
        ([claims.ROLE_LEARNER, claims.ROLE_INSTRUCTOR], None, Role.LEERKRACHT),
        ([claims.MEMBERSHIP + "Mentor"], None, None),
        ([""], None, None),
        ([], None, None),
    ],
)
def test_role_mapping(roles, custom, expected):
    assert _role(roles, custom) is expected


ECKID = "https://ketenid.nl/201703/a4b1f23f608da30d"


@pytest.mark.parametrize(
    ("lis", "custom", "expected"),
    [
        ({"person_sourcedid": ECKID}, None, ECKID),
        ({"person_sourcedid": "  " + ECKID + " "}, None, ECKID),
        ({"person_sourcedid": "12345"}, None, None),  # a platform id that is no ECK iD
        ({"person_sourcedid": 7}, None, None),
        (None, {"eckid": ECKID}, None),  # a course owner's custom parameter never counts
    ],
)
def test_the_eck_id_comes_only_from_the_platforms_lis_claim(lti_claims, lis, custom, expected):
    if lis is not None:
        lti_claims[claims.LIS] = lis
    if custom is not None:
        lti_claims[claims.CUSTOM] = custom
    assert from_claims(lti_claims, "tool-client-1").user_eckid == expected
