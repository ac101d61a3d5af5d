from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import admin_views, views

_accounts = [
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(
        template_name="accounts/password_change_done.html"), name="password_change_done"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html"), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"), name="password_reset_complete"),
    path("invitation/<uidb64>/<token>/", views.InvitationView.as_view(), name="invitation"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="token_revoke"),
    path("users/", admin_views.user_list, name="user_list"),
    path("users/invite/", admin_views.invite, name="user_invite"),
    path("users/<int:pk>/", admin_views.user_detail, name="user_detail"),
    path("users/<int:pk>/<str:action>/", admin_views.user_action, name="user_action"),
    path("grants/<int:pk>/revoke/", admin_views.revoke_grant, name="grant_revoke"),
    path("permissions/", admin_views.permissions, name="permissions"),
    path("security-events/", admin_views.security_events, name="security_events"),
    path("audit-trail/", admin_views.audit_trail, name="audit_trail"),
]

# Sign-in and sign-out keep their global names (settings.LOGIN_URL names "login"); the rest is "accounts:…".
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include((_accounts, "accounts"))),
]
