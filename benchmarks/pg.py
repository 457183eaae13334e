"""What the PostgreSQL benchmarks share: throw-away keys, psql, and Django set up on a given database."""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432"


def key() -> str:
    """A random 256-bit key in the form SIGHTLINE_FIELD_KEYS and SIGHTLINE_SEARCH_KEY take."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def psql(url: str, sql: str) -> None:
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, timeout=120)


KEYS_FILE_VARIABLE = "SIGHTLINE_BENCH_KEYS_FILE"


def kept_keys() -> dict[str, str]:
    """The field and search keys in the file `$SIGHTLINE_BENCH_KEYS_FILE` names (written there on
    first use), so a database one benchmark kept (`--keep`) can be read by another; {} when unset."""
    path = os.environ.get(KEYS_FILE_VARIABLE)
    if not path:
        return {}
    if not os.path.exists(path):
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
            json.dump({"SIGHTLINE_FIELD_KEYS": key(), "SIGHTLINE_SEARCH_KEY": key()}, out)
    with open(path) as kept:
        return dict(json.load(kept))


def set_up_django(
    database_url: str, var_dir: str, keys: dict[str, str] | None = None
) -> dict[str, str]:
    """Configure Django for `database_url` (fresh keys unless `keys` are given), migrate, and return
    the environment used, so a server started for the benchmark can be given the same one."""
    env = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SIGHTLINE_FIELD_KEYS": key(),
        "SIGHTLINE_SEARCH_KEY": key(),
        **kept_keys(),
        **(keys or {}),
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SIGHTLINE_VAR_DIR": var_dir,
        "DJANGO_SETTINGS_MODULE": "sightline.config.settings",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return env


# --- a gunicorn server on loopback, for the HTTP benchmarks ---------------------------------------------

SERVER_START_TIMEOUT = 30.0  # seconds
PROJECT_DIR = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value at or above `share` of the samples."""
    rank = max(1, -(-len(sorted_values) * share // 1))
    return sorted_values[int(rank) - 1]


def start_server(
    env: dict[str, str], port: int, workers: int, log: Path, *, extra: Sequence[str] = ()
) -> subprocess.Popen[bytes]:
    """`gunicorn sightline.config.wsgi` (sync workers) on 127.0.0.1:`port`, once it accepts connections.

    Runs in its own process group so `stop_server` stops its workers too.
    """
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "sightline.config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            *extra,
        ],
        env={**os.environ, **env},
        cwd=PROJECT_DIR,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"gunicorn did not listen within {SERVER_START_TIMEOUT:.0f} s; see {log}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
