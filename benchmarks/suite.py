"""The benchmark suite: the production stack at a data scale, measured from outside with wrk.

Run from the repository root, with PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379:

    .venv/bin/python -m benchmarks.suite --scales small,large              # docs/PERFORMANCE.md's run
    .venv/bin/python -m benchmarks.suite --scales tiny --duration 2 --rounds 1   # CI smoke (~1 min)

For each scale it (re)creates the database `perf_<scale>` (--database-prefix; kept with --reuse if already seeded),
migrates it and fills it with `manage.py seed_demo --scale <scale>`, starts gunicorn with the
production settings on PostgreSQL + Redis (rate limits off) and, on the next port, a bare WSGI
hello app (benchmarks/hello_wsgi.py) on the same gunicorn config: the floor. Every scale's
servers stay up side by side. Then it drives every endpoint below with wrk over loopback
(benchmarks/suite.lua: authenticated, and for a cache miss a new query every request), in
interleaved rounds (round 1 runs every endpoint once on each scale in turn, then round 2 ...),
so that the load of the other engineers on this shared machine spreads over all the endpoints
and both scales alike: "large vs small" compares one moment with itself. Each row is the median
over the rounds of req/s, p50 and p99.

A "miss" varies a filter the list understands by a tiny amount (`min_price=0.000<round><n>`), so
every request is a new cache key over practically all rows (and its count); unknown parameters
would not do it (they are no longer part of the key). "1 connection" is a single client: its p50
is the latency of one request alone.

With --peer URL it compares ours with the predecessor started by hand at URL (docs/PERFORMANCE.md,
"Against the predecessor"): one scale, only the reads in COMPARED, each on its own URL and auth on
the other side; benchmarks/peer.py first copies our products into its database and makes its user.
Each round runs every read on ours, then on the peer, so noise hits both; the table is ours / peer
req/s and p99 per read (medians of the rounds), and any non-2xx on either side fails the run.

With --server granian, ours (and the floor app) run under granian (a Rust HTTP server, WSGI
interface, keep-alive; harness.live_granian) with the same worker count instead of gunicorn: a
measurement of the server alone, not how the service is deployed (docs/PERFORMANCE.md says why).

It prints Markdown (machine, command, one table per scale, the targets met or not) and writes
it to --output; with --update-doc it also replaces the generated part of that document, between
`<!-- suite:begin -->` and `<!-- suite:end -->` (`<!-- peer:begin -->` ... with --peer). The raw
numbers go to --json. Exit status 1 if any request answered other than 2xx or wrk saw socket
errors (the targets only inform).
"""

import argparse
import json
import os
import platform
import random
import secrets
import statistics
import sys
import tempfile
import time
import urllib.parse
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loadtest import server as harness

LUA = Path(__file__).with_name("suite.lua")
SCALE_USER = "scale-user-0001"


@dataclass
class Endpoint:
    name: str
    requests: Any  # callable(round) -> list of request dicts
    server: str = "app"  # or "hello"
    connections: int | None = None  # None: --connections
    read: bool = True  # compared between scales


@dataclass
class Measure:
    rate: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: dict[str, int]
    socket_errors: int
    distinct: int  # distinct requests in the list (a miss list must not cycle)


