from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fuhua.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import audit, checks  # noqa: F401  (connects the audit signals and system checks)

        audit.connect_all()

        import datetime

        from .schedule import register_periodic
        from .tasks import prune_audit

        register_periodic("core.prune_audit", task=prune_audit, at=datetime.time(3, 0))
