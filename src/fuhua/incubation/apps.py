from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncubationConfig(AppConfig):
    name = "fuhua.incubation"
    label = "incubation"
    verbose_name = _("Incubation")

    def ready(self):
        from .inbox import register as register_inbox

        register_inbox()
        from fuhua.core.demo import register_demo_step

        register_demo_step("incubation", _("Tenants and their facts"), order=20,
                           run="fuhua.incubation.demo.load_tenants")
        from . import rule_sources

        rule_sources.register()  # records and tenant counts for the rules adapter
        from . import panels

        panels.register()  # tenants, proposals and journeys on the registry's carrier and firm pages
        from . import prefill

        prefill.register()  # tenant counts, tenants' figures, IP and investments for the annual statistics
