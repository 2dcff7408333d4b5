"""Django settings for Jejaring.

Everything that differs between machines comes from the environment (12-factor, as
Healthchecks does it); secrets may also be read from a file named by ``<NAME>_FILE`` so
that container secrets never appear in the process environment. Defaults are the safe
production ones: DEBUG off, secure cookies on, SQLite only because it needs no server.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

# A missing or unusable setting raises this: `jejaring` (jejaring/cli.py) prints its
# message translated, on one line, instead of a traceback. The messages are catalogue msgids.
from jejaring.cli import ConfigurationMissing, gettext_noop

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env(name: str, default: str | None = None) -> str | None:
    """Read a setting from the environment, or from the file named by NAME_FILE."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigurationMissing(
                gettext_noop("%(name)s_FILE names %(file)s, which cannot be read (%(reason)s)."),
                name=name,
                file=file_name,
                reason=exc.strerror or exc.__class__.__name__,
            ) from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# `make run` generates one into var/secret_key on its first run (Makefile).
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigurationMissing(
            gettext_noop(
                "SECRET_KEY is not set. Set SECRET_KEY or SECRET_KEY_FILE (`make run` uses "
                "SECRET_KEY_FILE=var/secret_key), or DEBUG=true on a development machine."
            )
        )
    SECRET_KEY = "development-only-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_filters",
    "ninja",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "jejaring.core",
    "jejaring.audit",
    "jejaring.regions",
    "jejaring.reference",
    "jejaring.network",
    "jejaring.accounts",
    "jejaring.registry",
    "jejaring.cases",
    "jejaring.spm",
    "jejaring.collaboration",
    "jejaring.imports",
    "jejaring.public",
    "jejaring.field",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "jejaring.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jejaring.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "jejaring.core.middleware.PermissionsPolicyMiddleware",
    # After the language and the user are known, so its refusals read well.
    "jejaring.core.middleware.InputGuardMiddleware",
    "jejaring.accounts.middleware.PasswordChangeRequiredMiddleware",
    # Axes must come last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jejaring.urls"
WSGI_APPLICATION = "jejaring.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jejaring.core.context_processors.navigation",
            ],
        },
    },
]

# Widgets render through TEMPLATES, so apps can ship their own widget templates.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

try:
    DATABASES = {
        "default": dj_database_url.parse(
            env("DATABASE_URL", f"sqlite:///{PROJECT_DIR / 'db.sqlite3'}"),
            conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "600")),
        )
    }
except ValueError as exc:
    raise ConfigurationMissing(
        gettext_noop("DATABASE_URL cannot be used: %(reason)s"), reason=str(exc)
    ) from exc
# Each gunicorn (sync) worker keeps its connection for CONN_MAX_AGE seconds instead of
# opening one per request: a new one costs PostgreSQL's fork and authentication (~4 ms
# here) and then its catalogue caches, cold in a new backend, slow the first queries of
# the request that opened it (~2 ms a table). Ten minutes makes that rare. The health
# check, once per request that reuses it, means a restarted database costs each worker a
# reconnect instead of one failed request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("DATABASE_CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the page server read while an import writes; busy timeout avoids
    # "database is locked" under the few concurrent writers SQLite sees here.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, the session's user loaded with its organisation and roles.
    "jejaring.accounts.backends.ModelBackendWithOrganisation",
    # Only for sessions signed in before that backend existed (never reached to sign in:
    # the one above ends every attempt).
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed-login throttling (django-axes): lock a username+address pair for a while
# after repeated failures, instead of locking the account for everyone.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLED = env_bool("AXES_ENABLED", True)

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True
# Dates and numbers always follow the language (Django 5 localises unconditionally):
# Indonesian 12-12-2026, 12-12-2026 14.30, 12 Des 2026, 49,3. Templates name the formats
# (|date:"SHORT_DATE_FORMAT"), code uses django.utils.formats; jejaring/formats/id only
# drops the full stop Django puts after the abbreviated month.
FORMAT_MODULE_PATH = ["jejaring.formats"]

