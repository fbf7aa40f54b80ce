"""LTI 1.3: platform registrations, keys, OIDC login, launch, roster sync, deep linking and the
built-in demo platform. (Being built: see the LTI issue.)"""
