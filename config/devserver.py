"""``make run``: set up the embedded demo and run the django-q2 cluster beside the web server.

Both children get their own process group so Ctrl-C reaches only this supervisor, which
then stops them in order: qcluster hangs for good when SIGTERM hits its whole group
(RECIPES.md), so it gets SIGINT on its main PID, a deadline, then a group kill.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDRESS = os.environ.get("RUN_ADDRESS", "127.0.0.1:8000")


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def spawn(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, start_new_session=True)


def stop(proc: subprocess.Popen[bytes], deadline: float = 15.0) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=deadline)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    manage("migrate", "--no-input", "-v", "0")
    manage("seed_demo")
    manage("ensure_admin")
    cluster = spawn("qcluster")
    web = spawn("runserver", ADDRESS, "--noreload")
    print(
        f"\nServing on http://{ADDRESS}/ - the workflows page  (API docs: http://{ADDRESS}/api/docs/). Ctrl-C stops both.\n",
        flush=True,
    )
    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        while not stopping and cluster.poll() is None and web.poll() is None:
            time.sleep(0.3)
    finally:
        stop(web)
        stop(cluster)
    print("Stopped the web server and the task cluster.", flush=True)
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main())
