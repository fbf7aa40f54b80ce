"""The security tests use the fake platform of the LTI tests."""

from tests.lti.conftest import lti_claims, platform_jwks, registration  # noqa: F401
