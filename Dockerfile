# syntax=docker/dockerfile:1
# Production image: gunicorn serving config.wsgi with the production settings; whitenoise
# serves the static files collected at build time. PostgreSQL and Redis come from the
# environment (DATABASE_URL, REDIS_URL); see docker-compose.yml and .env.example.

# --- builder: a virtualenv with the pinned runtime requirements ------------------------------
# Every runtime dependency ships manylinux wheels (psycopg[binary], argon2-cffi), so no
# compiler or libpq headers are needed here either.
FROM python:3.11-slim-bookworm AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

RUN python -m venv /opt/venv
COPY requirements/base.txt requirements/prod.txt /tmp/requirements/
RUN /opt/venv/bin/pip install --no-cache-dir -r /tmp/requirements/prod.txt

# --- runtime: the venv and the code, nothing else, run by an unprivileged user -------------
FROM python:3.11-slim-bookworm AS runtime

ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-log-init --no-create-home --home-dir /app app

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
# Code stays owned by root: the app user can read it but not change it.
COPY . .

# The secret key is only there to let the production settings load; it is not kept in the image.
RUN DJANGO_SECRET_KEY=collectstatic-build-only-not-a-secret python manage.py collectstatic --noinput

# prometheus_client's multiprocess mode keeps every worker's samples here (gunicorn.conf.py
# gives each running gunicorn a folder of its own inside it). It must exist and be writable by
# the app user for any process that loads Django, manage.py included. Set after collectstatic
# so the build writes nothing there.
ENV PROMETHEUS_MULTIPROC_DIR=/tmp/api-metrics
RUN mkdir -p "${PROMETHEUS_MULTIPROC_DIR}" \
    && chown app:app "${PROMETHEUS_MULTIPROC_DIR}"

# Numeric, so a runtime that enforces runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001

EXPOSE 8000

# /health/ is exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT). The Host header is the
# first DJANGO_ALLOWED_HOSTS entry, so the probe passes host validation whatever the hosts are.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; h = os.environ.get('DJANGO_ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; r.urlopen(r.Request('http://127.0.0.1:8000/health/', headers={'Host': h}), timeout=4)"]

CMD ["gunicorn", "config.wsgi", "-c", "gunicorn.conf.py"]
