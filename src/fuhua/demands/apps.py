import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "fuhua.demands"
    label = "demands"
    verbose_name = _("Demands and challenges")

    def ready(self):
        from fuhua.core.context_processors import NavItem, register_nav
        from fuhua.core.demo import register_demo_step
        from fuhua.core.schedule import register_periodic

        from . import inbox, matching, tasks, workflow  # noqa: F401  (workflow registers the three workflows)

        inbox.register()
        matching.connect_signals()  # a change to what the matching index reads rebuilds it
        register_periodic("demands.expire", task=tasks.expire_due, at=datetime.time(0, 30))
        register_demo_step("demands", _("Demands and challenges"), order=72, run="fuhua.demands.demo.load_demands")
        register_nav(NavItem("demands:demand_list", _("Demands"), "demands.demand", key="demands",
                             group="incubation"))
        register_nav(NavItem("demands:challenge_list", _("Challenges (揭榜挂帅)"), "demands.challenge",
                             key="challenges", group="incubation"))
