"""Settings for the load lab: loopback only, DEBUG off, SQLite under $LAB_DIR.

Environment (all optional):
  LAB_DATABASE_URL  postgres://USER[:PASSWORD]@HOST:PORT/NAME -> PostgreSQL
  LAB_PG_HOST, LAB_PG_PORT, LAB_PG_USER, LAB_PG_PASSWORD, LAB_PG_NAME
                    the same, piece by piece (used when LAB_PG_PORT is set);
                    PGPASSWORD/PGPASSFILE work too (libpq reads them)
  LAB_CONN_MAX_AGE  seconds a worker keeps its DB connection (default 0)
  LAB_CACHE         memcached://HOST:PORT or redis://[:PASSWORD@]HOST:PORT/DB
                    (default: local memory, per worker)
  LAB_CACHE_TIMEOUT seconds a cached value lives (default 300)
  LAB_SQL_LOG       file: DEBUG on and every SQL statement logged there
"""
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
LAB_DIR = Path(os.environ.get("LAB_DIR", "/tmp/headroom-lab"))
LAB_DIR.mkdir(parents=True, exist_ok=True)

# Loopback-only lab; this key protects nothing of value.
SECRET_KEY = os.environ.get("LAB_SECRET_KEY", "headroom-lab-loopback-only-not-a-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# Largest allocation /mem/ will make, in MB.
LAB_MEM_MAX_MB = int(os.environ.get("LAB_MEM_MAX_MB", "4096"))

# The startproject defaults, so worker memory resembles a typical small Django app.
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "lab",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "labproject.urls"
WSGI_APPLICATION = "labproject.wsgi.application"

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



def _postgres_from_env():
    """The postgres DATABASES entry the environment asks for, or None."""
    url = os.environ.get("LAB_DATABASE_URL", "")
    if url:
        u = urlsplit(url)
        if u.scheme not in ("postgres", "postgresql"):
            raise ValueError("LAB_DATABASE_URL must start with postgres://")
        conf = {
            "HOST": u.hostname or "127.0.0.1",
            "PORT": str(u.port or 5432),
            "USER": unquote(u.username or ""),
            "PASSWORD": unquote(u.password or ""),
            "NAME": unquote(u.path.lstrip("/")) or "lab",
        }
    elif os.environ.get("LAB_PG_PORT"):
        conf = {
            "HOST": os.environ.get("LAB_PG_HOST", "127.0.0.1"),
            "PORT": os.environ["LAB_PG_PORT"],
            "USER": os.environ.get("LAB_PG_USER", "lab"),
            "PASSWORD": os.environ.get("LAB_PG_PASSWORD", ""),
            "NAME": os.environ.get("LAB_PG_NAME", "lab"),
        }
    else:
        return None
    conf["ENGINE"] = "django.db.backends.postgresql"
    conf["CONN_MAX_AGE"] = int(os.environ.get("LAB_CONN_MAX_AGE", "0"))
    # pgbouncer in transaction mode cannot keep server-side cursors.
    conf["DISABLE_SERVER_SIDE_CURSORS"] = True
    conf["OPTIONS"] = {"application_name": "headroom-lab"}
    return conf


DATABASES = {
    "default": _postgres_from_env()
    or {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(LAB_DIR / "lab.sqlite3"),
        "OPTIONS": {"timeout": 20},
    }
}


def _cache_from_env():
    """The CACHES entry LAB_CACHE asks for (local memory by default)."""
    url = os.environ.get("LAB_CACHE", "")
    timeout = int(os.environ.get("LAB_CACHE_TIMEOUT", "300"))
    if not url or url == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "TIMEOUT": timeout}
    u = urlsplit(url)
    if u.scheme == "memcached":
        return {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": f"{u.hostname}:{u.port or 11211}",
            "TIMEOUT": timeout,
        }
    if u.scheme in ("redis", "rediss"):
        return {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "TIMEOUT": timeout,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    raise ValueError("LAB_CACHE must be memcached://HOST:PORT, redis://HOST:PORT/DB or locmem")


CACHES = {"default": _cache_from_env()}
LAB_CACHE_KIND = (os.environ.get("LAB_CACHE", "") or "locmem").split(":", 1)[0]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_L10N = False
USE_TZ = True

# Errors go to stderr, which start.sh sends to $LAB_DIR/gunicorn.log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# LAB_SQL_LOG: Django logs SQL only with DEBUG on; one line per statement, with
# its duration, as "(0.001) SELECT ...; args=(...)".
SQL_LOG = os.environ.get("LAB_SQL_LOG", "")
if SQL_LOG:
    DEBUG = True
    LOGGING["formatters"] = {"sql": {"format": "%(asctime)s %(process)d %(message)s"}}
    LOGGING["handlers"]["sql"] = {
        "class": "logging.FileHandler",
        "filename": SQL_LOG,
        "formatter": "sql",
    }
    LOGGING["loggers"] = {
        "django.db.backends": {"handlers": ["sql"], "level": "DEBUG", "propagate": False}
    }
