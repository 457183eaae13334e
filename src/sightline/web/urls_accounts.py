from django.urls import URLPattern, path

from sightline.web import account_views

# The person's own account: password, two-factor, sessions, reset (sign in and out: urls_youth).
urlpatterns: list[URLPattern] = [
    path("accounts/", account_views.account, name="account"),
    path("accounts/language/", account_views.account_language, name="account-language"),
    path("accounts/password/", account_views.password_change, name="password-change"),
    path("accounts/password/reset/", account_views.password_reset, name="password-reset"),
    path(
        "accounts/password/reset/sent/",
        account_views.password_reset_done,
        name="password-reset-done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        account_views.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path("accounts/two-factor/", account_views.mfa_verify, name="mfa-verify"),
    path("accounts/two-factor/setup/", account_views.mfa_setup, name="mfa-setup"),
    path(
        "accounts/two-factor/recovery-codes/",
        account_views.mfa_recovery_codes,
        name="mfa-recovery-codes",
    ),
    path(
        "accounts/sign-out-everywhere/",
        account_views.logout_everywhere,
        name="logout-everywhere",
    ),
    path("accounts/session/", account_views.session_keepalive, name="session-keepalive"),
]
