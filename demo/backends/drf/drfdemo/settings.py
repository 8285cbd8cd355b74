"""
A Django REST framework API with SimpleJWT, configured the way its documentation
recommends for rotating refresh tokens: every refresh returns a new refresh token and
blacklists the one it was given, so a refresh token works exactly once.

Environment:
  DRF_DEMO_DB          path of the sqlite database (required; serve.py sets it)
  DRF_DEMO_ACCESS_TTL  access-token lifetime in seconds (default 300)
  DRF_DEMO_TEST_HOOKS  "1" mounts /__test/* (counters, knobs) for the e2e suite
"""

import os
from datetime import timedelta

BASE_DIR = os.path.dirname(os.path.abspath(__file__))

# A demo key: this app only ever runs on 127.0.0.1 for tests.
SECRET_KEY = "drf-demo-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drfdemo",
]

TEST_HOOKS = os.environ.get("DRF_DEMO_TEST_HOOKS") == "1"

MIDDLEWARE = ["drfdemo.counters.CountersMiddleware"] if TEST_HOOKS else []

ROOT_URLCONF = "drfdemo.urls"
WSGI_APPLICATION = "drfdemo.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["DRF_DEMO_DB"],
        # Concurrent requests wait for sqlite's write lock instead of failing at once.
        "OPTIONS": {"timeout": 20},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's own advice for test databases: a fast hasher, since logins are many and real
# password hashing costs a quarter of a second of CPU each.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"] if TEST_HOOKS else [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

USE_TZ = True
TIME_ZONE = "UTC"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=int(os.environ.get("DRF_DEMO_ACCESS_TTL", "300"))),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    # Request lines only on errors: a token never reaches a log line (none travels in URLs here).
    "loggers": {"django": {"handlers": ["stderr"], "level": "ERROR"}},
}
