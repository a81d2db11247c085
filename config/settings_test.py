"""Test settings: django-q2 in sync mode (read once at import, see RECIPES.md), fast hashing."""

from __future__ import annotations

import os

os.environ.setdefault("Q_SYNC", "1")

from config.settings import *  # noqa: F403
from config.settings import Q_CLUSTER

Q_CLUSTER["sync"] = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False}

from config.settings import DATABASES, VAR_DIR  # noqa: E402

# Tests run threads against the database and drop it at the end: no connection may outlive
# its request (the qcluster subprocesses some tests start use the production settings).
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so a real `qcluster` subprocess can share the test database
    # (tests/enrollment/test_qcluster_e2e.py). One file per test session (pid), so
    # concurrent runs never share or delete each other's database; xdist adds a suffix.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
