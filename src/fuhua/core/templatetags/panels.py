"""`{% panels object %}`: the panels other apps registered for the object's model (core.extensions)."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from fuhua.core.extensions import panels_for

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, obj):
    request = context.get("request")
    flat = context.flatten()
    html = [render_to_string(panel.template, {**flat, "object": obj, **extra}, request=request)
            for panel, extra in panels_for(request, obj)]
    return mark_safe("".join(html))  # noqa: S308 - each panel is a template rendered with autoescaping
