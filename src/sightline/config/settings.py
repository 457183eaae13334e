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
]

AUTH_USER_MODEL = "tenancy.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sightline.web.middleware.AccessAuditMiddleware",
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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/Los_Angeles")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Encryption of direct identifiers (names, contact details, notes): keys apart from SECRET_KEY.
SIGHTLINE_FIELD_KEYS = env_list("SIGHTLINE_FIELD_KEYS")
SIGHTLINE_SEARCH_KEY = env_str("SIGHTLINE_SEARCH_KEY")

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

# Programme reports (docs/reporting.md): rollups, charts and exports.
INSTALLED_APPS += ["sightline.reporting"]
# Small-cell suppression of every figure that leaves an agency: counts from LOW to HIGH are hidden.
SIGHTLINE_SUPPRESS_LOW = env_int("SIGHTLINE_SUPPRESS_LOW", 1)
SIGHTLINE_SUPPRESS_HIGH = env_int("SIGHTLINE_SUPPRESS_HIGH", 10)
