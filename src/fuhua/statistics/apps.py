from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    name = "fuhua.statistics"
    label = "statistics"
    verbose_name = _("Annual statistics")

    def ready(self):
        import datetime

        from fuhua.core.context_processors import NavItem, register_nav

        from .inbox import register as register_inbox

        register_inbox()
        from fuhua.core.demo import register_demo_step

        register_demo_step("statistics", _("Annual statistics"), order=40, run="fuhua.statistics.demo.load_statistics")
        from . import rule_sources

        rule_sources.register()  # reported years and figures for the rules adapter
        from fuhua.core.schedule import register_periodic

        from .tasks import cleanup_uploads, remind_unsubmitted

        register_periodic("statistics.remind_unsubmitted", task=remind_unsubmitted, at=datetime.time(8, 0))
        register_periodic("uploads.cleanup", task=cleanup_uploads, every=datetime.timedelta(hours=1))

        register_nav(NavItem("statistics:annualreport_list", _("Annual reports"), "statistics.annualreport",
                             key="reports"))
        register_nav(NavItem("statistics:overview", _("Statistics overview"), "registry.carrier",
                             key="stats_overview"))
