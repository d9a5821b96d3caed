"""Settings for the AI+ 供需对接平台, read from the environment (django-environ).

With nothing set the site runs on an SQLite file with Celery in eager mode, so that
`make run` works on a bare machine. Production sets DATABASE_URL (PostgreSQL),
REDIS_URL (broker and cache), a real DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS; the
security settings below then default to their strict values and
`manage.py check --deploy --fail-level WARNING` reports nothing (tests/test_deploy.py).
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- core ----------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The default key is deliberately flagged by `check --deploy` (security.W009): a real
# deployment must set DJANGO_SECRET_KEY.
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="django-insecure-development-only-key-set-DJANGO_SECRET_KEY-in-production",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Where vulnerabilities are reported (docs/SECURITY.md, /.well-known/security.txt);
# set it to the operator's own security mailbox.
SECURITY_CONTACT_EMAIL = env("SECURITY_CONTACT_EMAIL", default="security@localhost")

INSTALLED_APPS = [
    "config.apps.ProgrammeAdminConfig",  # django.contrib.admin, with our AdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "import_export",
    "config.apps.AxesConfig",
    # Permissions as named predicates: each app's rules.py is loaded at start-up.
    "rules.apps.AutodiscoverRulesConfig",
    "core",
    "matchmaking",
    "events",
    # Benchmark commands only; no app imports it (docs/BENCHMARKS.md).
    "bench",
]
# Staff edits in Django admin of these apps' records are copied to the audit log.
AUDITED_APPS = ("core", "matchmaking", "events")

MIDDLEWARE = [
    # First: an oversized body is refused before anything reads it.
    "config.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RejectNullCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signed-in pages are not kept by browsers or proxies (ASVS 8.2.1).
    "config.middleware.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    # Path parameters no database integer can hold are a 400, before any view queries.
    "config.middleware.IntegerRangeMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "config.context_processors.site",
            ],
        },
    },
]

FORM_RENDERER = "config.forms.SiteFormRenderer"

# --- database ------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections, checked before reuse so that a PostgreSQL restart costs
    # one failed request per connection at most, not a restart of the app.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
else:
    # SQLite is the embedded default for one machine; a busy timeout lets the eager
    # Celery tasks and the web process share the file.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and Celery ----------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")


def _beside(url: str) -> str:
    """The Redis database next to the broker's on the same server (0 → 1, 15 → 14)."""
    base, _slash, database = url.rstrip("/").rpartition("/")
    if not database.isdigit() or "://" not in base:
        return url.rstrip("/") + "/1"
    number = int(database)
    return f"{base}/{number + 1 if number < 15 else number - 1}"


