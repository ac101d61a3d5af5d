from django.urls import path

from . import views as v

app_name = "federation"

urlpatterns = [
    path("", v.home, name="home"),
    path("figures/", v.figures, name="figures"),
    path("peers/add/", v.add_peer, name="peer_add"),
    path("peers/<str:code>/tables/", v.peer_tables, name="peer_tables"),
]
