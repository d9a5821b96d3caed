from django.contrib.auth import views as auth_views
from django.urls import path

from matchmaking.views import accounts, catalog, matching

urlpatterns = [
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/signup/done/", accounts.signup_done, name="signup-done"),
    path("accounts/verify/resend/", accounts.resend_verification, name="verify-email-resend"),
    path("accounts/verify/<str:token>/", accounts.verify_email, name="verify-email"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password/reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/profile/data.json", accounts.export_data, name="export-data"),
    path("accounts/delete/", accounts.delete_account, name="delete-account"),
    path("organization/", accounts.organization, name="organization"),
    path("organization/invite/", accounts.invite, name="organization-invite"),
    path("organization/members/<int:pk>/", accounts.decide_member, name="organization-member"),
    path("attachments/<int:pk>/", catalog.attachment_download, name="attachment-download"),
    path("matches/needs/", matching.matched_needs, name="matched-needs"),
    path("matches/action/", matching.match_action, name="match-action"),
    path("interests/", matching.inbox, name="interests"),
    path("interests/<int:pk>/", matching.interest_action, name="interest-action"),
]

for kind, plural in (("need", "needs"), ("solution", "solutions")):
    urlpatterns += [
        path(f"{plural}/", catalog.catalog_list, {"kind": kind}, name=f"{kind}-list"),
        path(f"{plural}/<int:pk>/", catalog.catalog_detail, {"kind": kind}, name=f"{kind}-detail"),
        path(f"my/{plural}/", catalog.my_list, {"kind": kind}, name=f"my-{kind}-list"),
        path(f"my/{plural}/new/", catalog.my_edit, {"kind": kind}, name=f"my-{kind}-new"),
        path(f"my/{plural}/<int:pk>/", catalog.my_detail, {"kind": kind}, name=f"my-{kind}-detail"),
        path(
            f"my/{plural}/<int:pk>/edit/", catalog.my_edit, {"kind": kind}, name=f"my-{kind}-edit"
        ),
        path(
            f"my/{plural}/<int:pk>/action/",
            catalog.my_action,
            {"kind": kind},
            name=f"my-{kind}-action",
        ),
    ]
