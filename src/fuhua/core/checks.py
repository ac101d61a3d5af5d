from django.conf import settings
from django.core.checks import Error, register


@register()
def audit_retention(app_configs, **kwargs):
    if settings.AUDIT_RETENTION_DAYS < settings.AUDIT_MIN_RETENTION_DAYS:
        return [
            Error(
                f"FUHUA_AUDIT_RETENTION_DAYS is {settings.AUDIT_RETENTION_DAYS}; "
                f"MLPS 2.0 requires at least {settings.AUDIT_MIN_RETENTION_DAYS} days (six months).",
                id="fuhua.E001",
            )
        ]
    return []