# The cache (pages, rate-limit counts, throttles) is kept apart from the broker's
# queues: anonymous visitors can make it grow, and Redis under memory pressure must
# evict cache entries, never jobs. Production points CACHE_URL at a Redis instance of
# its own with `maxmemory-policy allkeys-lru` (docker-compose.yml, docs/OPERATIONS.md);
# by default it is the next database of REDIS_URL's server, whose instance then needs
# `maxmemory-policy volatile-lru` (every cache entry expires; no broker key does).
CACHE_URL = env("CACHE_URL", default=_beside(REDIS_URL) if REDIS_URL else "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "aiplus",
            "TIMEOUT": 300,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The in-memory transport names a host (any), or kombu warns "No hostname was supplied"
# each time an eager task borrows a producer, i.e. at every job and email.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
# No result backend: every job records its outcome in the database (outbox status,
# MatchRun, schedule report), and fan-out/fan-in is coordinated there too.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Without a broker every task runs in-process right away (after commit), so the
# embedded default needs no worker.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = env.bool("CELERY_TASK_EAGER_PROPAGATES", default=False)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_ENABLE_UTC = True
# A task is acknowledged only when it finished, and a task whose worker died is
# requeued: together with idempotent tasks, a killed worker loses no work.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
# The longest countdown/ETA any task uses (retry backoff is capped to it); the Redis
# visibility timeout must exceed countdown + time limit, or Redis would redeliver a
# task that is merely waiting or still running (tests/test_celery_config.py).
CELERY_MAX_COUNTDOWN = 60 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_MAX_COUNTDOWN + CELERY_TASK_TIME_LIMIT + 30 * 60,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request publishing to a broker that is down fails fast and leaves the work in
# the outbox (the sweep publishes it later) instead of hanging the request.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
# How long a delivery owns an outbox message before another may take it over (a
# worker killed mid-task); longer than any task may run.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60)
# A message published this long ago and still not started is assumed lost by the
# broker (a restarted Redis, a killed worker's prefetched message) and published again.
OUTBOX_REPUBLISH_AFTER_SECONDS = env.int("OUTBOX_REPUBLISH_AFTER_SECONDS", default=10 * 60)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_SEND_SENT_EVENT = True

# --- matching ------------------------------------------------------------------------
MATCHING_TOP_K = env.int("MATCHING_TOP_K", default=20)
# Pairs below this score are not kept: a list shows fewer, better matches.
MATCHING_MIN_SCORE = env.float("MATCHING_MIN_SCORE", default=0.2)
# Needs per chunk task of a full re-match: smaller chunks spread over more workers.
MATCHING_CHUNK_NEEDS = env.int("MATCHING_CHUNK_NEEDS", default=2000)
# Records one incremental job re-matches at once; a batch of changes (an import, a bulk
# approval) larger than this, or than this share of the published catalog, queues one
# full recompute instead of increments.
MATCHING_PENDING_BATCH = env.int("MATCHING_PENDING_BATCH", default=500)
MATCHING_BATCH_FULL_RUN_SHARE = env.float("MATCHING_BATCH_FULL_RUN_SHARE", default=0.2)

# --- answering in time -------------------------------------------------------------------
# Unanswered introductions and meeting requests: the asked side gets one reminder after
# the first number of days, and the request expires (both sides are told) after the
# second (beat jobs matchmaking.follow_up_interests and events.follow_up_meeting_requests).
INTRODUCTION_NUDGE_DAYS = env.int("INTRODUCTION_NUDGE_DAYS", default=3)
INTRODUCTION_EXPIRY_DAYS = env.int("INTRODUCTION_EXPIRY_DAYS", default=14)
MEETING_REQUEST_NUDGE_DAYS = env.int("MEETING_REQUEST_NUDGE_DAYS", default=3)
MEETING_REQUEST_EXPIRY_DAYS = env.int("MEETING_REQUEST_EXPIRY_DAYS", default=7)

# --- events ------------------------------------------------------------------------------
# Seconds the exact meeting scheduler (CP-SAT) may search when unavailability makes the
# problem hard; the schedule report says whether the result is proven optimal.
EVENTS_SCHEDULER_TIME_LIMIT = env.float("EVENTS_SCHEDULER_TIME_LIMIT", default=20.0)


# --- authentication ------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Object permissions from the apps' rules.py; no name repeats a model permission.
    "rules.permissions.ObjectPermissionBackend",
]
# OWASP ASVS 4.0.3 V2.1: at least 12 characters (2.1.1), at most 128 (2.1.2), not a
# common password (2.1.7), and strong enough by zxcvbn's estimate (core/passwords.py);
# no composition rules (2.1.9).
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=12)
PASSWORD_MAX_LENGTH = 128
PASSWORD_MIN_STRENGTH = env.int("PASSWORD_MIN_STRENGTH", default=3)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "core.passwords.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "core.passwords.StrengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# ASVS 3.3.2 (level 2): a session ends 12 hours after sign-in at the latest.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 60 * 60)
EMAIL_VERIFICATION_MAX_AGE = 60 * 60 * 24 * 3
INVITATION_MAX_AGE = 60 * 60 * 24 * 14
# New member invitations an organization, and one inviting person, may send
# (core/services/accounts.py invite_member); "" switches one off.
INVITATION_LIMITS = {
    "per_organization": env("INVITATIONS_PER_ORGANIZATION", default="20/day"),
    "per_user": env("INVITATIONS_PER_USER", default="10/hour"),
}
# PIPL: the version of the privacy notice a user consents to; bump it with the text.
PRIVACY_NOTICE_VERSION = "2026-11"

# Proxies in front of the site that append the client's address to X-Forwarded-For
# (gunicorn behind nginx: 1). The lockout, the API throttles and the form limits all
# take the address the outermost one saw (core/identity.py client_ip).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=env.int("AXES_PROXY_COUNT", default=0))

# django-axes: lock an account after repeated failures, whichever IP they come from,
# and an IP that tries many accounts. Failures count on the normalised address
# (any letter case), wherever a password is checked: login, admin, API token, password
# change, account deletion (core/identity.py).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "core.identity.axes_username"
AXES_CLIENT_IP_CALLABLE = "core.identity.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "core.views.locked_out"

