"""Unit tests on plain claims: the LaunchContext, role mapping and the group-name rule."""

from __future__ import annotations

import dataclasses

import pytest

from lti import claims
from lti.context import from_claims
from lti.models import Registration
from lti.provisioning import leerjaar_from_name
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


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Groep 5", (5, None)),
        ("5B", (5, None)),
        ("groep 6/7", (6, 7)),
        ("Groep 6 / 7", (6, 7)),
        ("Klas 10", (1, None)),
        ("Rekenen", (1, None)),
        ("Groep 8/8", (8, None)),
    ],
)
def test_leerjaar_from_group_name(name, expected):
    assert leerjaar_from_name(name) == expected
