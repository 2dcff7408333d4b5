"""Settings for the test suite: the production settings with test-only secrets.

The environment still decides the database, so CI runs the same suite on PostgreSQL
by setting DATABASE_URL.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from jejaring.settings import *  # noqa: E402, F403

# Fast password hashing: tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Browser tests talk plain HTTP to the live server.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Plain names served from the app folders, so the suite needs no collectstatic; the
# manifest storage production uses is proven by tests/test_platform_serving.py.
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# WhiteNoise warns when the collected-static folder is missing; tests serve from finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# The suite reads the open-data API far more often than a person would (the persona
# matrix, the fuzzer); tests/test_public_open_data.py lowers it to prove the limit.
OPEN_DATA_RATE = "100000/m"
