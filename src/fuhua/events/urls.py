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
    *crud("rounds", "round", {"list": v.RoundList, "create": v.RoundCreate, "detail": v.RoundDetail,
                              "edit": v.RoundEdit, "history": v.RoundHistory}),
    *crud("applications", "application", {"list": v.ApplicationList, "create": v.ApplicationCreate,
                                          "detail": v.ApplicationDetail, "history": v.ApplicationHistory}),
    path("applications/<int:pk>/deck/", v.ApplicationDeck.as_view(), name="application_deck"),
    *crud("scores", "score", {"list": v.ScoreList, "create": v.ScoreCreate, "detail": v.ScoreDetail,
                              "history": v.ScoreHistory}),
    *crud("intents", "investmentintent", {"list": v.IntentList, "create": v.IntentCreate,
                                          "detail": v.IntentDetail, "history": v.IntentHistory}),
    *crud("feedback", "eventfeedback", {"list": v.FeedbackList, "create": v.FeedbackCreate,
                                        "detail": v.FeedbackDetail, "history": v.FeedbackHistory}),
]
