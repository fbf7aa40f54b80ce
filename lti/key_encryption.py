"""The tool's private LTI keys are encrypted at rest with a key from the environment.

``LTI_KEY_ENCRYPTION_KEYS`` holds one or more Fernet keys, newest first (cryptography's
MultiFernet): the first encrypts, every one of them decrypts. Rotation: put a new key in front,
restart, run ``flask lti reencrypt-keys`` (every private key is then encrypted with the new
one), and drop the old key from the setting. A database backup alone therefore holds no usable
private key. Development generates a key into ``instance/`` (see :mod:`plugin.config`).

Stored values read ``fernet:<token>``; a value without the prefix is a key from before
encryption, still readable, and encrypted by the migration or ``reencrypt-keys``.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

PREFIX = "fernet:"


class KeyDecryptionError(RuntimeError):
    """No configured key opens this private key (the setting lost the key it was made with)."""


def _fernet(keys: str | None = None) -> MultiFernet:
    raw = keys if keys is not None else current_app.config["LTI_KEY_ENCRYPTION_KEYS"]
    return MultiFernet([Fernet(key.strip()) for key in str(raw).split(",") if key.strip()])


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


def encrypt(pem: str, keys: str | None = None) -> str:
    return PREFIX + _fernet(keys).encrypt(pem.encode()).decode()


def decrypt(stored: str, keys: str | None = None) -> str:
    if not is_encrypted(stored):
        return stored  # written before encryption; the migration encrypts it
    try:
        return _fernet(keys).decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as error:
        raise KeyDecryptionError("no key in LTI_KEY_ENCRYPTION_KEYS opens this key") from error


def reencrypt(stored: str, keys: str | None = None) -> str:
    """``stored`` encrypted with the first (newest) key."""
    if not is_encrypted(stored):
        return encrypt(stored, keys)
    token = _fernet(keys).rotate(stored[len(PREFIX) :].encode())
    return PREFIX + token.decode()
