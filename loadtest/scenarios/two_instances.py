"""Two instances, one state: two gunicorn servers sharing one PostgreSQL and one Redis agree exactly.

Run from the repository root, with PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379:

    .venv/bin/python -m loadtest.scenarios.two_instances

It creates a fresh database (`two_instances` unless --database), migrates it, creates an admin
and a user, starts two servers with the production settings on ports 8511 and 8512 (one Redis
database, one key prefix: what two instances behind a load balancer share) and checks, through
HTTP only:

- rate limits are shared: a login limit of N per username allows exactly N attempts in total
  when the attempts alternate between the instances;
- a product written through one instance is served fresh by the other on the very next read
  (list, detail, search; the ETag changes; a delete is a 404 there at once);
- an `Idempotency-Key` replayed on the other instance returns the same answer, marked replayed,
  and creates nothing;
- 200 concurrent `POST /sprockets/` split across both leave the factory's counter at exactly 200
  and its chart with one point per change, each one step up;
- a post created on one instance is in the author's cached list on the other at once.

Exit status 0 only if every check holds; each prints one line.
"""

import argparse
import sys
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from loadtest import server as harness

LOGIN_LIMIT = 5  # per username; per hour, so no window boundary falls inside the check
CONCURRENT_SPROCKETS = 200


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="two_instances")
    parser.add_argument("--redis-db", type=int, default=8)
    parser.add_argument("--ports", type=int, nargs=2, default=[8511, 8512])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    return parser.parse_args()


def check_rate_limit_is_shared(check: harness.Checks, ports: list[int]) -> None:
    victim = f"nobody-{uuid.uuid4().hex[:8]}"
    statuses = [
        harness.send(
            ports[attempt % 2], "POST", "/api/v1/auth/login/", body={"username": victim, "password": "wrong"}
        ).status
        for attempt in range(2 * LOGIN_LIMIT)
    ]
    counts = Counter(statuses)
    allowed = len(statuses) - counts[429]
    holds = allowed == LOGIN_LIMIT and statuses[:LOGIN_LIMIT] == [401] * LOGIN_LIMIT
    check("rate limit shared", holds, f"limit {LOGIN_LIMIT}/username, alternating instances: {statuses}")


def check_product_fresh_on_other_instance(check: harness.Checks, ports: list[int], admin: list[str]) -> None:
    a, b = ports
    sku = f"TWO-{uuid.uuid4().hex[:10]}"
    created = harness.send(
        a, "POST", "/api/v1/products/", token=admin[0], body={"name": "Alpha gadget", "price": "9.50", "sku": sku}
    )
    if created.status != 201:
        check("product fresh", False, f"create answered {created.status}: {created.body[:200]!r}")
        return
    product_id = created.json()["id"]
    reads = {
        "list": "/api/v1/products/?ordering=-created_at",
        "detail": f"/api/v1/products/{product_id}/",
        "search": f"/api/v1/products/?search={sku}",
    }
    before = {kind: harness.send(b, "GET", path) for kind, path in reads.items()}  # now cached on b
    renamed = harness.send(a, "PATCH", reads["detail"], token=admin[1], body={"name": "Omega gadget"})
    after = {kind: harness.send(b, "GET", path) for kind, path in reads.items()}
    problems = []
    for kind in reads:
        if "Alpha gadget" not in before[kind].body.decode():
            problems.append(f"{kind} before the write lacks the product")
        if after[kind].status != 200 or "Omega gadget" not in after[kind].body.decode():
            problems.append(f"{kind} on the other instance is stale ({after[kind].status})")
        if before[kind].headers.get("etag") == after[kind].headers.get("etag"):
            problems.append(f"{kind} ETag unchanged")
    deleted = harness.send(a, "DELETE", reads["detail"], token=admin[0])
    gone = harness.send(b, "GET", reads["detail"])
    if renamed.status != 200 or deleted.status != 204 or gone.status != 404:
        problems.append(f"patch {renamed.status}, delete {deleted.status}, then detail on the other {gone.status}")
    check(
        "product fresh",
        not problems,
        "; ".join(problems) or "list, detail and search fresh; ETags changed; 404 after delete",
    )


def new_factory(port: int, token: str, name: str) -> int:
    answer = harness.send(
        port, "POST", "/api/v1/factories/", token=token, body={"name": name, "sprocket_production_goal": 500}
    )
    if answer.status != 201:
        raise RuntimeError(f"factory create answered {answer.status}: {answer.body[:200]!r}")
    return int(answer.json()["id"])


def new_sprocket_type(port: int, token: str) -> int:
    body = {
        "name": "Two-instance type",
        "teeth": 20,
        "pitch_diameter": "80.000",
        "outside_diameter": "90.000",
        "pitch": "12.700",
    }
    answer = harness.send(port, "POST", "/api/v1/sprocket-types/", token=token, body=body)
    if answer.status != 201:
        raise RuntimeError(f"sprocket type create answered {answer.status}: {answer.body[:200]!r}")
    return int(answer.json()["id"])


def sprocket_count(port: int, token: str, factory: int) -> int:
    return int(
        harness.send(port, "GET", f"/api/v1/sprockets/?factory={factory}&page_size=1", token=token).json()["count"]
    )


