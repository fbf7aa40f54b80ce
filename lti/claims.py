"""The LTI 1.3 vocabulary in one place: claim names, message types, role URIs and scopes.

Every other module of the app (launch, demo platform, roster sync, deep linking) imports these
names instead of spelling ``https://purl.imsglobal.org/...`` itself.
"""

from __future__ import annotations

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = CLAIM + "message_type"
VERSION = CLAIM + "version"
DEPLOYMENT_ID = CLAIM + "deployment_id"
TARGET_LINK_URI = CLAIM + "target_link_uri"
RESOURCE_LINK = CLAIM + "resource_link"
ROLES = CLAIM + "roles"
CONTEXT = CLAIM + "context"
CUSTOM = CLAIM + "custom"
LAUNCH_PRESENTATION = CLAIM + "launch_presentation"
LIS = CLAIM + "lis"
TOOL_PLATFORM = CLAIM + "tool_platform"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DL_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
DL_MSG = "https://purl.imsglobal.org/spec/lti-dl/claim/msg"

LTI_VERSION = "1.3.0"
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
MESSAGE_TYPES = (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST)

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
SYSTEM = "http://purl.imsglobal.org/vocab/lis/v2/system/person#"
ROLE_INSTRUCTOR = MEMBERSHIP + "Instructor"
ROLE_LEARNER = MEMBERSHIP + "Learner"
ROLE_INSTITUTION_ADMIN = INSTITUTION + "Administrator"
ROLE_INSTITUTION_INSTRUCTOR = INSTITUTION + "Instructor"
ROLE_INSTITUTION_STUDENT = INSTITUTION + "Student"
ROLE_INSTITUTION_LEARNER = INSTITUTION + "Learner"

CONTEXT_TYPE_COURSE = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"

SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
NRPS_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"

DEFAULT_IB_ROLES = (ROLE_INSTITUTION_ADMIN,)
"""Roles that make a user *intern begeleider* unless a registration says otherwise."""

ECKID_PREFIX = "https://ketenid.nl/"
"""An ECK iD (the Dutch education chain's pseudonym) is a URI of this form."""


def eckid_or_none(value: object) -> str | None:
    """``value`` when it is an ECK iD, else None (LTI has no claim of its own for it; a platform
    fed by the school's administration may send it as the LIS ``person_sourcedid``)."""
    text = value.strip() if isinstance(value, str) else ""
    return text[:256] if text.startswith(ECKID_PREFIX) else None


def role_names(roles: list[str]) -> set[str]:
    """Role URIs plus their short forms, so ``Instructor`` and the full URI both match.

    A bare ``Instructor`` (1EdTech allows short context-role names) is read as a context role.
    """
    names: set[str] = set()
    for role in roles:
        if not isinstance(role, str) or not role.strip():
            continue
        role = role.strip()
        names.add(role)
        if "#" not in role and "/" not in role:
            names.add(MEMBERSHIP + role)
    return names
