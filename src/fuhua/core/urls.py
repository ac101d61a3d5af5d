from django.contrib.auth.decorators import login_required
from django.urls import path

from . import autocomplete

urlpatterns = [
    path("autocomplete/<str:model>/", login_required(autocomplete.options), name="autocomplete"),
]