STATIC_URL = "/static/"
# Where `collectstatic` (run by `jejaring setup`) puts the files WhiteNoise serves.
STATIC_ROOT = Path(env("STATIC_ROOT", str(PROJECT_DIR / "var" / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(PROJECT_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            # WhiteNoise's CompressedManifestStaticFilesStorage: hashed names from the
            # manifest, gzip copies (Brotli too if installed); `make run` and production
            # serve what collectstatic (run by `jejaring setup`) made.
            else "jejaring.core.staticstorage.StaticStorage"
        )
    },
}
# With DEBUG the files are served straight from the app folders (no collectstatic needed);
# otherwise only the collected ones, whose hashed names WhiteNoise sends with
# "Cache-Control: max-age=315360000, public, immutable". Unhashed names (none are linked
# by the pages) get WHITENOISE_MAX_AGE.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_MAX_AGE = 0 if DEBUG else int(env("WHITENOISE_MAX_AGE", "3600"))

# Sessions and cookies: secure unless explicitly running an insecure local demo.
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(8 * 60 * 60)))  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "jejaring.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
BEHIND_HTTPS_PROXY = env_bool("BEHIND_HTTPS_PROXY", False)
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A site served over HTTPS tells browsers to keep to HTTPS for a year; plain-HTTP
# demos send no HSTS, since it would lock a laptop's browser out of them.
SECURE_HSTS_SECONDS = int(
    env("SECURE_HSTS_SECONDS", "31536000" if BEHIND_HTTPS_PROXY or SECURE_SSL_REDIRECT else "0")
)

# Content-Security-Policy (django-csp): only the product's own scripts and styles run,
# nothing inline, no frames, forms post only here. The API docs page relaxes it for
# Swagger UI (jejaring.core.api). A test in tests/browser fails on any violation.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# The API's interactive docs and schema are for people and programs who log in.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", False)

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "jejaring@localhost")
# The office's mail relay; the password may come from EMAIL_HOST_PASSWORD_FILE like any secret.
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "20"))
# Where the app is reached, for links in e-mails (notifications).
SITE_URL = env("SITE_URL", "http://localhost:8000")

# Background work (django-tasks): the database backend by default, processed by
# `jejaring worker`. TASK_BACKEND may name another backend (e.g. a Redis-backed one).
TASKS = {"default": {"BACKEND": env("TASK_BACKEND", "django_tasks_db.backend.DatabaseBackend")}}
# /readyz fails when no worker wrote its heartbeat (every 30 s) within this many seconds.
READY_WORKER_WITHIN = int(env("READY_WORKER_WITHIN", "120"))
# Public reports one network address may send in an hour (a shared warnet or a school
# connection sends several; a script sends hundreds).
PUBLIC_REPORTS_PER_HOUR = int(env("PUBLIC_REPORTS_PER_HOUR", "5"))
PUBLIC_COMPLAINTS_PER_HOUR = int(env("PUBLIC_COMPLAINTS_PER_HOUR", "5"))
# Satisfaction survey (PermenPANRB 14/2017): results are shown only from this many
# answers (fewer could be told apart), and the weight of each element: "exact" (1/9),
# or the "0.111" or "0.11" some offices print (docs/public.md).
SKM_MIN_RESPONSES = int(env("SKM_MIN_RESPONSES", "10"))
SKM_WEIGHT = env("SKM_WEIGHT", "exact")
# Open-data API reads one network address may make (django-ninja's rate format, e.g.
# "60/m"): enough for a portal's harvester or a journalist's script, not for a scraper
# that would load the server. Counted in the shared "throttle" cache below.
OPEN_DATA_RATE = env("OPEN_DATA_RATE", "60/m")
# The default cache stays per process (nothing else caches); the rate limit's counts live
# in a table every process shares (created by migration public.0005).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "jejaring_throttle",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
}
# Who publishes the open data, as the catalogue names it (dct:publisher).
OPEN_DATA_PUBLISHER = env("OPEN_DATA_PUBLISHER", "Jejaring Kesejahteraan Sosial")
# For the Redis-backed worker (django-tasks-rq, see docs/imports.md): the queue's address.
if env("REDIS_URL", ""):
    RQ_QUEUES = {"default": {"URL": env("REDIS_URL", "")}}
# Largest spreadsheet an office may upload for import (bytes).
IMPORT_MAX_BYTES = int(env("IMPORT_MAX_BYTES", str(100 * 1024 * 1024)))
# What an .xlsx may unpack to in total: a workbook compresses about 5-10x, a zip bomb
# thousands of times (docs/security.md).
IMPORT_MAX_UNCOMPRESSED_BYTES = int(
    env("IMPORT_MAX_UNCOMPRESSED_BYTES", str(10 * IMPORT_MAX_BYTES))
)
# Rows an import loads per transaction, and how long a worker's hold on a running import
# lasts without a heartbeat: after that the import counts as stopped and can be resumed
# (docs/imports.md). A batch must take well under the lease.
IMPORT_BATCH_SIZE = int(env("IMPORT_BATCH_SIZE", "5000"))
IMPORT_LEASE_SECONDS = int(env("IMPORT_LEASE_SECONDS", "120"))

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

# Logs carry ids, never names or NIKs (see docs/architecture.md, "Privacy in logs").
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "filters": {"request_id": {"()": "jejaring.core.middleware.RequestIdLogFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
