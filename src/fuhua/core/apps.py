from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fuhua.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import audit, checks  # noqa: F401  (connects the audit signals and system checks)

        audit.connect_all()

        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from .append_only import install_triggers, register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="fuhua_append_only_sqlite")
        post_migrate.connect(install_triggers, dispatch_uid="fuhua_append_only_triggers")

        import datetime

        from .schedule import register_periodic
        from .tasks import prune_audit, prune_task_results

        register_periodic("core.prune_audit", task=prune_audit, at=datetime.time(3, 0))
        register_periodic("core.prune_task_results", task=prune_task_results, at=datetime.time(3, 30))
