from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def credential_keys_check(app_configs, **kwargs):
    """Teams' Data API tokens are encrypted with CREDENTIAL_KEYS; production must set them."""
    if settings.CREDENTIAL_KEYS:
        return []
    return [
        Error(
            "CREDENTIAL_KEYS is not set: the teams' Data API tokens cannot be encrypted.",
            hint='Set it to one or more Fernet keys, e.g. from python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"',
            id="teams.E001",
        )
    ]
