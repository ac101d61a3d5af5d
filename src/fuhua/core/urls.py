from django.contrib.auth.decorators import login_required
from django.urls import path

from . import autocomplete, views

urlpatterns = [
    path("search/", views.search, name="search"),
    path("regions/picker/", views.region_picker, name="region_picker"),
    path("autocomplete/<str:model>/", login_required(autocomplete.options), name="autocomplete"),
]
