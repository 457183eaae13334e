"""The one settings module. Everything that differs between machines comes from the environment."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from sightline.config.env import env_bool, env_int, env_list, env_str

PROJECT_DIR = Path(__file__).resolve().parents[3]
PACKAGE_DIR = Path(__file__).resolve().parents[1]
VAR_DIR = Path(env_str("SIGHTLINE_VAR_DIR", str(PROJECT_DIR / "var")))

DEBUG = env_bool("DEBUG", default=False)
# No default: a missing key must stop the app rather than fall back to a known value.
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "sightline.tenancy",
    "sightline.youth",
    "sightline.screenings",
    "sightline.audit",
    "sightline.web",
    "sightline.demo",
    "sightline.synth",
    "sightline.validation",
    "sightline.scheduling",
    "sightline.catalog",
    "django_tasks",
    "django_tasks_db",
    "sightline.imports",
    "ninja",
    "sightline.apitokens",
    "sightline.security",
]

AUTH_USER_MODEL = "tenancy.User"
# Django's model backend, reading each signed-in person's roles in the same query (tenancy/backends.py).
AUTHENTICATION_BACKENDS = ["sightline.tenancy.backends.RolesBackend"]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sightline.security.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # after sessions, before common (Django's order)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sightline.web.middleware.UserLanguageMiddleware",  # the signed-in person's language (i18n)
    "sightline.security.middleware.SessionLimitsMiddleware",
    "sightline.web.middleware.AccessAuditMiddleware",
    "sightline.rowsecurity.middleware.AgencyContextMiddleware",  # PostgreSQL row-level security: app.agency_ids
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "sightline.config.urls"
WSGI_APPLICATION = "sightline.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sightline.security.context_processors.session_limits",
            ],
        },
    },
]

_SQLITE_DEFAULT = f"sqlite:///{VAR_DIR / 'sightline.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _SQLITE_DEFAULT))}
# Covering indexes (INCLUDE) serve PostgreSQL; SQLite builds them without the extra columns, as intended.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
if "DATABASE_URL" not in os.environ:
    # The embedded default must work on a fresh checkout: SQLite cannot create its folder itself.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions and a busy timeout keep concurrent writers from failing with "locked".
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# NIST SP 800-63B: length and a list of common/breached passwords, no composition rules, no expiry.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "sightline.security.passwords.LengthValidator"},
    {"NAME": "sightline.security.passwords.CommonPasswordValidator"},
]
# Argon2id first; the others only read hashes made before it (they are upgraded at next sign-in).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# A reset link works once (its token covers the password hash) and for one hour.
PASSWORD_RESET_TIMEOUT = 3600

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("TIME_ZONE", "America/Los_Angeles")
USE_I18N = True
# i18n: English (the source language) and Spanish. A signed-in person's own choice
# (User.language) wins; Accept-Language only picks the language of anonymous pages (docs/i18n.md).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

SESSION_COOKIE_HTTPONLY = True
# Sessions end 15 minutes after the last request and 12 hours after sign-in at the latest
# (sightline.security.middleware); the cookie itself dies with the browser.
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SIGHTLINE_SESSION_IDLE_SECONDS = env_int("SIGHTLINE_SESSION_IDLE_SECONDS", 15 * 60)
SIGHTLINE_SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
# Throttling: at most 5 failed sign-ins per account and 30 per address in 10 minutes, then 10 minutes
# locked (CJIS 5.5.3).
SIGHTLINE_SIGNIN_ACCOUNT_LIMIT = 5
SIGHTLINE_SIGNIN_IP_LIMIT = env_int("SIGHTLINE_SIGNIN_IP_LIMIT", 30)
SIGHTLINE_SIGNIN_WINDOW_SECONDS = 10 * 60
SIGHTLINE_SIGNIN_LOCKOUT_SECONDS = 10 * 60
# A second factor (TOTP) for everyone who can see identified data. Only a DEBUG machine may turn it
# off (SIGHTLINE_REQUIRE_MFA=0, e.g. for the demo); the test settings turn it off for force_login tests.
SIGHTLINE_REQUIRE_MFA = env_bool("SIGHTLINE_REQUIRE_MFA", True) or not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Encryption of direct identifiers (names, contact details, notes): keys apart from SECRET_KEY.
SIGHTLINE_FIELD_KEYS = env_list("SIGHTLINE_FIELD_KEYS")
SIGHTLINE_SEARCH_KEY = env_str("SIGHTLINE_SEARCH_KEY")
# Only during a search-key rotation (ADR 0011): the old key(s), still searched until every token is rewritten.
SIGHTLINE_SEARCH_KEYS_PREVIOUS = env_list("SIGHTLINE_SEARCH_KEYS_PREVIOUS")

# Extra folders of instrument definition files (an agency's licensed official files go here).
SIGHTLINE_INSTRUMENT_DIRS = env_list("SIGHTLINE_INSTRUMENT_DIRS")
# How long a process trusts its list of installed definition versions before one small query looks
# again (a version installed by another process is used here within this time; see catalog.selectors).
SIGHTLINE_CATALOG_RECHECK_SECONDS = env_int("SIGHTLINE_CATALOG_RECHECK_SECONDS", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Background work (reminder digests, schedule refreshes): a database-backed queue, run by
# `manage.py db_worker`. Tests and one-off commands may choose the immediate backend.
TASKS = {
    "default": {
        "BACKEND": env_str("SIGHTLINE_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# E-mail: printed to the console unless SMTP is configured.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Sightline <sightline@localhost>")
# The address people use to reach the app, for links in e-mail (no request to build them from).
SIGHTLINE_BASE_URL = env_str("SIGHTLINE_BASE_URL", "http://127.0.0.1:8000")

# Audit chain anchors (`sightline audit anchor`): a file outside the database's reach, and/or mail.
SIGHTLINE_AUDIT_ANCHOR_FILE = env_str(
    "SIGHTLINE_AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors.jsonl")
)
SIGHTLINE_AUDIT_ANCHOR_MAIL = env_list("SIGHTLINE_AUDIT_ANCHOR_MAIL")
# Events are chained after their transaction commits, at most once this often per process (seconds;
# 0: after every commit); `sightline audit seal` from cron chains what a quiet minute leaves pending.
SIGHTLINE_AUDIT_SEAL_SECONDS = float(env_str("SIGHTLINE_AUDIT_SEAL_SECONDS", "1"))
# PostgreSQL row-level security (audit migration 0007): on when requests run as a non-owner role, so
# each request tells the database its agencies (rowsecurity.middleware.AgencyContextMiddleware).
SIGHTLINE_ROW_LEVEL_SECURITY = env_bool("SIGHTLINE_ROW_LEVEL_SECURITY", False)
# Progress of `sightline keys rotate` (per-table cursor), so an interrupted rotation resumes.
SIGHTLINE_KEY_ROTATION_STATE = env_str(
    "SIGHTLINE_KEY_ROTATION_STATE", str(VAR_DIR / "key-rotation.json")
)
# Programme reports (docs/reporting.md): rollups, charts and exports.
INSTALLED_APPS += ["sightline.reporting"]
INSTALLED_APPS += ["sightline.retention"]  # retention rule and two-person deletion (issue 18.9)
# Small-cell suppression of every figure that leaves an agency: counts from LOW to HIGH are hidden.
SIGHTLINE_SUPPRESS_LOW = env_int("SIGHTLINE_SUPPRESS_LOW", 1)
SIGHTLINE_SUPPRESS_HIGH = env_int("SIGHTLINE_SUPPRESS_HIGH", 10)
