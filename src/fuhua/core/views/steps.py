"""Workflow steps on a detail page: the card of buttons (`core/_workflow_steps.html`) and the POST that takes one
step through the app's service. An app sets `workflow`, `irreversible`, `transition_url` and `take()`; a separate
`<model>_transition` URL uses `TransitionView` (scoped like an edit: 403 without the change action, 404 outside
the scope)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from fuhua.core.forms import StepForm
from fuhua.core.scoping import check

from .generic import object_url


class StepsMixin:
    """Put before an ObjectDetailView: adds the steps available to the user to the detail context."""

    workflow = None
    step_form = StepForm
    irreversible = frozenset()
    transition_url = ""  # URL name of the step POST; empty: the detail page posts to itself
    steps_for_editors = True  # show the card ("no further steps") to those who may change the record

    def detail_context(self, obj, **extra):
        user = self.request.user
        transitions = self.workflow.available(user, obj)
        extra.setdefault("step_form", self.step_form(transitions=transitions))
        show_steps = bool(transitions) or (self.steps_for_editors and bool(check(user, "change", obj)))
        url = reverse(self.transition_url, kwargs={"pk": obj.pk}) if self.transition_url else self.request.path
        return super().detail_context(obj, transitions=transitions, irreversible=self.irreversible,
                                      show_steps=show_steps, transition_url=url, **extra)

    def take(self, user, obj, name, reason, **kwargs):
        raise NotImplementedError

    def step_kwargs(self, form) -> dict:
        return {}

    def step_message(self, obj) -> str:
        return _("Status changed to %(status)s.") % {"status": obj.get_status_display()}

    def take_step(self, request, obj):
        form = self.step_form(request.POST, transitions=self.workflow.available(request.user, obj))
        if form.is_valid():
            try:
                self.take(request.user, obj, form.cleaned_data["transition"], form.cleaned_data["reason"].strip(),
                          **self.step_kwargs(form))
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, self.step_message(obj))
                return redirect(object_url(obj))
        obj.refresh_from_db()
        return render(request, self.template_name, self.detail_context(obj, step_form=form), status=400)


class TransitionView:
    """Put before the detail view (with StepsMixin) for the `<model>_transition` URL: GET goes back to the detail."""

    action = "change"

    def get(self, request, pk):
        return redirect(object_url(self.get_object()))

    def post(self, request, pk):
        return self.take_step(request, self.get_object())
