"""Test settings: django-q2 in sync mode (read once at import, see RECIPES.md), fast hashing."""

from __future__ import annotations

import os

os.environ.setdefault("Q_SYNC", "1")

from config.settings import *  # noqa: F403
from config.settings import Q_CLUSTER

Q_CLUSTER["sync"] = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
