from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "fuhua.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self):
        from fuhua.core.context_processors import NavItem, register_nav
        from fuhua.core.demo import register_demo_step

        from . import inbox, prefill, rule_sources, workflow  # noqa: F401  (workflow registers the workflows)

        inbox.register()
        prefill.register()  # the annual statistics' prefill sources
        rule_sources.register()  # the rules adapter's carrier attributes
        register_demo_step("events", _("Events and registrations"), order=68, run="fuhua.events.demo.load_events")
        register_demo_step("competitions", _("Competitions and roadshows"), order=71,
                           run="fuhua.events.demo.load_competitions")
        register_nav(NavItem("events:event_list", _("Events"), "events.event", key="events", group="incubation"))
