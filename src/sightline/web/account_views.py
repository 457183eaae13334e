"""Sign in and out, the person's own account (password, two-factor, sessions), and password reset.

Django's own views and token machinery where they fit (reset links are single-use and expire after
PASSWORD_RESET_TIMEOUT); every outcome is audited through `security.services`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sightline.audit.context import AuditContext
from sightline.security import services
from sightline.security.tasks import send_password_reset_task
from sightline.tenancy import errors as tenancy_errors
from sightline.tenancy import services as tenancy_services
from sightline.web.account_forms import (
    SIGN_IN_LOCKED,
    CodeForm,
    EnrolForm,
    LanguageForm,
    PasswordAgainForm,
    ResetRequestForm,
    SignInForm,
)

CODES_SHOWN_ONCE = gettext_noop("Save these recovery codes now: they are shown only once.")
SIGNED_OUT_EVERYWHERE = gettext_noop("You have been signed out on every device.")
LANGUAGE_SAVED = gettext_noop("Your language has been saved.")
PASSWORD_CHANGED = gettext_noop(
    "Your password has been changed. Your other sessions have been signed out."
)


def _next_url(request: HttpRequest, default: str = "web:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


class SignInView(auth_views.LoginView):
    template_name = "web/accounts/login.html"
    redirect_authenticated_user = True
    form_class = SignInForm

    def form_valid(self, form: Any) -> HttpResponse:
        super().form_valid(form)  # signs in; the signal stamps the session and its second factor
        services.record_sign_in(request=self.request, user=form.get_user())
        state = self.request.session.get(services.MFA_STATE)
        target = self.get_success_url()
        if state in (services.MFA_VERIFY, services.MFA_ENROL):
            page = "web:mfa-verify" if state == services.MFA_VERIFY else "web:mfa-setup"
            return HttpResponseRedirect(f"{reverse(page)}?{urlencode({'next': target}, safe='/')}")
        return HttpResponseRedirect(target)


login = SignInView.as_view()


class SignOutView(auth_views.LogoutView):
    """POST only (Django's LogoutView), so a link or prefetch can never sign anyone out."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            services.record_sign_out(request=request, user=request.user, reason="user")
        return super().post(request, *args, **kwargs)


logout = SignOutView.as_view()


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/accounts/account.html",
        {
            "summary": services.account_summary(user=request.user),
            "language_form": LanguageForm(initial={"language": request.user.language}),
        },
    )


@login_required
@require_POST
def account_language(request: HttpRequest) -> HttpResponse:
    """Store the person's language; the very next page (and every e-mail to them) uses it."""
    form = LanguageForm(request.POST)
    if form.is_valid():
        tenancy_services.language_set(user=request.user, language=form.cleaned_data["language"])
        translation.activate(
            request.user.language or translation.get_language_from_request(request)
        )
        messages.success(request, gettext(LANGUAGE_SAVED))
    else:
        messages.error(request, gettext(tenancy_errors.UNKNOWN_LANGUAGE))
    return redirect("web:account")


@login_required
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    services.sign_out_everywhere(request=request, user=request.user)
    auth_logout(request)
    messages.info(request, gettext(SIGNED_OUT_EVERYWHERE))
    return redirect(settings.LOGIN_URL)


@require_GET
def session_keepalive(request: HttpRequest) -> HttpResponse:
    """Touched by the idle warning's "Stay signed in" button: any request counts as activity."""
    return HttpResponse(status=204 if request.user.is_authenticated else 401)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "web/accounts/password_change.html"
    success_url = reverse_lazy("web:account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)  # keeps this session (update_session_auth_hash)
        services.password_changed(
            user=form.user,
            by=form.user,
            context=AuditContext.from_request(self.request),
            how="changed",
            keep_session=self.request.session.session_key,
        )
        messages.success(self.request, gettext(PASSWORD_CHANGED))
        return response


password_change = login_required(PasswordChangeView.as_view())


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. Known and unknown addresses get the same answer, after the same work."""
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        send_password_reset_task.enqueue(
            form.cleaned_data["email"], AuditContext.from_request(request).ip_address
        )
        return redirect("web:password-reset-done")
    return render(request, "web/accounts/password_reset.html", {"form": form})


@require_GET
def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accounts/password_reset_done.html")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("web:login")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(
            user=form.user,
            by=form.user,
            context=AuditContext.from_request(self.request),
            how="reset",
        )
        messages.success(self.request, gettext("Your password has been set. Sign in with it now."))
        return response


password_reset_confirm = PasswordResetConfirmView.as_view()


@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    if request.session.get(services.MFA_STATE) != services.MFA_VERIFY:
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.mfa_verify(
            request=request, user=request.user, code=form.cleaned_data["code"]
        )
        if outcome is None:
            return redirect(_next_url(request))
        if outcome == services.LOCKED:
            auth_logout(request)
            messages.error(request, gettext(SIGN_IN_LOCKED))
            return redirect(settings.LOGIN_URL)
        form.add_error(
            "code",
            gettext("That code is not right. Enter the current code, or an unused recovery code."),
        )
    return render(
        request, "web/accounts/mfa_verify.html", {"form": form, "next": _next_url(request)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: shows the key (and its otpauth URI) until a first code confirms it."""
    if services.has_device(request.user):
        return redirect("web:account")
    device = services.totp_device_for_enrolment(user=request.user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.totp_confirm(
            request=request, user=request.user, code=form.cleaned_data["code"]
        )
        if codes is not None:
            return render(
                request,
                "web/accounts/recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "message": gettext(CODES_SHOWN_ONCE)},
            )
        form.add_error(
            "code",
            gettext("That code is not right. Check the app's clock and try the current code."),
        )
    uri = services.provisioning_uri(device=device, user=request.user)
    return render(
        request,
        "web/accounts/mfa_setup.html",
        {
            "form": form,
            "secret": " ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4)),
            "uri": uri,
            "qr": services.provisioning_qr(uri=uri),
            "next": _next_url(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, after the password is given again (someone at an unlocked screen must not
    be able to take the codes away)."""
    if not services.has_device(request.user):
        return redirect("web:account")
    form = PasswordAgainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.recovery_codes_renew(
            request=request, user=request.user, password=form.cleaned_data["password"]
        )
        if codes is not None:
            return render(
                request,
                "web/accounts/recovery_codes.html",
                {
                    "codes": codes,
                    "next": reverse("web:account"),
                    "message": gettext(CODES_SHOWN_ONCE),
                },
            )
        form.add_error("password", gettext("That is not your password."))
    return render(request, "web/accounts/recovery_codes_renew.html", {"form": form})
