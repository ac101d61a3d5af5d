from django.urls import path

from fuhua.core.views.generic import object_urls as crud

from . import views as v

app_name = "events"

urlpatterns = [
    path("calendar.ics", v.Calendar.as_view(), name="calendar"),
    *crud("list", "event", {"list": v.EventList, "create": v.EventCreate, "detail": v.EventDetail, "edit": v.EventEdit,
                        "delete": v.EventDelete, "history": v.EventHistory}),
    *crud("series", "eventseries", {"list": v.SeriesList, "create": v.SeriesCreate, "detail": v.SeriesDetail,
                                    "history": v.SeriesHistory}),
    *crud("registrations", "registration", {"list": v.RegistrationList, "create": v.RegistrationCreate,
                                            "detail": v.RegistrationDetail, "history": v.RegistrationHistory}),
    *crud("feedback", "eventfeedback", {"list": v.FeedbackList, "create": v.FeedbackCreate,
                                        "detail": v.FeedbackDetail, "history": v.FeedbackHistory}),
]
