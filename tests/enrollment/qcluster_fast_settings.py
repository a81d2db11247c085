"""Settings for a ``qcluster`` subprocess started by a test or a benchmark.

The production settings (``config.settings``, which read ``CONN_MAX_AGE`` themselves) with
two knobs from the environment:

- ``Q_TIMEOUT`` / ``Q_RETRY`` (default 4 s / 6 s): the ORM broker hands an unacknowledged
  task out again only ``retry`` seconds after it was taken, 360 s in production - too long
  for a test that kills a worker and waits for the re-delivery. ``timeout`` stays below
  ``retry`` (RECIPES.md: delivery is at least once).
- ``Q_QUEUE_NAME``: the queue (django-q2's ``cluster_name``; the Redis list key), so a test
  run never takes tasks queued by another run on the same Redis. The signing salt (``name``)
  is unchanged, so tasks queued with the test settings are read by this cluster.
"""

from __future__ import annotations

import os

from config.settings import *  # noqa: F403
from config.settings import Q_CLUSTER as _PRODUCTION

Q_CLUSTER = {
    **_PRODUCTION,
    "timeout": int(os.environ.get("Q_TIMEOUT", "4")),
    "retry": int(os.environ.get("Q_RETRY", "6")),
}
if os.environ.get("Q_QUEUE_NAME"):
    Q_CLUSTER["cluster_name"] = os.environ["Q_QUEUE_NAME"]
