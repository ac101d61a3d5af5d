"""Django settings, all read from the environment.

FUHUA_HOME        data directory (SQLite database, secret key, media); default ./var
DATABASE_URL      e.g. postgres://user@host/db; default SQLite in FUHUA_HOME
DATABASE_REPLICA_URL  a streaming replica of DATABASE_URL, read by reports and dashboards (core/db_router.py)
FUHUA_TASK_RECOVERY_SECONDS  how often a worker requeues tasks whose worker died (default 10; core/workers.py)
SECRET_KEY        required in production; otherwise generated once into FUHUA_HOME
ALLOWED_HOSTS     comma separated; default localhost names
FUHUA_UPLOAD_MAX_BYTES  largest annual-report upload (default 20 MB; FUHUA_FIRM_UPLOAD_MAX_BYTES for firms, 100 MB)
FUHUA_UPLOAD_MAX_CELLS / _COLUMNS / _UNCOMPRESSED_BYTES  workbook guard limits (8,000,000 / 200 / 400 MB)
FUHUA_IMPORT_BACKGROUND_BYTES  uploads larger than this import in the worker (default 2 MB)
FUHUA_UPLOAD_RETENTION_DAYS  days a failed upload is kept for its error workbook (default 7)
FUHUA_PRODUCTION  1 behind TLS: secure cookies, HSTS, SSL redirect (`fuhua serve` sets it)
FUHUA_DEBUG       1 for Django's debug pages (never in production)
FUHUA_TRUSTED_PROXIES  comma-separated CIDRs of reverse proxies whose X-Forwarded-For / X-Request-ID count
FUHUA_PASSWORD_MAX_AGE_DAYS  password expiry (default 90; 0 disables)
FUHUA_API_TOKEN_DAYS  default lifetime of an API token (default 90; FUHUA_API_TOKEN_MAX_DAYS caps it, 365)
FUHUA_API_TOKEN_CACHE_SECONDS  how long a worker remembers an authenticated token (default 30; 0 off)
FUHUA_EMAIL_*     SMTP for password reset mails in production (HOST, PORT, USER, PASSWORD, TLS, FROM)
"""

import os
import secrets
from pathlib import Path

import dj_database_url


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


PACKAGE_DIR = Path(__file__).resolve().parent
FUHUA_HOME = Path(os.environ.get("FUHUA_HOME", "var")).resolve()
FUHUA_HOME.mkdir(parents=True, exist_ok=True)

PRODUCTION = _env_bool("FUHUA_PRODUCTION")
DEBUG = _env_bool("FUHUA_DEBUG") and not PRODUCTION


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    if PRODUCTION:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when FUHUA_PRODUCTION=1")
    # A per-installation key kept beside the data, so sessions survive restarts.
    key_file = FUHUA_HOME / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI's assets locally (no CDN)
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "fuhua.core",
    "fuhua.accounts",
    "fuhua.registry",
    "fuhua.incubation",
    "fuhua.statistics",
    "fuhua.evaluation",
    "fuhua.policies",
    "fuhua.marketplace",
    "fuhua.mentoring",
    "fuhua.dealflow",
    "fuhua.events",
    "fuhua.vouchers",
    "fuhua.desk",
    "fuhua.demands",
    "fuhua.steering",
    "fuhua.federation",
    "fuhua.dashboard",
    "fuhua.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fuhua.core.middleware.SessionActivityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fuhua.core.middleware.RequestContextMiddleware",
    "fuhua.core.middleware.SecurityHeadersMiddleware",
    "fuhua.core.middleware.SafeRedirectMiddleware",
    "fuhua.accounts.middleware.PasswordPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fuhua.urls"
WSGI_APPLICATION = "fuhua.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fuhua.core.context_processors.navigation",
                "fuhua.federation.context_processors.network_freshness",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{FUHUA_HOME / 'fuhua.sqlite3'}",
        conn_max_age=_env_int("FUHUA_DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while the demo server writes; IMMEDIATE avoids lock upgrades failing. A 32 MiB page
    # cache per connection (SQLite's default is 2 MiB): a filtered list page reads its matching rows from
    # memory, not from the OS through a read per page (benchmarks/api_throughput.py).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                        "PRAGMA cache_size=-32768;",
    }
