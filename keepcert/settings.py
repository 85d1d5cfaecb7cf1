"""KeepCert settings: one module, every deployment difference read from the environment.

The defaults make a local run work (SQLite, console email, debug off unless asked);
production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and EMAIL_URL. See
`.env.example` and the configuration table in the README.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from keepcert.activities import limits as evidence_limits
from keepcert.env import (
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_secret,
    env_str,
    local_secret,
    mailer_from_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_secret("SECRET_KEY", "") or local_secret(BASE_DIR / "var" / "secret-key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "keepcert.staff.apps.StaffAdminConfig",  # the admin, behind staff_required
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "django_htmx",
    "django_tasks_db",
    "ninja",  # serves Swagger UI's files locally (a CDN script would break the CSP)
    "keepcert.core",
    "keepcert.program",
    "keepcert.members",
    "keepcert.certifications",
    "keepcert.activities",
    "keepcert.billing",
    "keepcert.portal",
    "keepcert.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body: refuses an oversized one unread (413).
    "keepcert.core.limits.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in member's own language choice wins over the browser's.
    "keepcert.members.language.MemberLanguageMiddleware",
    # Signed-in pages and every API answer: Cache-Control: private, no-store.
    "keepcert.core.caching.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Axes goes last so it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "keepcert.urls"
WSGI_APPLICATION = "keepcert.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", "sqlite:///var/keepcert.sqlite3"), base_dir=BASE_DIR
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The database cache works on SQLite and PostgreSQL alike and is shared by every
# web process, which axes' lockout counters and allauth's rate limits need.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "keepcert_cache",
    }
}

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
# Where staff land after signing in (members land on LOGIN_REDIRECT_URL): the account
# adapter's get_login_redirect_url reads it.
STAFF_START_URL = env_str("STAFF_START_URL", "/admin/")

# django-allauth: members sign in with a verified email; accounts are claimed, not
# opened by anyone (SPEC §13), so the adapter closes public sign-up.
ACCOUNT_ADAPTER = "keepcert.members.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Account emails start their subject with the program's short name ("AMT: …", see the
# account adapter); this prefix is for an email with no program to name.
ACCOUNT_EMAIL_SUBJECT_PREFIX = "KeepCert: "
ACCOUNT_FORMS = {
    "change_password": "keepcert.members.forms.ChangePasswordForm",
    "reset_password_from_key": "keepcert.members.forms.ResetPasswordKeyForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "KeepCert"
# Staff reach the admin only after setting up TOTP. The local demo may turn it off.
KEEPCERT_STAFF_REQUIRE_MFA = env_bool("KEEPCERT_STAFF_REQUIRE_MFA", True)

# django-axes is the only sign-in lockout (keepcert/members/signin.py): it locks an
# email + client address pair after repeated failures, on every path that calls
# authenticate(). allauth's own "login_failed" limit counted per email from any address,
# so anyone could keep any account locked: it is off.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 8, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # each failure, with its time: counted per email
ACCOUNT_RATE_LIMITS = {"login_failed": None}
# Past this many failures for one email within the window, a correct password from an
# address the account never signed in from must be confirmed with an emailed code.
KEEPCERT_SIGNIN_CODE_AFTER_FAILURES = env_int("KEEPCERT_SIGNIN_CODE_AFTER_FAILURES", 50, minimum=1)
KEEPCERT_SIGNIN_FAILURE_WINDOW_MINUTES = env_int(
    "KEEPCERT_SIGNIN_FAILURE_WINDOW_MINUTES", 60, minimum=1
)
ACCOUNT_LOGIN_BY_CODE_ENABLED = True  # "email me a sign-in code", offered on the sign-in page
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "keepcert.members.adapters.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "keepcert.core.http.axes_client_address"

# How many proxies in front of the app append to X-Forwarded-For (0: none, the header is
# ignored). The sign-in lockout, the throttles and recorded addresses all read the client
# address through `keepcert.core.http.client_address`.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# The member's language: chosen on the profile (remembered there and in a cookie), else
# the browser's. Catalogs live in locale/ and are compiled by `make install`.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on a missing folder
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

MAILERS = {"default": mailer_from_url(env_str("EMAIL_URL", "console:"), base_dir=BASE_DIR)}
# The address emails come from. Account emails to members carry their program's name
# instead of this one ("AMT Certification Continuation Program <no-reply@…>").
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "KeepCert <no-reply@keepcert.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and SITE_URL.startswith("https"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# HTTPS (issue 5): when the public address is https, plain http is redirected and
# browsers are told (HSTS) never to try it again. Behind a TLS proxy, Django learns the
# request's scheme from X-Forwarded-Proto, believed only when a proxy is declared
# (a client could send the header itself) and the proxy overwrites it.
_HTTPS_SITE = SITE_URL.startswith("https://")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS_SITE)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if _HTTPS_SITE else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading is the domain owner's commitment (hstspreload.org; hard to undo for every
# subdomain), so it is asked for explicitly and the check's reminder is silenced until then.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if env_bool("TRUST_X_FORWARDED_PROTO", TRUSTED_PROXY_COUNT > 0):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Request bodies and evidence storage (issue 5, findings 6 and 8). The largest body any
# request may carry: by default what the evidence rules can need at once (5 files of
# 10 MB and the form), see keepcert/activities/limits.py; deploy/nginx.conf's
# client_max_body_size matches it. Larger bodies answer 413 before they are read.
KEEPCERT_MAX_REQUEST_BYTES = env_int(
    "KEEPCERT_MAX_REQUEST_BYTES", evidence_limits.MAX_REQUEST_BYTES, minimum=1
)
# How much evidence one member may keep in total, in megabytes.
KEEPCERT_EVIDENCE_QUOTA_MB = env_int(
    "KEEPCERT_EVIDENCE_QUOTA_MB", evidence_limits.EVIDENCE_QUOTA_MB, minimum=1
)

# KeepCert policy knobs that are deployment settings rather than program rules.
KEEPCERT_PROGRAM = env_str("KEEPCERT_PROGRAM", "amt-ccp")
KEEPCERT_API_TOKEN_PREFIX = "kc_"  # noqa: S105 - a public marker, not a secret
# How long an API Idempotency-Key is remembered (keepcert.core.idempotency); older keys
# count as unused, and `manage.py purge_expired` deletes them.
KEEPCERT_IDEMPOTENCY_TTL_HOURS = env_int("KEEPCERT_IDEMPOTENCY_TTL_HOURS", 24, minimum=1)

# Card payments (keepcert.billing.gateways): "offline", a stand-in whose hosted page is
# KeepCert's own (the default, for a local install), or "stripe" (Checkout and signed
# webhooks; the key and the webhook secret are then required).
KEEPCERT_PAYMENT_GATEWAY = env_str("KEEPCERT_PAYMENT_GATEWAY", "offline")
if KEEPCERT_PAYMENT_GATEWAY not in {"offline", "stripe"}:
    raise ImproperlyConfigured("KEEPCERT_PAYMENT_GATEWAY must be 'offline' or 'stripe'.")
_STRIPE_REQUIRED = None if KEEPCERT_PAYMENT_GATEWAY == "stripe" else ""
KEEPCERT_STRIPE_SECRET_KEY = env_secret("KEEPCERT_STRIPE_SECRET_KEY", _STRIPE_REQUIRED)
KEEPCERT_STRIPE_WEBHOOK_SECRET = env_secret("KEEPCERT_STRIPE_WEBHOOK_SECRET", _STRIPE_REQUIRED)
KEEPCERT_STRIPE_API_BASE = env_str("KEEPCERT_STRIPE_API_BASE", "")  # tests: a fake Stripe

# Rate limits per credential (keepcert.core.ratelimit): fixed one-minute windows, 429 with
# Retry-After beyond them, counted in the RateCounter table (one upsert per request).
KEEPCERT_RATE_TOKEN_PER_MINUTE = env_int("KEEPCERT_RATE_TOKEN_PER_MINUTE", 60, minimum=1)
KEEPCERT_RATE_MEMBER_WRITES_PER_MINUTE = env_int(
    "KEEPCERT_RATE_MEMBER_WRITES_PER_MINUTE", 30, minimum=1
)
# allauth emails the account's address when its password is changed or reset (and on
# other security changes); KeepCert's versions also say the API tokens were revoked.
ACCOUNT_EMAIL_NOTIFICATIONS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # axes logs every successful sign-in at INFO; lockouts are warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}
