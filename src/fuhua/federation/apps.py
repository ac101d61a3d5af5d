from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "fuhua.federation"
    label = "federation"
    verbose_name = _("One network")

    def ready(self):
        from django.apps import apps

        from . import guard, panels
        from .tables import MODELS

        guard.connect([apps.get_model(label) for label in MODELS])  # federated copies are read-only
        panels.register()  # the source of a federated record on its page
        from .figures import register_metrics

        register_metrics()  # the steering metrics at a parent count the figures its children share
        from fuhua.core.context_processors import NavItem, register_nav

        register_nav(NavItem("federation:home", _("One network"), "federation.peer", key="network", group="system"))
        register_nav(NavItem("federation:figures", _("Shared figures"), "federation.figure", key="network-figures",
                             group="stats"))
        from fuhua.core.demo import register_demo_step

        register_demo_step("federation", _("One network"), order=90, run="fuhua.federation.demo.load_identity")
