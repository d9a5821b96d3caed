"""Pages of accounts and the visitor's organization (core/views.py)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from core import views

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/signup/done/", views.signup_done, name="signup-done"),
    path("accounts/verify/resend/", views.resend_verification, name="verify-email-resend"),
    path("accounts/verify/<str:token>/", views.verify_email, name="verify-email"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/tokens/revoke/", views.revoke_api_token, name="api-token-revoke"),
    path("accounts/profile/data.json", views.export_data, name="export-data"),
    path("accounts/delete/", views.delete_account, name="delete-account"),
    path("organization/", views.organization, name="organization"),
    path("organization/switch/", views.switch_organization, name="organization-switch"),
    path("organization/invite/", views.invite, name="organization-invite"),
    path("organization/members/<int:pk>/", views.decide_member, name="organization-member"),
]
