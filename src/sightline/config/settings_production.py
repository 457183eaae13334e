"""Production settings: the one settings module, plus what only a TLS deployment can turn on.

`DJANGO_SETTINGS_MODULE=sightline.config.settings_production`; `manage.py check --deploy
--fail-level WARNING` passes with it (tests/security/test_deploy.py runs it).
"""

from __future__ import annotations

from sightline.config.env import env_bool, env_int
from sightline.config.settings import *  # noqa: F403

DEBUG = False
SIGHTLINE_REQUIRE_MFA = True

SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (only then: otherwise anyone could claim https).
if env_bool("SIGHTLINE_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Mail leaves over TLS unless that is turned off explicitly (issue 18): STARTTLS on 587 by default,
# implicit TLS on 465 with EMAIL_USE_SSL=1. Plain SMTP (EMAIL_USE_TLS=0) also needs
# SIGHTLINE_EMAIL_PLAINTEXT_ALLOWED=1 (a relay on the same host), or `check --deploy` warns
# (sightline.W101, security/checks.py).
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
EMAIL_PORT = env_int("EMAIL_PORT", 465 if EMAIL_USE_SSL else 587)
SIGHTLINE_EMAIL_PLAINTEXT_ALLOWED = env_bool("SIGHTLINE_EMAIL_PLAINTEXT_ALLOWED", False)