def check_idempotency_across_instances(
    check: harness.Checks, ports: list[int], user: list[str], kinds: dict[str, int]
) -> None:
    a, b = ports
    key = uuid.uuid4().hex
    body = {"name": "Replayed", "factory": kinds["idempotency factory"], "sprocket_type": kinds["type"]}
    first = harness.send(a, "POST", "/api/v1/sprockets/", token=user[0], body=body, headers={"Idempotency-Key": key})
    replay = harness.send(b, "POST", "/api/v1/sprockets/", token=user[1], body=body, headers={"Idempotency-Key": key})
    count = sprocket_count(a, user[0], kinds["idempotency factory"])
    holds = (
        first.status == 201
        and replay.status == first.status
        and replay.json() == first.json()
        and replay.headers.get("idempotent-replayed") == "true"
        and count == 1
    )
    check(
        "idempotency across instances",
        holds,
        f"first {first.status}, replay on the other {replay.status} "
        f"(replayed: {replay.headers.get('idempotent-replayed')}, same JSON: {replay.json() == first.json()}); "
        f"sprockets created: {count}",
    )


def check_concurrent_creates(check: harness.Checks, ports: list[int], user: list[str], kinds: dict[str, int]) -> None:
    factory = kinds["busy factory"]

    def create(n: int) -> int:
        body = {"name": f"Concurrent {n}", "factory": factory, "sprocket_type": kinds["type"]}
        return harness.send(ports[n % 2], "POST", "/api/v1/sprockets/", token=user[n % 2], body=body).status

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = Counter(pool.map(create, range(CONCURRENT_SPROCKETS)))
    detail = harness.send(ports[0], "GET", f"/api/v1/factories/{factory}/", token=user[0]).json()
    chart = harness.send(ports[1], "GET", f"/api/v1/factories/{factory}/chart/", token=user[1]).json()
    actuals = chart["sprocket_production_actual"]
    steps_ok = actuals == list(range(CONCURRENT_SPROCKETS + 1))
    holds = (
        statuses == Counter({201: CONCURRENT_SPROCKETS})
        and detail["sprocket_production_actual"] == CONCURRENT_SPROCKETS
        and sprocket_count(ports[1], user[1], factory) == CONCURRENT_SPROCKETS
        and steps_ok
    )
    check(
        "concurrent creates on both",
        holds,
        f"answers {dict(statuses)}; counter {detail['sprocket_production_actual']}; chart points {len(actuals)} "
        f"({'0..200, one step each' if steps_ok else 'NOT one step each'})",
    )


def check_post_in_cached_list_on_other(check: harness.Checks, ports: list[int], user: list[str]) -> None:
    a, b = ports
    cached_before = harness.send(b, "GET", "/api/v1/posts/", token=user[1])  # fills b's cache entry for this list
    created = harness.send(a, "POST", "/api/v1/posts/", token=user[0], body={"text": f"from instance a {uuid.uuid4()}"})
    listed = harness.send(b, "GET", "/api/v1/posts/", token=user[1])
    post_id = created.json().get("id") if created.status == 201 else None
    ids = [post["id"] for post in listed.json()["results"]] if listed.status == 200 else []
    holds = cached_before.status == 200 and post_id is not None and post_id in ids
    check("post in the other's cached list", holds, f"create {created.status}; listed on the other: {post_id in ids}")


def main() -> int:
    args = parse_args()
    env = harness.machine_stack(
        "two-instances",
        args,
        RATE_LIMIT_ENABLED="true",
        RATE_LIMIT_AUTH_USERNAME=f"{LOGIN_LIMIT}/h",
        RATE_LIMIT_AUTH_IP="100000/m",
        RATE_LIMIT_USER="100000/m",
        RATE_LIMIT_ANON="100000/m",
    )
    people = {name: {"username": name, "password": password} for name, password in harness.create_people("two").items()}
    harness.disconnect_django()

    check = harness.Checks()
    log_dir = Path(tempfile.mkdtemp(prefix="two-instances-"))
    with ExitStack() as stack:
        for port in args.ports:
            log = stack.enter_context(open(log_dir / f"gunicorn-{port}.log", "w"))
            stack.enter_context(harness.live_gunicorn(env, port=port, log=log))
        print(f"two instances on ports {args.ports}, one database and one Redis; logs in {log_dir}")
        admin = [harness.access_token(port, **people["two-admin"]) for port in args.ports]
        user = [harness.access_token(port, **people["two-user"]) for port in args.ports]
        kinds = {
            "type": new_sprocket_type(args.ports[0], admin[0]),
            "idempotency factory": new_factory(args.ports[1], admin[1], "Idempotency works"),
            "busy factory": new_factory(args.ports[0], admin[0], "Busy works"),
        }
        checks: list[Callable[[], Any]] = [
            lambda: check_rate_limit_is_shared(check, args.ports),
            lambda: check_product_fresh_on_other_instance(check, args.ports, admin),
            lambda: check_idempotency_across_instances(check, args.ports, user, kinds),
            lambda: check_concurrent_creates(check, args.ports, user, kinds),
            lambda: check_post_in_cached_list_on_other(check, args.ports, user),
        ]
        for run in checks:
            run()
    print("two instances: " + (f"FAILED ({', '.join(check.failures)})" if check.failures else "passed"))
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