@dataclass
class Results:
    scale: str
    rounds: dict[str, list[Measure]] = field(default_factory=dict)

    def median(self, name: str, attribute: str) -> float:
        return statistics.median(getattr(m, attribute) for m in self.rounds[name])


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="small", help="comma-separated: tiny, small, large (default small)")
    parser.add_argument("--duration", type=float, default=10, help="seconds of wrk per endpoint per round (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3); rows are medians")
    parser.add_argument("--warmup", type=float, default=1, help="seconds per endpoint before round 1 (default 1)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent wrk connections (default 8)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (>1: gthread)")
    parser.add_argument(
        "--server",
        choices=["gunicorn", "granian"],
        default="gunicorn",
        help="what serves the API and the floor app: gunicorn.conf.py's gunicorn (default) or granian, same workers",
    )
    parser.add_argument(
        "--port", type=int, default=8640, help="first API port; each scale takes two (its API, its hello app)"
    )
    parser.add_argument("--redis-db", type=int, default=7)
    parser.add_argument("--database-prefix", default="perf_", help="the databases are <prefix><scale>")
    parser.add_argument("--reuse", action="store_true", help="keep perf_<scale> if it is already seeded")
    parser.add_argument("--only", default="", help="comma-separated endpoint names (substrings) to run alone")
    parser.add_argument("--output", type=Path, help="write the Markdown report here")
    parser.add_argument("--update-doc", type=Path, help="replace the generated part of this Markdown document")
    parser.add_argument("--json", type=Path, help="write the raw numbers (every round) here")
    parser.add_argument("--plots", type=Path, help="write PNG charts into this directory (needs matplotlib)")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (default 1)")
    peer = "compare with the predecessor at URL: one scale, the reads in COMPARED (docs/PERFORMANCE.md)"
    parser.add_argument("--peer", metavar="URL", help=peer)
    parser.add_argument("--peer-database", default="peer", help="the predecessor's PostgreSQL database (default peer)")
    parser.add_argument("--peer-redis-db", type=int, default=9, help="the predecessor's Redis db (default 9)")
    args = parser.parse_args()
    if args.peer and "," in args.scales:
        parser.error("--peer compares one scale")
    return args


# --- data and server ---------------------------------------------------------------------------
def database_is_seeded(database: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}", autocommit=True) as conn:
            row = conn.execute("SELECT count(*) FROM accounts_user WHERE username = %s", [SCALE_USER]).fetchone()
    except psycopg.Error:
        return False
    return bool(row and row[0])


def prepare_database(env: dict[str, str], *, scale: str, database: str, reuse: bool, password: str) -> float:
    """Seconds spent seeding (0 when reused)."""
    if reuse and database_is_seeded(database):
        script = (
            f"from accounts.models import User; u = User.objects.get(username={SCALE_USER!r}); "
            f"u.set_password({password!r}); u.save()"
        )
        harness.manage(env, "migrate", "--no-input")  # new migrations (an index) apply to the kept data
        harness.manage(env, "shell", "-c", script)
        print(f"[{scale}] reusing {database}", flush=True)
        return 0.0
    print(f"[{scale}] creating, migrating and seeding {database} ...", flush=True)
    harness.recreate_database(database)
    harness.manage(env, "migrate", "--no-input")
    started = time.monotonic()
    # One argument: a random password may start with "-", which argparse would read as an option.
    harness.manage(env, "seed_demo", "--scale", scale, f"--password={password}", timeout=1800)
    seconds = time.monotonic() - started
    print(f"[{scale}] seeded in {seconds:.0f} s", flush=True)
    return seconds


def fixtures(database: str) -> dict[str, Any]:
    """Ids the requests use: the scale user's account, products, a factory, a sprocket type."""
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}", autocommit=True) as conn:

        def column(sql: str, *params: Any) -> list[Any]:
            return [row[0] for row in conn.execute(sql, list(params)).fetchall()]

        account = column(
            "SELECT a.id FROM accounts_account a JOIN accounts_user u ON u.id = a.owner_id "
            "WHERE u.username = %s ORDER BY a.name LIMIT 1",
            SCALE_USER,
        )[0]
        products = column(
            "SELECT id FROM catalog_product WHERE deleted_at IS NULL ORDER BY sku LIMIT 40000",
        )
        factories = column("SELECT id FROM sprockets_factory WHERE name LIKE 'Scale factory %%' ORDER BY id LIMIT 1")
        types = column("SELECT id FROM sprockets_sprockettype ORDER BY id LIMIT 1")
    return {"account": str(account), "products": [str(p) for p in products], "factory": factories[0], "type": types[0]}


