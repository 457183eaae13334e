"""Test shim: supplies the environment a developer's shell would, then uses the one real settings module."""

import os

os.environ.setdefault("SECRET_KEY", "insecure-key-for-tests-only")
os.environ.setdefault(
    "SIGHTLINE_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test")
)
# Fixed test-only keys (32 bytes each, url-safe base64); real deployments generate their own.
os.environ.setdefault("SIGHTLINE_FIELD_KEYS", "dGVzdC1maWVsZC1rZXktMDAwMDAwMDAwMDAwMDAwMDA")
os.environ.setdefault("SIGHTLINE_SEARCH_KEY", "dGVzdC1zZWFyY2gta2V5LTAwMDAwMDAwMDAwMDAwMDA")

from sightline.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests only

# WhiteNoise warns (an error under -W error) when STATIC_ROOT is missing; tests serve through finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Tasks run inline and mail is kept in memory, so tests see their effects at once.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# One process: the catalog's list of installed versions changes only through this process (which sees
# its own installs at once), so no time-based recheck makes a query count depend on the clock.
SIGHTLINE_CATALOG_RECHECK_SECONDS = None
# Two-factor is enforced in every real deployment; tests sign in with force_login, and the tests of
# two-factor itself (tests/security) turn it on.
SIGHTLINE_REQUIRE_MFA = False
# Audit events are chained after every commit, so a test sees its chain at once (production: 1 s).
SIGHTLINE_AUDIT_SEAL_SECONDS = 0