# The optional read replica: reads opt in with core.db_router.replica_reads(); writes and migrations: the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=_env_int("FUHUA_DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {})) if (
        DATABASES["replica"]["ENGINE"] == DATABASES["default"]["ENGINE"]) else {}
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests read the primary's test database
DATABASE_ROUTERS = ["fuhua.core.db_router.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TASK_RECOVERY_SECONDS = float(os.environ.get("FUHUA_TASK_RECOVERY_SECONDS", 10))

# Uploads (statistics imports): size caps per endpoint, the workbook guard's limits (statistics/exchange/
# guard.py), imports moved to the worker above a size, and how long failed uploads are kept.
FUHUA_UPLOAD_MAX_BYTES = _env_int("FUHUA_UPLOAD_MAX_BYTES", 20 * 2**20)  # annual reports
FUHUA_FIRM_UPLOAD_MAX_BYTES = _env_int("FUHUA_FIRM_UPLOAD_MAX_BYTES", 100 * 2**20)  # the firm register
FUHUA_UPLOAD_HARD_MAX_BYTES = max(FUHUA_UPLOAD_MAX_BYTES, FUHUA_FIRM_UPLOAD_MAX_BYTES)
FUHUA_UPLOAD_MAX_UNCOMPRESSED_BYTES = _env_int("FUHUA_UPLOAD_MAX_UNCOMPRESSED_BYTES", 400 * 2**20)
FUHUA_UPLOAD_MAX_CELLS = _env_int("FUHUA_UPLOAD_MAX_CELLS", 8_000_000)  # ~32 bytes each while read
FUHUA_UPLOAD_MAX_COLUMNS = _env_int("FUHUA_UPLOAD_MAX_COLUMNS", 200)
FUHUA_IMPORT_BACKGROUND_BYTES = _env_int("FUHUA_IMPORT_BACKGROUND_BYTES", 2 * 2**20)
FUHUA_UPLOAD_RETENTION_DAYS = _env_int("FUHUA_UPLOAD_RETENTION_DAYS", 7)
FILE_UPLOAD_HANDLERS = [
    "fuhua.core.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 2**20  # larger files go to a temporary file, not memory
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 2**20  # request bodies other than files

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "fuhua.accounts.validators.CharacterClassValidator"},
]
# Lockout after repeated failures (MLPS 2.0 asks for it): keyed on the account, so that behind a proxy no
# one locks out others by address and guessing from many addresses is still stopped. Admins unlock.
AXES_FAILURE_LIMIT = _env_int("FUHUA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = _env_int("FUHUA_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_CLIENT_IP_CALLABLE = "fuhua.core.middleware.client_ip"
# axes.W006 asks for ip_address in the lockout parameters; addresses are limited separately (below), so
# that one address cannot lock everyone out behind a shared proxy.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Failed sign-ins per client address (any account) within the window before that address is refused (429).
LOGIN_RATE_LIMIT_PER_ADDRESS = _env_int("FUHUA_LOGIN_RATE_LIMIT", 20)
LOGIN_RATE_WINDOW_MINUTES = _env_int("FUHUA_LOGIN_RATE_WINDOW_MINUTES", 15)
# Reverse proxies (CIDRs) trusted to report the client address (X-Forwarded-For) and a request id.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("FUHUA_TRUSTED_PROXIES", "").split(",") if p.strip()]
# Passwords expire (MLPS 2.0); accounts created by an administrator or the demo must change theirs first in
# production.
PASSWORD_MAX_AGE_DAYS = _env_int("FUHUA_PASSWORD_MAX_AGE_DAYS", 90)
FORCE_INITIAL_PASSWORD_CHANGE = PRODUCTION
API_TOKEN_DAYS = _env_int("FUHUA_API_TOKEN_DAYS", 90)
API_TOKEN_MAX_DAYS = _env_int("FUHUA_API_TOKEN_MAX_DAYS", 365)
# An authenticated token is remembered this long per process: the bound on revocation delay elsewhere.
API_TOKEN_CACHE_SECONDS = _env_int("FUHUA_API_TOKEN_CACHE_SECONDS", 30)
# Password reset and invitation mails: printed to the console unless SMTP is configured.
if os.environ.get("FUHUA_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["FUHUA_EMAIL_HOST"]
    EMAIL_PORT = _env_int("FUHUA_EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("FUHUA_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("FUHUA_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = _env_bool("FUHUA_EMAIL_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("FUHUA_EMAIL_FROM", "fuhua@localhost")
PASSWORD_RESET_TIMEOUT = _env_int("FUHUA_PASSWORD_RESET_HOURS", 72) * 3600
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = _env_int("FUHUA_SESSION_TIMEOUT_MINUTES", 30) * 60
# The timeout counts from the last request, not the login: core.middleware.SessionActivityMiddleware saves the
# session (moving its expiry on) at most once a minute, instead of SESSION_SAVE_EVERY_REQUEST's write per request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
FORMAT_MODULE_PATH = ["fuhua.core.formats"]  # Chinese pages: 12,345 and YYYY-MM-DD (see fuhua.core.formatting)
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = FUHUA_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise expects it even when serving from the app finders
MEDIA_ROOT = FUHUA_HOME / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "fuhua.core.staticfiles.IncrementalCompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from the apps when collectstatic was not run

# Audit trail retention; MLPS 2.0 requires at least six months of logs.
AUDIT_RETENTION_DAYS = _env_int("FUHUA_AUDIT_RETENTION_DAYS", 365)
AUDIT_MIN_RETENTION_DAYS = 183

API_PAGE_SIZE_MAX = 500

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("FUHUA_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = _env_int("FUHUA_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FUHUA_LOG_LEVEL", "WARNING")},
}
