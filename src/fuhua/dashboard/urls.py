from django.urls import path

from . import views

# Not namespaced: settings.LOGIN_REDIRECT_URL names "dashboard".
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
