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
