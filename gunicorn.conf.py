"""gunicorn settings, read from the environment. `gunicorn config.wsgi` uses the production settings."""

import os
import shutil
import tempfile
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", (os.cpu_count() or 1) * 2 + 1))
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
# in files under this directory. It is emptied at start so a restart does not inherit old counts.
# The default directory is per bind address, so two local servers never wipe each other's samples.
_default_metrics_dir = Path(tempfile.gettempdir()) / ("api-metrics-" + "".join(c if c.isalnum() else "_" for c in bind))
_metrics_dir = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(_default_metrics_dir)))


def on_starting(server):
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    _metrics_dir.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
