from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "fuhua.mentoring"
    label = "mentoring"
    verbose_name = _("Mentoring")

    def ready(self):
        from fuhua.core.context_processors import NavItem, register_nav
        from fuhua.core.demo import register_demo_step

        from . import inbox, prefill, workflow  # noqa: F401  (workflow registers the pairing workflow)

        inbox.register()
        prefill.register()  # the annual statistics' prefill sources
        register_demo_step("mentoring", _("Mentor pool and pairings"), order=67,
                           run="fuhua.mentoring.demo.load_mentoring")
        register_nav(NavItem("mentoring:pairing_list", _("Mentoring pairings"), "mentoring.pairing",
                             key="mentoring", group="incubation"))
        register_nav(NavItem("mentoring:poolmentor_list", _("Mentor pool"), "mentoring.poolmentor",
                             key="mentoring_pool", group="incubation"))
