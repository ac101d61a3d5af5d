from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    name = "fuhua.statistics"
    label = "statistics"
    verbose_name = _("Annual statistics")

    def ready(self):
        from fuhua.core.context_processors import NavItem, register_nav

        register_nav(NavItem("statistics:annualreport_list", _("Annual reports"), "statistics.annualreport",
                             key="reports"))
        register_nav(NavItem("statistics:overview", _("Statistics overview"), "registry.carrier",
                             key="stats_overview"))
