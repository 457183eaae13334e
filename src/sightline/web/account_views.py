"""Sign in and sign out: Django's own views with Sightline's templates."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

login = auth_views.LoginView.as_view(
    template_name="web/accounts/login.html", redirect_authenticated_user=True
)
# Django's LogoutView accepts POST only, so a link or prefetch can never sign anyone out.
logout = auth_views.LogoutView.as_view()
