"""Operations: health, readiness, metrics, request ids, docs, management commands, settings (API.md)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.models import Account, Role, User
from accounts.services import user_set_role
from tests.accounts.factories import AdminFactory
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent

UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:6399/0",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }
}


# --- health and readiness -----------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/health/", "/health"])
def test_health(api_client, path):
    response = api_client.get(path)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_ignores_a_bad_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer garbage")

    assert api_client.get("/health/").status_code == 200


def test_ready(api_client):
    response = api_client.get("/ready/")

    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


@override_settings(CACHES=UNREACHABLE_REDIS, DJANGO_REDIS_IGNORE_EXCEPTIONS=True)
def test_ready_is_503_when_the_cache_is_unreachable(api_client):
    response = api_client.get("/ready/")

    assert response.status_code == 503, response.content
    body = response.json()
    assert body["checks"] == {"database": "ok", "cache": "error"}
    assert body["status"] != "ok"


@override_settings(CACHES=UNREACHABLE_REDIS, DJANGO_REDIS_IGNORE_EXCEPTIONS=False)
def test_ready_is_503_when_the_cache_raises(api_client):
    response = api_client.get("/ready/")

    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "error"


@override_settings(CACHES=UNREACHABLE_REDIS, DJANGO_REDIS_IGNORE_EXCEPTIONS=True)
def test_ready_for_a_load_balancer_checks_the_database_only(api_client):
    # Without Redis the service still answers (more slowly): its instances must stay in service.
    response = api_client.get("/ready/", {"checks": "database"})

    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_ready_runs_the_checks_named(api_client):
    assert api_client.get("/ready/", {"checks": "cache"}).json()["checks"] == {"cache": "ok"}
    assert api_client.get("/ready/", {"checks": "cache, database,cache"}).json()["checks"] == {
        "cache": "ok",
        "database": "ok",
    }
    assert api_client.get("/ready/", {"checks": ""}).json()["checks"] == {"database": "ok", "cache": "ok"}


@pytest.mark.parametrize("value", ["redis", "database,disk", ",", " "])
def test_an_unknown_readiness_check_is_a_400_naming_the_choices(api_client, value):
    response = api_client.get("/ready/", {"checks": value})

    assert_error_shape(response, 400, attr="checks")
    assert "database, cache" in response.json()["errors"][0]["detail"]


@override_settings(CACHES=UNREACHABLE_REDIS, DJANGO_REDIS_IGNORE_EXCEPTIONS=True)
def test_health_does_not_touch_the_cache(api_client):
    assert api_client.get("/health/").status_code == 200


# --- metrics ----------------------------------------------------------------------------------
def test_metrics_is_prometheus_text(api_client):
    api_client.get("/health/")

    response = api_client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "django_http_requests_total_by_view_transport_method" in text
    assert "django_http_requests_latency_seconds_by_view_method" in text
    assert "django_http_responses_total_by_status" in text


@override_settings(METRICS_TOKEN="metrics-secret-token")
def test_metrics_needs_the_token_when_set(api_client):
    assert_error_shape(api_client.get("/metrics"), 401)
    api_client.credentials(HTTP_AUTHORIZATION="Bearer wrong-token")
    assert_error_shape(api_client.get("/metrics"), 401)

    api_client.credentials(HTTP_AUTHORIZATION="Bearer metrics-secret-token")
    response = api_client.get("/metrics")

    assert response.status_code == 200
    assert "django_http_requests_total_by_view_transport_method" in response.content.decode()


@override_settings(METRICS_TOKEN="", METRICS_TOKEN_REQUIRED=True)
@pytest.mark.parametrize("authorization", [None, "", "Bearer ", "Bearer", "Bearer wrong-token"])
def test_metrics_is_never_public_when_a_token_is_required(api_client, authorization):
    # Production requires METRICS_TOKEN (start-up and check --deploy fail without it); should a
    # process run anyway with none, no header at all, nor an empty bearer, opens /metrics.
    if authorization is not None:
        api_client.credentials(HTTP_AUTHORIZATION=authorization)

    response = api_client.get("/metrics")

    assert_error_shape(response, 401, code="not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_metrics_other_methods_are_a_json_405(api_client, method):
    # Not Django's HTML CSRF page: the operations routes answer in the error shape too.
    response = getattr(api_client, method)("/metrics")

    assert_error_shape(response, 405, code="method_not_allowed")


# --- request id -------------------------------------------------------------------------------
def test_every_answer_has_a_request_id(api_client):
    for path in ("/health/", "/api/v1/auth/me/", "/api/v1/nope/"):
        assert len(api_client.get(path)["X-Request-ID"]) >= 8


def test_request_ids_differ(api_client):
    assert api_client.get("/health/")["X-Request-ID"] != api_client.get("/health/")["X-Request-ID"]


def test_a_sane_client_request_id_is_echoed(api_client):
    response = api_client.get("/health/", HTTP_X_REQUEST_ID="client-id_123.abc")

    assert response["X-Request-ID"] == "client-id_123.abc"


@pytest.mark.parametrize("bad", ["has spaces", "x" * 200, "new\\nline", "<script>"])
def test_an_insane_client_request_id_is_replaced(api_client, bad):
    response = api_client.get("/health/", HTTP_X_REQUEST_ID=bad)

    assert response["X-Request-ID"]
    assert response["X-Request-ID"] != bad


# --- OpenAPI and docs ---------------------------------------------------------------------------
def test_schema_builds_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/auth/login/" in schema["paths"]


def test_schema_declares_the_bearer_scheme(api_client):
    response = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    schema = response.json() if response["Content-Type"].startswith("application/json") else None
    if schema is None:
        schema = yaml.safe_load(response.content)
    schemes = schema["components"]["securitySchemes"]
    bearer = [scheme for scheme in schemes.values() if scheme.get("scheme") == "bearer"]
    assert bearer, schemes
    assert bearer[0]["type"] == "http"
    assert bearer[0].get("bearerFormat") == "JWT"
    # Protected operations name it, so Swagger's Authorize button sends the token.
    me = schema["paths"]["/api/v1/auth/me/"]["get"]
    names = {name for requirement in me["security"] for name in requirement}
    assert names & set(schemes)


def test_schema_is_served_as_json_and_yaml_even_with_a_stale_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer garbage")

    as_json = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    as_yaml = api_client.get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi")

    assert as_json.status_code == 200
    assert as_yaml.status_code == 200
    assert json.loads(as_json.content) == yaml.safe_load(as_yaml.content)


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/", "/api/v1/docs", "/api/v1/redoc"])
def test_docs_are_self_hosted(api_client, path):
    response = api_client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    for cdn in ("cdn.jsdelivr", "unpkg", "cdnjs", "googleapis"):
        assert cdn not in html
    # Swagger UI from the sidecar's static files; ReDoc's bundle is the sidecar's too, served by
    # config.api.schema.redoc_bundle without the footer logo it would fetch from cdn.redoc.ly.
    assert ("/api/v1/redoc/redoc.standalone.js" if "redoc" in path else "drf_spectacular_sidecar") in html


def test_the_redoc_bundle_is_the_sidecar_s_with_only_its_cdn_logo_replaced(api_client):
    from django.contrib.staticfiles import finders

    found = finders.find("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js")
    assert isinstance(found, str)
    sidecar = Path(found).read_bytes()
    response = api_client.get("/api/v1/redoc/redoc.standalone.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert b"cdn.redoc.ly" in sidecar
    assert b"cdn.redoc.ly" not in response.content
    assert response.content.replace(b"data:image/svg+xml,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27/%3E", b"") == (
        sidecar.replace(b"https://cdn.redoc.ly/redoc/logo-mini.svg", b"")
    )


PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.staticfiles.ManifestOrPlainStaticFilesStorage"},
}


@pytest.mark.parametrize(
    ("path", "script"),
    [
        ("/api/v1/docs/", "/static/"),
        ("/api/v1/redoc/", "/api/v1/redoc/redoc.standalone.js"),  # the sidecar's bundle, through a view
        ("/admin/login/", "/static/"),
    ],
)
def test_pages_render_with_production_storage_before_collectstatic(api_client, tmp_path, path, script):
    # `gunicorn config.wsgi` straight from a checkout has no manifest: the pages must still load.
    with override_settings(STORAGES=PRODUCTION_STORAGES, STATIC_ROOT=tmp_path):
        response = api_client.get(path)
        assert response.status_code == 200
        assert script in response.content.decode()
        if not script.startswith("/static/"):
            assert api_client.get(script).status_code == 200


def test_production_storage_uses_the_manifest_once_collected(tmp_path):
    from django.contrib.staticfiles.storage import staticfiles_storage

    manifest = {"version": "1.1", "hash": "x", "paths": {"admin/css/base.css": "admin/css/base.0123abcd.css"}}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))

    with override_settings(STORAGES=PRODUCTION_STORAGES, STATIC_ROOT=tmp_path):
        assert staticfiles_storage.url("admin/css/base.css").endswith("admin/css/base.0123abcd.css")
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            staticfiles_storage.url("admin/css/not-collected.css")


def test_swagger_assets_are_served(api_client):
    html = api_client.get("/api/v1/docs/").content.decode()
    asset = html.split('src="', 2)[1].split('"', 1)[0] if 'src="' in html else None
    assert asset

    response = api_client.get(asset)

    assert response.status_code == 200


# --- management commands ------------------------------------------------------------------------
def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    first = (User.objects.count(), Account.objects.count())

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115

    assert (User.objects.count(), Account.objects.count()) == first
    assert User.objects.filter(role=Role.ADMIN).exists()
    assert User.objects.filter(role=Role.USER).exists()
    admin = User.objects.get(username="admin")
    assert admin.is_staff


def test_seed_demo_users_can_sign_in(api_client):
    from accounts.demo import DEMO_ADMIN, DEMO_USER

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115

    for credentials in (DEMO_ADMIN, DEMO_USER):
        response = api_client.post(
            "/api/v1/auth/login/", {"username": credentials["username"], "password": credentials["password"]}
        )
        assert response.status_code == 200, response.content


def test_createsuperuser_noinput_makes_an_admin(monkeypatch, api_client):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-Strong-root-passphrase-1")

    call_command("createsuperuser", "--noinput", stdout=open(os.devnull, "w"))  # noqa: SIM115

    root = User.objects.get(username="root")
    assert root.role == Role.ADMIN
    assert root.is_staff
    assert root.is_superuser
    login = api_client.post("/api/v1/auth/login/", {"username": "root", "password": "a-Strong-root-passphrase-1"})
    assert login.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}")
    assert api_client.get("/api/v1/auth/me/").json()["role"] == "admin"
    assert api_client.get("/api/v1/users/").status_code == 200


def test_createsuperuser_stores_the_email_as_given(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Root.Person@Example.COM")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-Strong-root-passphrase-1")

    call_command("createsuperuser", "--noinput", stdout=open(os.devnull, "w"))  # noqa: SIM115

    assert User.objects.get(username="root").email == "Root.Person@Example.COM"


@pytest.mark.parametrize(
    ("username", "email", "message"),
    [("ROOT", "new@example.com", "username"), ("new-root", "ROOT@example.com", "email")],
)
def test_createsuperuser_refuses_a_taken_username_or_email_cleanly(monkeypatch, username, email, message):
    AdminFactory.create(username="root", email="root@example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", username)
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", email)
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-Strong-root-passphrase-1")

    with pytest.raises(CommandError, match=f"A user with this {message} already exists"):
        call_command("createsuperuser", "--noinput", stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_admin_site_lets_an_admin_in(client, admin_user):
    client.force_login(admin_user)

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/accounts/account/").status_code == 200


def test_admin_site_keeps_a_plain_user_out(client, user):
    client.force_login(user)

    response = client.get("/admin/accounts/account/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_demoted_admin_loses_the_admin_site(client, admin_user):
    other_admin = AdminFactory.create()
    user_set_role(actor=other_admin, user=admin_user, role=Role.USER)
    client.force_login(admin_user)

    assert client.get("/admin/accounts/account/").status_code == 302


# --- settings -----------------------------------------------------------------------------------
def _python(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Python in a fresh process at the project's root, with only `env`: settings are read anew."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return _python("manage.py", *args, env=env)


def _production_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", "DJANGO_ALLOWED_HOSTS": "api.example.com"})
    env.update(extra)
    return env


@pytest.mark.django_db(databases=[])
def test_check_deploy_is_clean_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=_production_env(DJANGO_SECRET_KEY=secrets.token_urlsafe(64), METRICS_TOKEN=secrets.token_urlsafe(32)),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr + result.stdout


@pytest.mark.django_db(databases=[])
def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env=_production_env())

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db(databases=[])
@pytest.mark.parametrize("token", [None, "", "   "])
def test_check_deploy_fails_without_a_metrics_token(token):
    extra = {} if token is None else {"METRICS_TOKEN": token}
    result = _manage("check", "--deploy", env=_production_env(DJANGO_SECRET_KEY=secrets.token_urlsafe(64), **extra))

    assert result.returncode != 0
    assert "api.E001" in result.stderr
    assert "METRICS_TOKEN" in result.stderr


@pytest.mark.django_db(databases=[])
def test_check_deploy_warns_about_a_short_metrics_token():
    env = _production_env(DJANGO_SECRET_KEY=secrets.token_urlsafe(64), METRICS_TOKEN="short")

    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "api.W002" in result.stderr


@pytest.mark.django_db(databases=[])
@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi"])
def test_production_refuses_to_start_without_a_metrics_token(module):
    # What gunicorn does first: import the WSGI application. It must fail, naming the variable,
    # rather than serve /metrics to anyone.
    result = _python("-c", f"import {module}", env=_production_env(DJANGO_SECRET_KEY=secrets.token_urlsafe(64)))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "METRICS_TOKEN" in result.stderr


@pytest.mark.django_db(databases=[])
def test_production_starts_with_a_metrics_token():
    env = _production_env(DJANGO_SECRET_KEY=secrets.token_urlsafe(64), METRICS_TOKEN=secrets.token_urlsafe(32))
    result = _python("-c", "import config.wsgi", env=env)

    assert result.returncode == 0, result.stderr


def test_other_settings_do_not_require_a_metrics_token():
    # Local and test runs keep /metrics open without a token (their default); only production requires one.
    from django.core.checks import run_checks

    assert not [error for error in run_checks(include_deployment_checks=True) if (error.id or "").startswith("api.")]


def test_test_settings_defaults():
    assert settings.SIMPLE_JWT["ROTATE_REFRESH_TOKENS"] is True
    assert settings.SIMPLE_JWT["BLACKLIST_AFTER_ROTATION"] is True
    assert settings.APPEND_SLASH is False
    assert settings.REST_FRAMEWORK["COERCE_DECIMAL_TO_STRING"] is True
