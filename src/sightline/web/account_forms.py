"""Forms of the account pages. Sign-in refuses through `security.services`, so throttling, lockout and
their audit events apply to every sign-in form alike."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from sightline.security.services import INVALID, LOCKED, SignInRefused, sign_in_check

# One message for a wrong password and an unknown name alike; one for a locked name or address
# (unknown names lock too), so neither tells whether an account exists.
SIGN_IN_INVALID = gettext_noop(
    "That username and password do not match an account. Check both and try again."
)
SIGN_IN_LOCKED = gettext_noop(
    "Too many failed attempts. Sign-in is paused for 10 minutes; try again later or ask your "
    "agency's administrator."
)
CODE_INVALID = gettext_noop(
    "That code is not right. Enter the current 6-digit code, or an unused recovery code."
)


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(SIGN_IN_INVALID),
        "inactive": _(SIGN_IN_INVALID),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = sign_in_check(
                    request=self.request, username=username, password=password
                )
            except SignInRefused as refused:
                message = SIGN_IN_LOCKED if refused.code == LOCKED else SIGN_IN_INVALID
                raise ValidationError(gettext(message), code=refused.code or INVALID) from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=20,
        help_text=_("6 digits. Lost your phone? Enter one of your recovery codes instead."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code shown by your authenticator app"),
        max_length=10,
        help_text=_("6 digits, to prove the app holds the key."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ResetRequestForm(forms.Form):
    email = forms.EmailField(label=_("Your work e-mail address"), max_length=254)


class PasswordAgainForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class LanguageForm(forms.Form):
    """The account page's language choice; the first option keeps the browser's language."""

    language = forms.ChoiceField(label=_("Language of pages and e-mails"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            ("", _("The browser's language")),
            *((code, name) for code, name in settings.LANGUAGES),
        ]
