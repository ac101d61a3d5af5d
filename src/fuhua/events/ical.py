"""The iCalendar (RFC 5545) rendering of events, with the `icalendar` library (docs/dependencies.md)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

STATUS = {"cancelled": "CANCELLED", "draft": "TENTATIVE"}


def calendar_bytes(events, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Fuhua//events//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", str(name))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    now = timezone.now()
    for event in events:
        item = VEvent()
        item.add("uid", f"event-{event.pk}@fuhua")
        item.add("dtstamp", now)
        item.add("dtstart", timezone.localtime(event.starts_at))  # Beijing time, with its VTIMEZONE
        item.add("dtend", timezone.localtime(event.ends_at))
        item.add("summary", f"[{event.get_kind_display()}] {event.title}")
        item.add("location", event.place or event.online_url)
        if event.online_url:
            item.add("url", event.online_url)
        item.add("description", event.description or str(event.organiser))
        item.add("status", STATUS.get(event.status, "CONFIRMED"))
        cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()
