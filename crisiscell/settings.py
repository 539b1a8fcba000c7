"""Every setting of crisiscell, read from the environment here and nowhere else.

Three modes, chosen by ``CRISISCELL_ENV``:

* ``development`` (default): SQLite in WAL mode, a secret key generated into the
  git-ignored key directory, console e-mail.
* ``production``: refuses to start unless its secrets are given (``SECRET_KEY``,
  ``DATABASE_URL``, ``ALLOWED_HOSTS`` and an existing key directory); HTTPS only.
* ``test`` behaves like development; the test suite overrides what it must.

The environment variables are listed in ``docs/operations.md``.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if not raw:
        return default
    return raw.lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in _env(name, default).split(",") if item.strip()]


CRISISCELL_ENV = _env("CRISISCELL_ENV", "development")
if CRISISCELL_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(f"CRISISCELL_ENV must be development, production or test, not {CRISISCELL_ENV!r}.")
PRODUCTION = CRISISCELL_ENV == "production"

# The key ring (data-encryption master keys, audit signing key) lives outside the
# database and outside git. See docs/operations.md before you move or back it up.
CRISISCELL_KEY_DIR = Path(_env("CRISISCELL_KEY_DIR", str(BASE_DIR / "var" / "keys")))


def _secret_key() -> str:
    given = _env("SECRET_KEY")
    if given:
        return given
    if PRODUCTION:
        raise ImproperlyConfigured("Production needs SECRET_KEY in the environment.")
    # Development generates its own secret once and keeps it beside the key ring.
    path = CRISISCELL_KEY_DIR / "django-secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")

ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production needs ALLOWED_HOSTS in the environment.")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS")

if PRODUCTION:
    if not _env("DATABASE_URL"):
        raise ImproperlyConfigured("Production needs DATABASE_URL (PostgreSQL) in the environment.")
    if not CRISISCELL_KEY_DIR.is_dir():
        raise ImproperlyConfigured(
            f"The key directory {CRISISCELL_KEY_DIR} does not exist: "
            "restore it from its backup or create it with `crisiscell keys_init`."
        )

# Shown on every page: the data is synthetic and the accounts are public.
CRISISCELL_DEMO = _env_bool("CRISISCELL_DEMO", default=False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "crisiscell.core",
    "crisiscell.accounts",
    "crisiscell.access",
    "crisiscell.audit",
    "crisiscell.cells",
    "crisiscell.survivors",
    "crisiscell.cases",
    "crisiscell.documents",
    "crisiscell.medical",
    "crisiscell.evidence",
    "crisiscell.referrals",
    "crisiscell.counselling",
    "crisiscell.digital",
    "crisiscell.justice",
    "crisiscell.api",
    "crisiscell.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "crisiscell.core.middleware.RequestIdMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "crisiscell.core.middleware.FetchMetadataOriginMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "crisiscell.accounts.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "crisiscell.access.middleware.AccessPolicyMiddleware",
    "crisiscell.core.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crisiscell.urls"
WSGI_APPLICATION = "crisiscell.wsgi.application"
ASGI_APPLICATION = "crisiscell.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "crisiscell" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # Filters every page uses (times, blank form fields), without a load tag in each.
            "builtins": ["crisiscell.core.templatetags.crisiscell"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crisiscell.core.context_processors.crisiscell",
            ],
        },
    },
]

# Databases: SQLite (WAL) by default, PostgreSQL through DATABASE_URL.
_database_url = _env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'crisiscell.sqlite3'}")
# A server thread keeps its connection for a minute on both databases: opening one
# costs a PostgreSQL log-in, or on SQLite the pragmas and Django's SQL functions
# (about 2 ms on every request).
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the single writer; IMMEDIATE takes the write
        # lock at BEGIN so two writers queue instead of failing half-way.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    # Tests use a file (not memory) so concurrent sessions behave as in production:
    # WAL, a busy timeout and IMMEDIATE transactions, not shared-cache table locks.
    # One file per test process, so parallel and repeated runs never share one.
    _test_db = Path(tempfile.gettempdir()) / f"crisiscell-test-{os.getpid()}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": _env("TEST_SQLITE_NAME", str(_test_db))}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters travel apart from the SQL, and a statement a connection runs twice is
    # prepared, so PostgreSQL plans it once: planning was most of a look-up's query time.
    # Behind a transaction-pooling PgBouncer older than 1.21, set DATABASE_PREPARED=0.
    DATABASES["default"].setdefault("OPTIONS", {})
    if _env_bool("DATABASE_PREPARED", default=True):
        DATABASES["default"]["OPTIONS"] |= {"server_side_binding": True, "prepare_threshold": 2}
elif PRODUCTION:
    raise ImproperlyConfigured("Production runs on PostgreSQL.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username and address before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour

# Sessions: idle timeout 15 minutes, absolute lifetime 12 hours (StaffSessionMiddleware).
CRISISCELL_SESSION_IDLE = timedelta(minutes=15)
CRISISCELL_SESSION_ABSOLUTE = timedelta(hours=12)
CRISISCELL_PREAUTH_LIFETIME = timedelta(minutes=5)
SESSION_COOKIE_AGE = int(CRISISCELL_SESSION_ABSOLUTE.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_NAME = "crisiscell_session"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Lockout: five failures for one username from one address lock that pair for a
# cool-off of 15 minutes. Keying on the pair means an attacker elsewhere cannot lock
# a colleague out, and the cool-off means no lock is ever permanent.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "crisiscell.accounts.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_IPWARE_PROXY_COUNT = int(_env("AXES_PROXY_COUNT", "0")) or None

# Two factors: TOTP with django-otp; throttled by the device after failures.
OTP_TOTP_ISSUER = "crisiscell"
OTP_TOTP_THROTTLE_FACTOR = 1

# Internationalisation: English and Urdu; stored in UTC, shown in Asia/Karachi.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ur", _("Urdu"))]
LOCALE_PATHS = [BASE_DIR / "crisiscell" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Karachi"
LANGUAGE_COOKIE_NAME = "crisiscell_language"
LANGUAGE_COOKIE_HTTPONLY = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION or _env_bool("CRISISCELL_MANIFEST_STATIC", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not (PRODUCTION or _env_bool("CRISISCELL_MANIFEST_STATIC", False))
if WHITENOISE_USE_FINDERS:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Security headers.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = 63072000  # two years
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# E-mail: console in development; an SMTP server in production.
_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_mail_backend = _env(
    "EMAIL_BACKEND",
    _SMTP_BACKEND if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": _mail_backend,
        "OPTIONS": {
            "host": _env("EMAIL_HOST", "localhost"),
            "port": int(_env("EMAIL_PORT", "25")),
            "username": _env("EMAIL_HOST_USER"),
            "password": _env("EMAIL_HOST_PASSWORD"),
            "use_tls": _env_bool("EMAIL_USE_TLS", default=False),
        }
        if _mail_backend == _SMTP_BACKEND
        else {},
    }
}
DEFAULT_FROM_EMAIL = _env("DEFAULT_FROM_EMAIL", "crisiscell@localhost")

# Audit sealing: how often the sealer runs, and how old an unsealed event may be
# before `audit_verify` treats it as inserted behind the sealer's back.
CRISISCELL_SEAL_INTERVAL_SECONDS = int(_env("CRISISCELL_SEAL_INTERVAL_SECONDS", "5"))
CRISISCELL_SEAL_GRACE = timedelta(minutes=int(_env("CRISISCELL_SEAL_GRACE_MINUTES", "10")))
# Every signed tree head is also appended to this file, outside the database, so that
# removing the newest events together with their heads cannot go unnoticed. Default:
# tree-heads.jsonl in the key directory. Ship it to a second place (see operations.md).
CRISISCELL_ANCHOR_FILE = _env("CRISISCELL_ANCHOR_FILE")

# Encrypted, write-once file storage (uploads, laboratory results, issued documents).
CRISISCELL_MEDIA_DIR = Path(_env("CRISISCELL_MEDIA_DIR", str(BASE_DIR / "var" / "media")))

# Digital evidence uploads (crisiscell.digital.safety): the largest file accepted, and the
# limits that refuse a zip bomb (bytes once unpacked, members, compression ratio).
CRISISCELL_DIGITAL_MAX_UPLOAD_BYTES = int(_env("CRISISCELL_DIGITAL_MAX_UPLOAD_MB", "512")) * 1024 * 1024
CRISISCELL_DIGITAL_MAX_UNCOMPRESSED_BYTES = int(_env("CRISISCELL_DIGITAL_MAX_UNCOMPRESSED_MB", "4096")) * 1024 * 1024
CRISISCELL_DIGITAL_MAX_COMPRESSION_RATIO = int(_env("CRISISCELL_DIGITAL_MAX_COMPRESSION_RATIO", "100"))
CRISISCELL_DIGITAL_MAX_ARCHIVE_MEMBERS = int(_env("CRISISCELL_DIGITAL_MAX_ARCHIVE_MEMBERS", "20000"))

# Alerts by e-mail besides the in-app list (the message never names a case).
CRISISCELL_ALERT_EMAIL = _env_bool("CRISISCELL_ALERT_EMAIL", default=False)

# Logs carry request ids and event codes, never survivor data.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request logs name the path only; our URLs never hold identities.
        "django.request": {"level": "ERROR"},
        "django.security.DisallowedHost": {"level": "ERROR"},
        # Failed logins are in the audit log; axes' own lines would repeat them.
        "axes": {"level": "ERROR"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}
