"""gunicorn settings, read from the environment. `gunicorn config.wsgi` uses the production settings."""

import fcntl
import os
import shutil
import tempfile
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")


def _cores() -> int:
    """The CPUs this process may run on (its affinity mask, which a cpuset narrows), else all of them."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def workers_for(cores: int) -> int:
    """One sync worker per core, at least 2 (docs/PERFORMANCE.md, "Issue 22: the hit path and the worker model").

    A read costs a worker CPU, not waiting: on 2 cores gunicorn's usual 2 x cores + 1 (5) answered
    every cache hit, /health/ and /auth/me/ 7-21% slower than 2 workers (issue 22's side-by-side
    run), the extra processes only taking turns on the same cores. More workers than cores pay off
    only when requests wait on PostgreSQL (list misses: 158 against 141 req/s); set
    GUNICORN_WORKERS for such a load. In a container, set it to this of the container's CPU limit
    (a CFS quota is not in the affinity mask): deploy/check_k8s.py holds the ConfigMap to it.
    """
    return max(2, cores)


workers = int(os.environ.get("GUNICORN_WORKERS", workers_for(_cores())))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "0"))
# gunicorn's maximum (its default is 4094). The app refuses URLs over REQUEST_URL_MAX_BYTES (4096)
# as a JSON 414; only a request line past this one gets gunicorn's own HTML 414.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "8190"))
accesslog = None  # the app logs one line per request itself (config.api.middleware)
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# /metrics sums every worker: prometheus_client's multiprocess mode keeps each worker's samples
# in files under PROMETHEUS_MULTIPROC_DIR. Each running gunicorn gets a folder of its own under the
# configured one (`<PROMETHEUS_MULTIPROC_DIR>/gunicorn-<master pid>-<random>`), made in on_starting and
# handed to its workers through the environment, so two instances on one host (whatever their bind
# settings) never read, sum or wipe each other's samples, and a restart starts from zero. The
# master holds a lock on the folder for its life (its workers inherit it); on_exit removes the
# folder, and a later start removes only folders whose lock nobody holds (left by a killed master).
# GUNICORN_METRICS_BASE keeps the configured folder for a master re-executed by USR2, which
# inherits the old master's PROMETHEUS_MULTIPROC_DIR (its instance folder).
_metrics_base = Path(
    os.environ.get("GUNICORN_METRICS_BASE")
    or os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    or Path(tempfile.gettempdir()) / "api-metrics"
)
_METRICS_LOCK = ".lock"
_metrics_folder: Path | None = None  # this master's, while it runs
_metrics_lock = None  # its lock file, open (and locked) while it runs


def _unused(folder: Path) -> bool:
    """No running gunicorn (master or worker) holds the folder's lock."""
    try:
        with open(folder / _METRICS_LOCK) as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
    except OSError:  # held (BlockingIOError), or no lock file: leave the folder alone
        return False


def on_starting(server):
    global _metrics_folder, _metrics_lock
    _metrics_base.mkdir(parents=True, exist_ok=True)
    for folder in _metrics_base.glob("gunicorn-*"):
        if folder.is_dir() and _unused(folder):
            shutil.rmtree(folder, ignore_errors=True)
    # Locked before it gets the name a sweep looks for, so no sweep ever sees it unlocked.
    starting = Path(tempfile.mkdtemp(prefix=".starting-", dir=_metrics_base))
    _metrics_lock = open(starting / _METRICS_LOCK, "w")  # noqa: SIM115 - held until the master exits
    fcntl.flock(_metrics_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    _metrics_folder = _metrics_base / f"gunicorn-{os.getpid()}-{starting.name.removeprefix('.starting-')}"
    starting.rename(_metrics_folder)
    # The workers are forked after this and inherit it.
    os.environ.update(GUNICORN_METRICS_BASE=str(_metrics_base), PROMETHEUS_MULTIPROC_DIR=str(_metrics_folder))


def on_exit(server):
    if _metrics_folder is not None and _metrics_lock is not None:
        shutil.rmtree(_metrics_folder, ignore_errors=True)
        _metrics_lock.close()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