def deep_cursor(port: int, token: str, account: str, pages: int = 25) -> str:
    """The `cursor` of the page `pages` pages deep into the account's messages (or the deepest)."""
    path = f"/api/v1/messages/?account={account}"
    cursor = ""
    for _ in range(pages):
        answer = harness.send(port, "GET", path, token=token)
        following = answer.json().get("next")
        if not following:
            break
        parts = urllib.parse.urlsplit(following)
        path = f"{parts.path}?{parts.query}"
        cursor = urllib.parse.parse_qs(parts.query)["cursor"][0]
    return cursor


WARM_UP_DETAILS = 20


def fixed(path: str, **extra: Any) -> Any:
    """The same request every time: a cache hit after the first."""
    return lambda round_number: [{"path": path, **extra}]


def varying(template: str, count: int, **extra: Any) -> Any:
    """`count` requests, each a new cache key over practically every row: min_price=0.000<round><n>."""

    def build(round_number: int) -> list[dict[str, Any]]:
        return [
            {"path": template.format(min_price=f"0.000{round_number:03d}{n:07d}", n=n), **extra}
            for n in range(1, count + 1)
        ]

    return build


def endpoints(*, token: str, ids: dict[str, Any], cursor: str, misses: int, single: int, rounds: int) -> list[Endpoint]:
    products = ids["products"]

    def chart_misses(round_number: int) -> list[dict[str, Any]]:
        # The list has no numeric filter to vary: 901..1,000 points, each with and without an explicit
        # `ordering=id` (the default order), are 200 keys of about the same cost; rounds start apart.
        keys = [(points, ordering) for points in range(1000, 900, -1) for ordering in ("", "&ordering=id")]
        start = (round_number * 67) % len(keys)
        return [
            {
                "path": f"/api/v1/factories/?with_chart_data=true&page_size=50&chart_points={points}{ordering}",
                **user,
            }
            for points, ordering in keys[start:] + keys[:start]
        ]

    def pages_of_one_filter(round_number: int) -> list[dict[str, Any]]:
        # One filter a round (every row matches), its pages 1..500 (fewer at tiny scale) shuffled, at
        # two page sizes: up to 1,000 keys, each a miss, all sharing one count (cached after the first).
        last = max(1, min(500, len(products) // 20))
        pages = random.Random(round_number).sample(range(1, last + 1), last)  # noqa: S311 - an order, not a secret
        return [
            {"path": f"/api/v1/products/?max_price=999999{round_number:03d}&page_size={size}&page={page}"}
            for size in (20, 19)
            for page in pages
        ]

    def detail_misses(round_number: int) -> list[dict[str, Any]]:
        # The warm-up (round 0) takes the first 20 products; each round a disjoint share of the rest.
        if round_number == 0:
            chosen = products[:WARM_UP_DETAILS]
        else:
            share = max(1, (len(products) - WARM_UP_DETAILS) // rounds)
            start = WARM_UP_DETAILS + (round_number - 1) % rounds * share
            chosen = products[start : start + share]
        return [{"path": f"/api/v1/products/{product}/"} for product in chosen]

    searches = ["steel%20kettle", "hammer%2042", "batch%2099", "vintage", "garden%20hose%201"]
    user = {"token": token}
    account = ids["account"]
    return [
        Endpoint("bare WSGI hello (floor)", fixed("/health/"), server="hello", read=False),
        Endpoint("GET /health/", fixed("/health/"), read=False),
        Endpoint("products list (hit)", fixed("/api/v1/products/?page_size=20")),
        Endpoint("products list (miss)", varying("/api/v1/products/?min_price={min_price}", misses)),
        Endpoint(
            "products list (miss, 1 connection)",
            varying("/api/v1/products/?page_size=20&min_price={min_price}", single),
            connections=1,
        ),
        Endpoint("products list, pages of one filter (miss, 1 connection)", pages_of_one_filter, connections=1),
        Endpoint("products detail (hit)", fixed(f"/api/v1/products/{products[0]}/")),
        Endpoint("products detail (miss)", detail_misses),
        Endpoint("products search (hit)", fixed("/api/v1/products/?search=steel%20kettle")),
        Endpoint(
            "products search (miss)",
            lambda r: [
                {"path": f"/api/v1/products/?search={searches[n % len(searches)]}&min_price=0.000{r:03d}{n:07d}"}
                for n in range(1, misses + 1)
            ],
        ),
        Endpoint("messages of one account (first page)", fixed(f"/api/v1/messages/?account={account}", **user)),
        Endpoint(
            "messages of one account (cursor deep in)",
            fixed(f"/api/v1/messages/?account={account}&cursor={urllib.parse.quote(cursor)}", **user),
        ),
        Endpoint(
            "factories with chart data (50 x 1,000)",
            fixed("/api/v1/factories/?with_chart_data=true&page_size=50&chart_points=1000", **user),
        ),
        Endpoint(
            "factories with chart data (50 x 1,000, 1 connection)",
            fixed("/api/v1/factories/?with_chart_data=true&page_size=50&chart_points=1000", **user),
            connections=1,
        ),
        Endpoint("factories with chart data (50 x 1,000, miss, 1 connection)", chart_misses, connections=1),
        Endpoint("factory chart by hour", fixed(f"/api/v1/factories/{ids['factory']}/chart/?bucket=hour", **user)),
        Endpoint(
            "POST /sprockets/",
            fixed(
                "/api/v1/sprockets/",
                method="POST",
                body=json.dumps({"name": "bench", "factory": ids["factory"], "sprocket_type": ids["type"]}),
                **user,
            ),
            read=False,
        ),
        Endpoint(
            "POST /messages/",
            fixed(
                "/api/v1/messages/",
                method="POST",
                body=json.dumps(
                    {
                        "account": account,
                        "sender_number": "+14155550123",
                        "receiver_number": "+14155550188",
                        "body": "bench",
                    }
                ),
                **user,
            ),
            read=False,
        ),
        Endpoint(
            "POST /posts/",
            fixed("/api/v1/posts/", method="POST", body=json.dumps({"text": "bench"}), **user),
            read=False,
        ),
    ]


# The reads compared with the predecessor (--peer): each row's name, our path and its path for the
# same answer (both at 20 a page; `{product}` is a product both serve, `{min_price}` a new filter
# every request), and the least ours / peer req/s of issue 22's targets. It has no trailing slashes
# (a slash would be a 307) and searches at /products/search?q=; `/auth/me` takes each side's own
# bearer token (ours the scale user's, its user made by benchmarks/peer.py).
COMPARED: list[tuple[str, str, str, float]] = [
    ("GET /health/", "/health/", "/health", 1.3),
    ("products list (hit)", "/api/v1/products/?page_size=20", "/api/v1/products?page_size=20", 2.0),
    ("products detail (hit)", "/api/v1/products/{product}/", "/api/v1/products/{product}", 2.0),
    (
        "products search (hit)",
        "/api/v1/products/?search=steel%20kettle&page_size=20",
        "/api/v1/products/search?q=steel%20kettle&page_size=20",
        2.0,
    ),
    (
        "products list (miss)",
        "/api/v1/products/?page_size=20&min_price={min_price}",
        "/api/v1/products?page_size=20&min_price={min_price}",
        1.5,
    ),
    ("current user (/auth/me/)", "/api/v1/auth/me/", "/api/v1/auth/me", 1.3),
]


def compared_endpoints(*, peer: bool, token: str, product: str, misses: int) -> list[Endpoint]:
    """COMPARED on one side (ours, or the predecessor's with `peer`), in the same order and names."""
    chosen = []
    for name, ours_path, peer_path, _ in COMPARED:
        path = (peer_path if peer else ours_path).replace("{product}", product)
        extra = {"token": token} if "/auth/me" in path else {}
        requests = varying(path, misses, **extra) if "{min_price}" in path else fixed(path, **extra)
        chosen.append(Endpoint(name, requests, read="/health" not in path))
    return chosen


# --- measuring ---------------------------------------------------------------------------------
def run_wrk(
    url: str, requests: list[dict[str, Any]], *, seconds: float, connections: int, work: Path, threads: int = 1
) -> Measure:
    data_file = work / f"data-{secrets.token_hex(4)}.lua"
    data_file.write_text("return " + harness.lua_literal({"requests": requests}) + "\n")
    result = harness.run_wrk(
        LUA,
        url,
        str(data_file),
        threads=threads,  # one wrk thread unless told: the other core is the server's
        connections=connections,
        seconds=seconds,
    )
    data_file.unlink()
    return Measure(
        rate=result.rate,
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        requests=result.requests,
        non_2xx={status: n for status, n in result.statuses.items() if not 200 <= int(status) < 300},
        socket_errors=result.socket_errors,
        distinct=len(requests),
    )


@dataclass
class Stage:
    """One side's servers (a scale of ours, or the predecessor), up for the whole run, and what was measured on them."""

    label: str  # the scale, or "ours" / "peer" with --peer
    urls: dict[str, str]  # Endpoint.server -> base URL
    endpoints: list[Endpoint]
    results: Results
    seeded: float


def chosen_by_only(args: argparse.Namespace, chosen: list[Endpoint]) -> list[Endpoint]:
    wanted = [word.strip() for word in args.only.split(",") if word.strip()]
    return [e for e in chosen if any(word in e.name for word in wanted)] if wanted else chosen


def warm_up(args: argparse.Namespace, stage: Stage, work: Path) -> None:
    """Each endpoint for --warmup seconds: caches, connections, the workers' first requests."""
    for endpoint in stage.endpoints:
        run_wrk(
            stage.urls[endpoint.server],
            endpoint.requests(0),
            seconds=args.warmup,
            connections=endpoint.connections or args.connections,
            work=work,
            threads=args.wrk_threads,
        )


def start_scale(args: argparse.Namespace, scale: str, index: int, stack: ExitStack, work: Path) -> Stage:
    """Seed (or reuse) `perf_<scale>`, start its API and floor app on their own ports, and warm them up.

    With --peer only the API, and only the endpoints compared with the predecessor (COMPARED).
    """
    database = f"{args.database_prefix}{scale}"
    password = secrets.token_urlsafe(16)
    env = harness.machine_environment(
        f"bench-{scale}",
        database,
        args.redis_db,
        workers=args.workers,
        RATE_LIMIT_ENABLED="false",
        ACCESS_TOKEN_MINUTES="600",
        GUNICORN_THREADS=str(args.threads),
    )
    seeded = prepare_database(env, scale=scale, database=database, reuse=args.reuse, password=password)
    ports = {"app": args.port + 2 * index, "hello": args.port + 2 * index + 1}
    stack.enter_context(harness.live_server(args.server, env, port=ports["app"]))
    if not args.peer:
        stack.enter_context(harness.live_server(args.server, env, port=ports["hello"], hello=True))
    token = harness.access_token(ports["app"], SCALE_USER, password)
    ids = fixtures(database)
    # Enough distinct misses that no list cycles within one run of wrk.
    misses = max(2000, int(args.duration * 1500))
    if args.peer:
        chosen = compared_endpoints(peer=False, token=token, product=ids["products"][0], misses=misses)
    else:
        chosen = endpoints(
            token=token,
            ids=ids,
            cursor=deep_cursor(ports["app"], token, ids["account"]),
            misses=misses,
            single=max(500, int(args.duration * 400)),
            rounds=args.rounds,
        )
    urls = {server: f"http://127.0.0.1:{port}" for server, port in ports.items()}
    stage = Stage("ours" if args.peer else scale, urls, chosen_by_only(args, chosen), Results(scale), seeded)
    warm_up(args, stage, work)
    return stage


def start_peer(args: argparse.Namespace, ours: Stage, work: Path) -> Stage:
    """The predecessor at --peer, given our products and its own user (benchmarks/peer.py), warmed up."""
    from benchmarks import peer

    source = f"{args.database_prefix}{ours.results.scale}"
    ready = peer.prepare(args.peer, database=args.peer_database, redis_db=args.peer_redis_db, source=source)
    product = fixtures(source)["products"][0]
    misses = max(2000, int(args.duration * 1500))
    chosen = compared_endpoints(peer=True, token=ready.token, product=product, misses=misses)
    stage = Stage("peer", {"app": ready.url}, chosen_by_only(args, chosen), Results(ours.results.scale), 0.0)
    warm_up(args, stage, work)
    return stage


def measure(args: argparse.Namespace, stages: list[Stage], work: Path) -> None:
    """Every round runs each endpoint on every stage in turn, so drift on the machine hits all alike."""
    for round_number in range(1, args.rounds + 1):
        for position in range(len(stages[0].endpoints)):
            for stage in stages:
                endpoint = stage.endpoints[position]
                result = run_wrk(
                    stage.urls[endpoint.server],
                    endpoint.requests(round_number),
                    seconds=args.duration,
                    connections=endpoint.connections or args.connections,
                    work=work,
                    threads=args.wrk_threads,
                )
                stage.results.rounds.setdefault(endpoint.name, []).append(result)
                flag = f" non-2xx {result.non_2xx}" if result.non_2xx else ""
                print(
                    f"[{stage.label}] round {round_number} {endpoint.name}: {result.rate:.0f} req/s, "
                    f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms{flag}",
                    flush=True,
                )


# --- reporting ---------------------------------------------------------------------------------
def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    try:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres") as conn:
            row = conn.execute("SHOW server_version").fetchone()
            postgres = row[0] if row else "?"
    except Exception:
        postgres = "?"
    try:
        import redis

        info: Any = redis.Redis(host="127.0.0.1", port=6379).info("server")
        redis_version = str(info["redis_version"])
    except Exception:
        redis_version = "?"
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory} RAM, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, PostgreSQL {postgres}, Redis {redis_version}; "
        "wrk and gunicorn on the same machine, over loopback; the machine is shared with other work."
    )


def scale_table(results: Results, seconds_seeding: float) -> str:
    from config.scale_seed import SCALES

    s = SCALES[results.scale]
    lines = [
        f"### Scale `{results.scale}`",
        "",
        f"{s.products:,} products, {s.messages:,} messages over {s.accounts:,} accounts, {s.factories:,} factories "
        f"x {s.chart_entries_per_factory:,} chart entries, {s.sprockets:,} sprockets, {s.posts:,} posts"
        + (f" (seeded in {seconds_seeding:.0f} s)." if seconds_seeding else "."),
        "",
        "| endpoint | req/s | p50 ms | p99 ms | non-2xx |",
        "|---|---:|---:|---:|---:|",
    ]
    cycled = []
    for name, measures in results.rounds.items():
        non_2xx = sum(sum(m.non_2xx.values()) for m in measures)
        # A list of distinct requests (a miss endpoint) that wrk went through more than once: the
        # repeats were cache hits, so the row is not all misses. Said, not hidden.
        repeats = sum(max(0, m.requests - m.distinct) for m in measures if m.distinct > 1)
        if repeats:
            total = sum(m.requests for m in measures)
            cycled.append(f"{name}: {repeats:,} of {total:,} requests ({repeats / total:.0%}) repeated an earlier one")
        lines.append(
            f"| {name}{' (*)' if repeats else ''} | {results.median(name, 'rate'):.0f} | "
            f"{results.median(name, 'p50_ms'):.1f} | {results.median(name, 'p99_ms'):.1f} | {non_2xx} |"
        )
    if cycled:
        lines += ["", "(*) Its list of distinct requests ran out and wrk cycled: " + "; ".join(cycled) + "."]
    return "\n".join(lines)


def targets(all_results: dict[str, Results]) -> str:
    rows: list[tuple[str, str, str, bool]] = []

    def ratio(results: Results, a: str, b: str) -> float | None:
        if a in results.rounds and b in results.rounds:
            return results.median(a, "rate") / results.median(b, "rate")
        return None

    for scale, results in all_results.items():
        checks = [
            ("`/health/` >= 60% of bare WSGI req/s", "GET /health/", "bare WSGI hello (floor)", 0.60),
            ("products list hit >= 85% of `/health/` req/s", "products list (hit)", "GET /health/", 0.85),
            (
                "products list hit >= 30% of bare WSGI req/s (issue 22)",
                "products list (hit)",
                "bare WSGI hello (floor)",
                0.30,
            ),
            ("`POST /sprockets/` >= 50% of `POST /posts/` req/s", "POST /sprockets/", "POST /posts/", 0.50),
        ]
        for label, a, b, goal in checks:
            value = ratio(results, a, b)
            if value is not None:
                rows.append((scale, label, f"{value:.0%}", value >= goal))
        single = "products list (miss, 1 connection)"
        if scale == "small" and single in results.rounds:
            p50 = results.median(single, "p50_ms")
            rows.append((scale, "products list miss, single request p50 <= 8 ms", f"{p50:.1f} ms", p50 <= 8))
        for charts, label in (
            ("factories with chart data (50 x 1,000, 1 connection)", "a cache hit"),
            ("factories with chart data (50 x 1,000, miss, 1 connection)", "a miss"),
        ):
            if scale == "large" and charts in results.rounds:
                p50 = results.median(charts, "p50_ms")
                target = f"factory list with chart data (50 x 1,000), single request p50 <= 60 ms: {label}"
                rows.append((scale, target, f"{p50:.1f} ms", p50 <= 60))
    if "small" in all_results and "large" in all_results:
        small, large = all_results["small"], all_results["large"]
        for name in small.rounds:
            if name in large.rounds and _is_read(name):
                value = large.median(name, "p50_ms") / small.median(name, "p50_ms")
                rows.append(("large / small", f"{name}: p50 large <= 1.3x small", f"{value:.2f}x", value <= 1.3))
    lines = ["| scale | target | measured | met |", "|---|---|---:|---|"]
    lines += [f"| {scale} | {label} | {value} | {'yes' if met else '**no**'} |" for scale, label, value, met in rows]
    return "\n".join(lines)


def peer_table(ours: Results, peer: Results) -> str:
    """Ours / the predecessor's, per read: req/s and p99 (medians of the rounds), and issue 22's target."""
    goals = {name: goal for name, _, _, goal in COMPARED}
    lines = [
        f"### Against the predecessor (scale `{ours.scale}`: the same products on both)",
        "",
        "| read | ours req/s | peer req/s | ours ÷ peer | target | ours p99 ms | peer p99 ms "
        "| p99 ours ÷ peer | non-2xx (ours / peer) |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for name, measures in ours.rounds.items():
        if name not in peer.rounds:
            continue
        rate, peer_rate = ours.median(name, "rate"), peer.median(name, "rate")
        p99, peer_p99 = ours.median(name, "p99_ms"), peer.median(name, "p99_ms")
        ratio = rate / peer_rate if peer_rate else float("inf")
        goal = goals[name]
        met = "met" if ratio >= goal else "**not met**"
        bad = sum(sum(m.non_2xx.values()) + m.socket_errors for m in measures)
        peer_bad = sum(sum(m.non_2xx.values()) + m.socket_errors for m in peer.rounds[name])
        lines.append(
            f"| {name} | {rate:.0f} | {peer_rate:.0f} | {ratio:.2f} | >= {goal:g}: {met} | {p99:.1f} | "
            f"{peer_p99:.1f} | {p99 / peer_p99 if peer_p99 else float('inf'):.2f} | {bad} / {peer_bad} |"
        )
    return "\n".join(lines)


READS_NOT_COMPARED = ("bare WSGI", "/health/", "POST ")


def _is_read(name: str) -> bool:
    return not any(word in name for word in READS_NOT_COMPARED)


def plot(all_results: dict[str, Results], directory: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for metric, label in (
        ("rate", "requests/s (median of rounds)"),
        ("p50_ms", "p50 latency, ms"),
        ("p99_ms", "p99 latency, ms"),
    ):
        figure, axes = plt.subplots(figsize=(10, 6))
        names = list(next(iter(all_results.values())).rounds)
        width = 0.8 / len(all_results)
        for offset, (scale, results) in enumerate(all_results.items()):
            values = [results.median(n, metric) if n in results.rounds else 0 for n in names]
            axes.barh([i + offset * width for i in range(len(names))], values, height=width, label=scale)
        axes.set_yticks([i + width * (len(all_results) - 1) / 2 for i in range(len(names))], names, fontsize=8)
        axes.invert_yaxis()
        axes.set_xlabel(label)
        axes.legend()
        figure.tight_layout()
        path = directory / f"suite-{metric.replace('_ms', '')}.png"
        figure.savefig(path, dpi=90)
        plt.close(figure)
        written.append(path)
    return written


def main() -> int:
    args = parse_args()
    scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")  # for SCALES only
    all_results: dict[str, Results] = {}
    seeding: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="suite-") as work, ExitStack() as stack:
        stages = [start_scale(args, scale, index, stack, Path(work)) for index, scale in enumerate(scales)]
        if args.peer:
            stages.append(start_peer(args, stages[0], Path(work)))
        measure(args, stages, Path(work))
        for stage in stages:
            all_results[stage.label], seeding[stage.label] = stage.results, stage.seeded
    command = "python -m benchmarks.suite " + " ".join(sys.argv[1:])
    if args.peer:
        tables = [peer_table(all_results["ours"], all_results["peer"])]
        setup = f"ours and the predecessor's in turn, {args.workers} {args.server} workers x {args.threads} threads"
    else:
        tables = [*(scale_table(all_results[s], seeding[s]) for s in scales), "### Targets\n\n" + targets(all_results)]
        setup = (
            "and scale, every scale's servers up side by side, "
            f"{args.workers} {args.server} workers x {args.threads} threads"
        )
    report = "\n\n".join(
        [
            f"Machine: {machine()}",
            f"Command: `{command.strip()}` ({args.rounds} interleaved rounds of {args.duration:g} s per endpoint "
            f"{setup}, {args.connections} connections, {args.wrk_threads} wrk thread(s); "
            f"measured {time.strftime('%Y-%m-%d %H:%M %Z')}).",
            *tables,
        ]
    )
    print("\n" + report)
    if args.output:
        args.output.write_text(report + "\n")
    if args.update_doc:
        text = args.update_doc.read_text()
        marker = "peer" if args.peer else "suite"
        begin, end = f"<!-- {marker}:begin -->", f"<!-- {marker}:end -->"
        if begin not in text or end not in text:
            raise SystemExit(f"{args.update_doc} has no {begin} ... {end} section")
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        args.update_doc.write_text(f"{head}{begin}\n{report}\n{end}{tail}")
    if args.json:
        raw = {s: {n: [vars(m) for m in ms] for n, ms in r.rounds.items()} for s, r in all_results.items()}
        args.json.write_text(json.dumps(raw, indent=1) + "\n")
    if args.plots:
        for path in plot(all_results, args.plots):
            print(f"wrote {path}")
    bad = [
        f"{scale}: {name}"
        for scale, results in all_results.items()
        for name, measures in results.rounds.items()
        if any(m.non_2xx or m.socket_errors for m in measures)
    ]
    if bad:
        print(f"FAIL: non-2xx answers or socket errors in {bad}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
