"""Schema fuzzing: schemathesis against the OpenAPI document, as an ordinary user and as an admin.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, Redis on 127.0.0.1:6379):

    .venv/bin/python -m loadtest.scenarios.fuzz                    # the gate: fixed seed, deterministic
    .venv/bin/python -m loadtest.scenarios.fuzz --max-time 60      # quicker
    .venv/bin/python -m loadtest.scenarios.fuzz --explore --max-time 600   # make fuzz-explore: new random cases
    .venv/bin/python -m loadtest.scenarios.fuzz --role admin --seed 1234   # repeat a reported run

Two modes. The **gate** (the default, what `.ci/run` runs) draws the same cases every time
(`--seed GATE_SEED` and schemathesis's `--generation-deterministic`): a landing fails only on what
it changed, never on an old defect a random draw happened to reach that day. **Explore**
(`--explore`, `make fuzz-explore`) draws new random cases for as long as it is given; each
failure it finds becomes a regression test (in tests/) before it is fixed, so the gate keeps it.

What it does (gunicorn is always stopped at the end, on an error too):

1. drops and creates the PostgreSQL database `fuzz`, empties Redis db 12, migrates, loads the
   demo data (`seed_demo`) and creates three users with random passwords: `fuzz-user` (role
   user), `fuzz-admin` (admin) and `fuzz-keeper` (a second admin the run never signs in as);
2. starts `gunicorn config.wsgi -c gunicorn.conf.py` with the production settings, 2 workers,
   on a free port in 8300-8399 of 127.0.0.1, rate limits off, access tokens valid for 60 min;
3. signs both fuzz users in through `POST /api/v1/auth/login/`;
4. runs `schemathesis run` over every operation of `/api/v1/schema/`, once per role with that
   role's bearer token, all four phases (examples, coverage, fuzzing, stateful), checks
   not_a_server_error, status_code_conformance, content_type_conformance,
   response_schema_conformance and negative_data_rejection, bounded by --max-examples and
   --max-time per role;
5. prints operations, test cases and failures per role and exits 1 if any role failed.

The fuzzing admin may demote, deactivate or delete itself (the service answers 403/401 then,
as it must). So that the rest of its run still tests as an admin, `fuzz_hooks.py` puts the
fuzzing user back (role, active, not deleted) after any 401, or any 403 for the admin, by
writing to the database directly; its token then works again. Nothing is excluded.
Reports (JUnit XML, NDJSON events, with a reproduction of each failure) go to --report-dir.
"""

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from loadtest.server import BASE_DIR, live_gunicorn, manage, recreate_database

# The gate's seed: fixed, so that every landing is fuzzed with the same cases.
GATE_SEED = 20261206
BIN_DIR = Path(sys.executable).parent  # the virtualenv this script runs in holds gunicorn, schemathesis
HOST = "127.0.0.1"
PORTS = range(8300, 8400)
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
]
PHASES = ["examples", "coverage", "fuzzing", "stateful"]
ROLES = ("user", "admin")


def free_port() -> int:
    for port in PORTS:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def server_environment(port: int, *, database: str, redis_db: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "fuzz-" + secrets.token_urlsafe(48),
        "METRICS_TOKEN": secrets.token_urlsafe(32),  # production refuses to start without one
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "RATE_LIMIT_ENABLED": "false",
        "ACCESS_TOKEN_MINUTES": "60",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
        "GUNICORN_BIND": f"{HOST}:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_TIMEOUT": "60",
        "LOG_LEVEL": "WARNING",
    }


def reset_stores(env: dict[str, str], database: str) -> None:
    import redis

    recreate_database(database)
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()


SEED_USERS = """
import os
from accounts.models import Role, User
for username, role in (("fuzz-user", Role.USER), ("fuzz-admin", Role.ADMIN), ("fuzz-keeper", Role.ADMIN)):
    user = User(username=username, email=f"{username}@example.com", role=role)
    user.set_password(os.environ["FUZZ_PASSWORD"])
    user.save()
"""


def seed(env: dict[str, str], password: str) -> None:
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"], ["shell", "-c", SEED_USERS]):
        manage({**env, "FUZZ_PASSWORD": password}, *command, timeout=180)


def request_json(url: str, body: dict | None = None, timeout: float = 10) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310 - loopback only
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def login(base: str, username: str, password: str) -> tuple[str, str]:
    status, body = request_json(f"{base}/api/v1/auth/login/", {"username": username, "password": password})
    if status != 200:
        raise RuntimeError(f"login as {username} failed: {status} {body!r}")
    _, me = request_json_auth(f"{base}/api/v1/auth/me/", body["access"])
    return body["access"], me["id"]


def request_json_auth(url: str, token: str) -> tuple[int, Any]:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(req, timeout=10) as response:  # noqa: S310 - loopback only
        return response.status, json.loads(response.read())


def summarise(ndjson: Path) -> dict[str, int]:
    """Operations, test cases and failures from schemathesis' NDJSON event stream."""
    operations: set[str] = set()
    cases = 0
    failing_cases: set[str] = set()
    failures: set[tuple[str, str, str]] = set()
    errors = 0
    for line in ndjson.read_text().splitlines():
        event = json.loads(line)
        kind, payload = next(iter(event.items()))
        if kind == "ScenarioFinished":
            recorder = payload.get("recorder") or {}
            label = recorder.get("label", "")
            if label and label != "Stateful tests":
                operations.add(label)
            cases += len(recorder.get("cases") or {})
            for case_id, checks in (recorder.get("checks") or {}).items():
                for check in checks:
                    if check.get("status") == "failure":
                        failure = (check.get("failure_info") or {}).get("failure") or {}
                        failing_cases.add(case_id)
                        failures.add(
                            (failure.get("operation", label), failure.get("code", ""), failure.get("title", ""))
                        )
        elif kind == "NonFatalError":
            errors += 1
    return {
        "operations": len(operations),
        "test_cases": cases,
        "failing_cases": len(failing_cases),
        "failures": len(failures),
        "errors": errors,
    }


