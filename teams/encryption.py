"""Encryption at rest of the teams' Data API tokens, with the Fernet keys of CREDENTIAL_KEYS (newest first).

Several keys are accepted so that keys can be rotated: new values are encrypted with the first key, any key decrypts.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet() -> MultiFernet:
    if not settings.CREDENTIAL_KEYS:
        raise ImproperlyConfigured("CREDENTIAL_KEYS must be set when DEBUG is false")
    try:
        return MultiFernet([Fernet(key) for key in settings.CREDENTIAL_KEYS])
    except ValueError as exc:
        raise ImproperlyConfigured(f"CREDENTIAL_KEYS holds a value that is not a Fernet key: {exc}") from exc


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured("No key of CREDENTIAL_KEYS decrypts a stored credential") from exc


def reencrypt(ciphertext: str) -> str:
    """The same secret encrypted with the newest key."""
    return _fernet().rotate(ciphertext.encode()).decode()
