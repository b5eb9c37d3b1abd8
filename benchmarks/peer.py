"""The predecessor beside ours: give it our products and a user, and check that it serves them.

The predecessor is the FastAPI product-catalog service this one replaces
(github.com/gowthamnssbe-del/fastapi-assessment), started by hand from its own clone and its own
virtualenv, never vendored here (docs/PERFORMANCE.md, "Against the predecessor", says how). It
creates its tables (`products`, `users`) when it starts, in its own database. This script, run
from our repository root with our virtualenv:

    .venv/bin/python -m benchmarks.peer --url http://127.0.0.1:8700 --database peer \
        --redis-db 9 --from-database perf_small

1. copies our living products (`catalog_product` of --from-database: the same ids, names,
   descriptions, prices, stock, categories, SKUs and timestamps) into its `products` table, by
   SQL, replacing what was there, unless it already holds exactly that set of ids;
2. empties its Redis db (--redis-db, its `REDIS_URL`'s db): its cached lists would predate the copy;
3. (re)creates the benchmark user through its own API (`POST /api/v1/auth/register`, after deleting
   an earlier one by SQL, so its password is a fresh random one), logs in and reads `/auth/me`;
4. checks that its products list counts as many products as ours, and that a product of ours is
   its product too.

`benchmarks.suite --peer URL --peer-database peer --peer-redis-db 9` calls `prepare` itself, so this
command is only needed to look at the predecessor alone. Exit status 1 if a check fails.
"""

import argparse
import http.client
import json
import secrets
import sys
import urllib.parse
from dataclasses import dataclass
from typing import Any

PEER_USER = "bench-peer-user"
ONE_OF_EACH = "Aa1"  # what its password rule wants, whatever the random part holds
COLUMNS = ("id", "name", "description", "price", "stock", "category", "sku", "created_at", "updated_at", "is_deleted")


@dataclass
class Peer:
    """A predecessor ready to be measured: its base URL, an access token, and its product count."""

    url: str
    token: str
    products: int


def _connect(database: str) -> Any:
    import psycopg

    return psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}", autocommit=True)


def request(
    url: str, method: str, path: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """One request to the peer on a fresh connection: (status, parsed JSON or None)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        raw = answer.read()
    finally:
        conn.close()
    try:
        return answer.status, json.loads(raw) if raw else None
    except ValueError:
        return answer.status, None


def copy_products(*, source: str, database: str) -> int:
    """Our living products into the peer's `products` table (replacing its rows); how many were copied."""
    with _connect(source) as ours, _connect(database) as theirs:
        have = theirs.execute("SELECT to_regclass('products') IS NOT NULL").fetchone()
        if not have or not have[0]:
            raise SystemExit(f"no table `products` in {database}: start the predecessor first (it creates its tables)")
        wanted = ours.execute(
            "SELECT count(*), md5(string_agg(id::text, ',' ORDER BY id::text)) FROM catalog_product "
            "WHERE deleted_at IS NULL"
        ).fetchone()
        held = theirs.execute(
            "SELECT count(*), md5(string_agg(id, ',' ORDER BY id)) FROM products WHERE NOT is_deleted"
        ).fetchone()
        if wanted == held:
            return 0
        theirs.execute("TRUNCATE products")
        # Its timestamps are naive UTC (SQLAlchemy `DateTime`, `datetime.utcnow`); ours are aware.
        rows = ours.execute(
            "SELECT id::text, name, description, price, stock, category, sku, "
            "created_at AT TIME ZONE 'UTC', updated_at AT TIME ZONE 'UTC', false "
            "FROM catalog_product WHERE deleted_at IS NULL"
        )
        copied = 0
        with theirs.cursor().copy(f"COPY products ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                copied += 1
        theirs.execute("ANALYZE products")
        return copied


def empty_cache(redis_db: int) -> None:
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=redis_db).flushdb()


def fresh_user(url: str, database: str) -> str:
    """The benchmark user, registered anew through the peer's API with a random password: an access token."""
    with _connect(database) as conn:
        conn.execute("DELETE FROM users WHERE username = %s", [PEER_USER])
    # Its rule: 8+ characters with an upper-case letter, a lower-case letter and a digit.
    password = secrets.token_urlsafe(16) + ONE_OF_EACH
    body = {"email": f"{PEER_USER}@example.com", "username": PEER_USER, "password": password}
    json_headers = {"Content-Type": "application/json"}
    status, answer = request(url, "POST", "/api/v1/auth/register", body=json.dumps(body).encode(), headers=json_headers)
    if status != 201:
        raise SystemExit(f"the predecessor's register answered {status}: {answer}")
    login = json.dumps({"username": PEER_USER, "password": password}).encode()
    status, answer = request(url, "POST", "/api/v1/auth/login/json", body=login, headers=json_headers)
    if status != 200 or not isinstance(answer, dict):
        raise SystemExit(f"the predecessor's login answered {status}: {answer}")
    return str(answer["access_token"])


def check(url: str, token: str, *, source: str) -> list[str]:
    """What does not hold: the peer's count and a product of ours, and its `/auth/me`."""
    problems = []
    with _connect(source) as ours:
        row = ours.execute("SELECT count(*), min(id::text) FROM catalog_product WHERE deleted_at IS NULL").fetchone()
    count, some_id = row if row else (0, "")
    status, answer = request(url, "GET", "/api/v1/products?page_size=1")
    total = answer.get("total") if status == 200 and isinstance(answer, dict) else None
    if total != count:
        problems.append(f"its products list counts {total} (status {status}), ours {count}")
    status, answer = request(url, "GET", f"/api/v1/products/{some_id}")
    if status != 200:
        problems.append(f"our product {some_id} is its {status}")
    status, answer = request(url, "GET", "/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    if status != 200 or not isinstance(answer, dict) or answer.get("username") != PEER_USER:
        problems.append(f"its /auth/me answered {status}: {answer}")
    return problems


def prepare(url: str, *, database: str, redis_db: int, source: str) -> Peer:
    """Copy (if needed), empty its cache, a fresh user, the checks: the peer ready to be measured."""
    url = url.rstrip("/")
    status, _ = request(url, "GET", "/health")
    if status != 200:
        raise SystemExit(f"the predecessor at {url} answered {status} on /health")
    copied = copy_products(source=source, database=database)
    print(f"[peer] {copied:,} products copied from {source}" if copied else "[peer] already holds our products")
    empty_cache(redis_db)
    token = fresh_user(url, database)
    problems = check(url, token, source=source)
    if problems:
        raise SystemExit("the predecessor is not ready: " + "; ".join(problems))
    with _connect(database) as conn:
        row = conn.execute("SELECT count(*) FROM products WHERE NOT is_deleted").fetchone()
    return Peer(url=url, token=token, products=int(row[0]) if row else 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the predecessor's base URL, e.g. http://127.0.0.1:8700")
    parser.add_argument("--database", default="peer", help="its PostgreSQL database on 127.0.0.1:5432 (default peer)")
    parser.add_argument("--redis-db", type=int, default=9, help="its Redis db on 127.0.0.1:6379 (default 9)")
    parser.add_argument("--from-database", default="perf_small", help="our seeded database (default perf_small)")
    args = parser.parse_args()
    peer = prepare(args.url, database=args.database, redis_db=args.redis_db, source=args.from_database)
    print(f"[peer] ok: {peer.url} serves our {peer.products:,} products; its user {PEER_USER} logs in")
    return 0


if __name__ == "__main__":
    sys.exit(main())