# --- internationalisation ------------------------------------------------------------
LANGUAGE_CODE = env("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "aiplus_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365

# --- static and media ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded attachments live outside the static root and are served only through a
# view that checks who may see them (never by whitenoise or the web server).
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Search indexes shared by the processes of this machine (matchmaking/search/snapshots.py);
# empty: each process builds its own.
SEARCH_INDEX_DIR = env("SEARCH_INDEX_DIR", default=str(VAR_DIR / "search-index"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENTS_PER_SAVE = 5

# --- request sizes -------------------------------------------------------------------
# The largest request body each kind of endpoint takes, in bytes; a larger one is
# answered 413 before it is read (config/middleware.py RequestSizeLimitMiddleware).
# gunicorn and the proxy (platform/) refuse at their own, larger limit first.
REQUEST_BODY_LIMITS = {
    # The site's forms (sign-in, sign-up, RSVP, requests): text only.
    "form": env.int("REQUEST_BODY_LIMIT_FORM", default=256 * 1024),
    # The REST API's JSON bodies.
    "api": env.int("REQUEST_BODY_LIMIT_API", default=1024 * 1024),
    # A need's or solution's form with its attachments: five files of 10 MB at most.
    "upload": env.int(
        "REQUEST_BODY_LIMIT_UPLOAD",
        default=ATTACHMENTS_PER_SAVE * ATTACHMENT_MAX_BYTES + 1024 * 1024,
    ),
    # The programme office's admin, with the catalog import (a file of 20 MB at most).
    "admin": env.int("REQUEST_BODY_LIMIT_ADMIN", default=21 * 1024 * 1024),
}
# Which kind a path is (first match wins; "form" otherwise).
REQUEST_BODY_KINDS = [
    (r"^/api/", "api"),
    (r"^/admin/", "admin"),
    (r"^/my/(needs|solutions)/", "upload"),
]

# --- email ---------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="AI+ 供需对接平台 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = "[AI+] "

# --- REST API ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": [
        # django-filter's backend, with range-checked numbers (config/filtering.py).
        "config.filtering.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "config.api_schema.AutoSchema",
    # Writes per user (or address), and every request without credentials per address
    # (core/ratelimit.py); the address is the one core/identity.py finds, as for axes.
    "DEFAULT_THROTTLE_CLASSES": [
        "core.ratelimit.AnonymousRateThrottle",
        "core.ratelimit.WriteRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "writes": env("API_WRITE_RATE", default="60/minute"),
        "anon": env("API_ANON_RATE", default="120/minute"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AI+ 供需对接平台 API",
    "DESCRIPTION": (
        "Scenario needs, solutions, matches, introductions, events and meetings.\n\n"
        "A member of several organizations acts for one at a time, as on the site: "
        "the one named in the `X-Organization` header (its id), else the one chosen "
        "with the site's switcher (same session), else the oldest membership. Lists of "
        "your matches and introductions, and new records posted without `organization`, "
        "are the acting organization's; a header naming an organization you are not an "
        "active member of answers 403.\n\n"
        "Match scores are on the site's one scale, 0 to 100 (74.5), as the pages show "
        "them (74) and as the `min_score` filter takes them; a `min_score` between 0 "
        "and 1 (the filter's earlier scale) is refused with 400."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api_schema.bound_integers",
    ],
}

# --- rate limits ---------------------------------------------------------------------
# Form submissions that can be hammered (core/ratelimit.py): per signed-in user, else
# per client address; "" switches one off. The API's writes are throttled above.
RATELIMITS = {
    "form": env("RATELIMIT_FORM", default="30/minute"),
    # Capability suggestions while a need is written (one request per pause in typing).
    "suggest": env("RATELIMIT_SUGGEST", default="60/minute"),
    "signup": env("RATELIMIT_SIGNUP", default="10/minute"),
    "password_reset": env("RATELIMIT_PASSWORD_RESET", default="10/minute"),
}

# --- security ------------------------------------------------------------------------
# Strict by default; `make run` sets DJANGO_DEBUG=1 for plain-HTTP local serving.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Health probes come over plain HTTP from inside the host or the orchestrator.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# OWASP ASVS 14.4.3: a Content-Security-Policy on every page. Scripts come only from
# this site's static files — no inline script or event handler anywhere, ours or the
# admin's (tests/security/test_csp.py), and no CDN (assets are vendored under static/).
# Inline *styles* stay allowed: templates and the admin set style attributes, and a
# style cannot run code. Nothing may frame the site, post forms elsewhere or load
# plugins. A file download (attachments) sends a stricter policy of its own.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        # data: for the admin's and Swagger UI's small inline icons.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SILENCED_SYSTEM_CHECKS = env.list("DJANGO_SILENCED_SYSTEM_CHECKS", default=[])

# --- logging -------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": "INFO"},
        # Eager tasks would log a line per task in the web process.
        "celery.app.trace": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
