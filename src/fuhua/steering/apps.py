import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SteeringConfig(AppConfig):
    name = "fuhua.steering"
    label = "steering"
    verbose_name = _("Targets and reports")

    def ready(self):
        from fuhua.core.context_processors import NavItem, register_nav
        from fuhua.core.demo import register_demo_step
        from fuhua.core.extensions import Panel, register_panel
        from fuhua.core.schedule import register_periodic

        from . import charts, inbox
        from .tasks import refresh_aggregates

        inbox.register()
        register_demo_step("steering", _("Targets"), order=70, run="fuhua.steering.demo.load_targets")
        register_periodic("steering.refresh", task=refresh_aggregates, every=datetime.timedelta(minutes=15))
        # The start page's charts: the dashboard renders the panels registered for "dashboard".
        register_panel("dashboard", Panel("steering.charts", "steering/dashboard_panel.html",
                                          lambda request, obj: charts.panel_context(request, obj), order=10))
        register_nav(NavItem("steering:home", _("Targets and reports"), "steering.target", key="steering",
                             group="stats"))