def fuzz(role: str, base: str, token: str, user_id: str, args: argparse.Namespace, env: dict[str, str]) -> int:
    report_dir = Path(args.report_dir) / role
    report_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(BIN_DIR / "schemathesis"),
        "--config-file",
        str(Path(__file__).with_name("schemathesis.toml")),
        "run",
        f"{base}/api/v1/schema/",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        ",".join(PHASES),
        "--max-examples",
        str(args.max_examples),
        "--max-time",
        str(args.max_time),
        "--workers",
        str(args.workers),
        "--header",
        f"Authorization: Bearer {token}",
        "--request-timeout",
        "30",
        "--report",
        "junit,ndjson",
        "--report-dir",
        str(report_dir),
        "--report-ndjson-path",
        str(report_dir / "events.ndjson"),
        "--report-junit-path",
        str(report_dir / "junit.xml"),
        "--no-color",
    ]
    if args.seed is not None:
        command += ["--seed", str(args.seed)]
    elif not args.explore:
        command += ["--seed", str(GATE_SEED)]
    if args.explore:
        command += ["--generation-database", "none"]  # no replay of earlier failures: new cases only
    else:
        command += ["--generation-deterministic"]  # implies no database (schemathesis refuses both)
    hooks_env = {
        **env,
        "SCHEMATHESIS_HOOKS": "loadtest.scenarios.fuzz_hooks",
        "PYTHONPATH": str(BASE_DIR),
        "FUZZ_ROLE": role,
        "FUZZ_USER_ID": user_id,
        "FUZZ_DATABASE_URL": env["DATABASE_URL"],
    }
    totals = run_schemathesis(role, command, hooks_env, report_dir, args)
    if totals["failures"] == 0 and totals["errors"] > 0:
        # An error is schemathesis failing in itself (e.g. CPython 3.11.7's AST recursion bug,
        # python/cpython#106905, inside hypothesis), not an answer of the API: run the role once
        # more, so a flaky tool error passes and one that repeats (a schema it cannot read) fails.
        print(f"\n{role}: schemathesis raised {totals['errors']} error(s) of its own; running the role once more")
        totals = run_schemathesis(role, command, hooks_env, report_dir, args)
    args.totals[role] = totals
    return 0 if totals["exit_code"] == 0 and totals["failures"] == 0 and totals["errors"] == 0 else 1


def run_schemathesis(
    role: str, command: list[str], hooks_env: dict[str, str], report_dir: Path, args: argparse.Namespace
) -> dict[str, int]:
    print(f"\n== schemathesis as {role} ==", flush=True)
    started = time.monotonic()
    # cwd: schemathesis keeps its crash cache (.schemathesis/) there, out of the work tree.
    completed = subprocess.run(command, cwd=report_dir, env=hooks_env, timeout=args.max_time + 600, check=False)  # noqa: S603
    totals = summarise(report_dir / "events.ndjson")
    totals["exit_code"] = completed.returncode
    totals["seconds"] = round(time.monotonic() - started)
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", choices=[*ROLES, "both"], default="both")
    parser.add_argument("--max-time", type=int, default=150, help="seconds of fuzzing per role (default 150)")
    parser.add_argument("--max-examples", type=int, default=50, help="test cases per operation and phase")
    parser.add_argument("--workers", type=int, default=2, help="schemathesis workers (default 2)")
    parser.add_argument("--seed", type=int, help=f"schemathesis seed, to repeat a run (the gate's: {GATE_SEED})")
    parser.add_argument(
        "--explore", action="store_true", help="random cases (a new seed, not deterministic): look for new failures"
    )
    parser.add_argument("--database", default="fuzz", help="PostgreSQL database, dropped and created")
    parser.add_argument("--redis-db", type=int, default=12, help="Redis database, flushed")
    parser.add_argument("--report-dir", default=str(Path(tempfile.gettempdir()) / "fuzz-report"))
    args = parser.parse_args()
    args.totals = {}

    port = free_port()
    env = server_environment(port, database=args.database, redis_db=args.redis_db)
    base = f"http://{HOST}:{port}"
    password = secrets.token_urlsafe(24)
    reset_stores(env, args.database)
    seed(env, password)

    failed = 0
    with live_gunicorn(env, port=port):
        roles = ROLES if args.role == "both" else (args.role,)
        for role in roles:
            token, user_id = login(base, f"fuzz-{role}", password)
            failed |= fuzz(role, base, token, user_id, args, env)

    print("\n== schema fuzzing totals ==")
    for role, totals in args.totals.items():
        print(
            f"{role:>5}: {totals['operations']} operations, {totals['test_cases']} test cases, "
            f"{totals['failures']} distinct failures ({totals['failing_cases']} failing cases), "
            f"{totals['errors']} errors "
            f"(schemathesis exit {totals['exit_code']}, {totals['seconds']} s)"
        )
    print(f"reports: {args.report_dir}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
