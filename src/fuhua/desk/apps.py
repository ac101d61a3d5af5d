import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "fuhua.desk"
    label = "desk"
    verbose_name = _("Service desk")

    def ready(self):
        from fuhua.core.context_processors import NavItem, register_nav
        from fuhua.core.demo import register_demo_step
        from fuhua.core.schedule import register_periodic

        from . import inbox, tasks, workflow  # noqa: F401  (registers the request workflow)

        inbox.register()
        register_periodic("desk.overdue", task=tasks.flag_overdue, at=datetime.time(8, 0))
        register_demo_step("desk", _("Service desk"), order=70, run="fuhua.desk.demo.load_desk")
        register_nav(NavItem("desk:servicerequest_list", _("Service desk"), "desk.servicerequest", key="desk",
                             group="incubation"))
        register_nav(NavItem("desk:report", _("Service desk report"), "desk.steward", key="desk-report",
                             group="incubation"))
