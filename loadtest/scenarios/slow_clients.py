"""Slow clients against the production topology: Debian's nginx (deploy/nginx/nginx.conf) in front of gunicorn.

Run from the repository root as root (nginx's workers drop to `nobody`), with PostgreSQL on
127.0.0.1:5432 and Redis on 127.0.0.1:6379, and nginx installed (apt-get install nginx):

    .venv/bin/python -m loadtest.scenarios.slow_clients

A sync gunicorn worker serves one connection at a time and waits on a client that sends its
request slowly until gunicorn's timeout (30 s): one such client per worker takes an instance
down. The script creates a fresh database (`slow_clients` unless --database), starts gunicorn with
the production settings and `--workers` workers, then nginx with deploy/nginx/nginx.conf, its
`upstream api` server and its `listen` port substituted, and checks:

- through nginx, (workers + 2) connections that send their headers and 1 byte of a 100-byte body,
  then one more byte every few seconds (so nginx's 10 s body timeout never fires), are held for
  `--duration` seconds while `/health/` and `/api/v1/products/` are polled: every answer is a 200
  within 1 s, and the slow connections are still open at the end;
- a connection that sends 1 byte of its body and then nothing is closed by nginx within its
  client_body_timeout (10 s) plus a margin;
- a declared body over the app's 8 MiB limit is refused by nginx with the app's JSON 413;
- a client's `X-Forwarded-Proto: https` does not reach Django through nginx (no HSTS header).

Then, as evidence only (printed, not asserted), the same slow connections sent to gunicorn
directly: `/health/` stops answering while they are held.

Exit status 0 only if every check holds; each prints one line.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from loadtest import server as harness

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_CONF = harness.BASE_DIR / "deploy" / "nginx" / "nginx.conf"
READS = ("/health/", "/api/v1/products/")
LATENCY_LIMIT = 1.0  # seconds, for every polled answer through the proxy
BODY_TIMEOUT = 10  # nginx.conf's client_body_timeout
TRICKLE_EVERY = 4.0  # seconds between two bytes of a held slow body (under BODY_TIMEOUT)
SLOW_BODY_LENGTH = 100


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="slow_clients")
    parser.add_argument("--redis-db", type=int, default=11)
    parser.add_argument("--port", type=int, default=8541, help="gunicorn")
    parser.add_argument("--proxy-port", type=int, default=8542, help="nginx")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--duration", type=float, default=15, help="seconds the slow connections are held")
    parser.add_argument("--skip-direct", action="store_true", help="skip the unasserted run without the proxy")
    return parser.parse_args()


def proxy_configuration(*, upstream_port: int, listen_port: int) -> str:
    """nginx.conf with its one upstream server and its one listen port replaced (each must occur exactly once)."""
    text = NGINX_CONF.read_text()
    text, upstreams = re.subn(
        r"(upstream api \{\s*server )[^;\s]+;", rf"\g<1>127.0.0.1:{upstream_port};", text, flags=re.MULTILINE
    )
    text, listens = re.subn(r"^(\s*listen )\S+;", rf"\g<1>127.0.0.1:{listen_port};", text, flags=re.MULTILINE)
    if (upstreams, listens) != (1, 1):
        raise SystemExit(
            f"{NGINX_CONF}: expected one `upstream api {{ server ...; }}` and one `listen`, "
            f"found {upstreams} and {listens}"
        )
    return text


@contextmanager
def live_nginx(workdir: Path, *, upstream_port: int, listen_port: int) -> Iterator[subprocess.Popen]:
    """Debian's nginx in the foreground, prefix `workdir` (its pid file and temp folders live there)."""
    workdir.mkdir(parents=True, exist_ok=True)
    workdir.chmod(0o755)  # nginx's workers (nobody when started by root) use the temp folders in it
    conf = workdir / "nginx.conf"
    conf.write_text(proxy_configuration(upstream_port=upstream_port, listen_port=listen_port))
    log = open(workdir / "nginx.log", "w")  # noqa: SIM115 - closed below
    command = [NGINX, "-p", str(workdir), "-c", str(conf), "-e", "stderr", "-g", "daemon off;"]
    subprocess.run([*command, "-t", "-q"], check=True, stdout=log, stderr=subprocess.STDOUT, timeout=30)  # noqa: S603
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # noqa: S603
    try:
        harness.wait_for(lambda: poll(listen_port, "/health/", timeout=2)[0] == 200, what=f"nginx on {listen_port}")
        yield process
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGQUIT)  # graceful stop of the master and its workers
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


def poll(port: int, path: str, *, timeout: float) -> tuple[int, float]:
    """(status, seconds) of one GET on a fresh connection; status 0 when it failed or timed out."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    except OSError:
        return 0, time.monotonic() - started
    finally:
        conn.close()


class SlowClient:
    """One connection that sends a login's headers and 1 byte of its 100-byte body, then waits."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sent = 0
        head = (
            f"POST /api/v1/auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {SLOW_BODY_LENGTH}\r\n\r\n"
        )
        self.sock.sendall(head.encode() + b"{")
        self.sent = 1

    def trickle(self) -> bool:
        """One more byte of the body (never the last one); False if the connection is gone."""
        if self.sent >= SLOW_BODY_LENGTH - 1:
            return self.is_open()
        try:
            self.sock.sendall(b" ")
        except OSError:
            return False
        self.sent += 1
        return True

    def is_open(self) -> bool:
        """No answer and no close from the other side so far."""
        self.sock.setblocking(False)
        try:
            self.sock.recv(1, socket.MSG_PEEK)  # b"" (closed) or an answer: not held any more
            return False
        except BlockingIOError:
            return True
        except OSError:
            return False
        finally:
            self.sock.setblocking(True)

    def close(self) -> None:
        with suppress(OSError):
            self.sock.close()


@contextmanager
def slow_clients(port: int, count: int, *, trickle: bool) -> Iterator[list[SlowClient]]:
    clients = [SlowClient(port) for _ in range(count)]
    stop = threading.Event()

    def keep_sending() -> None:
        while not stop.wait(TRICKLE_EVERY):
            for client in clients:
                client.trickle()

    sender = threading.Thread(target=keep_sending, daemon=True)
    if trickle:
        sender.start()
    try:
        yield clients
    finally:
        stop.set()
        if trickle:
            sender.join(timeout=10)
        for client in clients:
            client.close()


def poll_for(port: int, duration: float, *, timeout: float) -> list[tuple[str, int, float]]:
    """Poll every path of READS in turn for `duration` seconds: (path, status, seconds) each."""
    answers = []
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        for path in READS:
            answers.append((path, *poll(port, path, timeout=timeout)))
        time.sleep(0.2)
    return answers


def describe(answers: list[tuple[str, int, float]]) -> str:
    statuses = sorted({status for _, status, _ in answers})
    slowest = max((seconds for _, _, seconds in answers), default=0.0)
    return f"{len(answers)} answers, statuses {statuses}, slowest {slowest:.3f} s"


def check_through_proxy(check: harness.Checks, args: argparse.Namespace) -> None:
    count = args.workers + 2
    with slow_clients(args.proxy_port, count, trickle=True) as held:
        time.sleep(0.5)  # nginx has read their headers and the first byte
        answers = poll_for(args.proxy_port, args.duration, timeout=5)
        still_open = sum(client.is_open() for client in held)
    fast = all(status == 200 and seconds < LATENCY_LIMIT for _, status, seconds in answers)
    check(
        "reads answer through the proxy while slow clients are held",
        fast and bool(answers),
        f"{count} slow bodies held {args.duration:.0f} s against {args.workers} workers; {describe(answers)}",
    )
    check(
        "the slow connections were held throughout",
        still_open == count,
        f"{still_open} of {count} still open after {args.duration:.0f} s (1 byte every {TRICKLE_EVERY:.0f} s)",
    )


def check_stalled_body_is_cut(check: harness.Checks, args: argparse.Namespace) -> None:
    with slow_clients(args.proxy_port, 1, trickle=False) as (client,):
        try:
            seconds = harness.wait_for(
                lambda: not client.is_open(), what="nginx closing a stalled body", timeout=BODY_TIMEOUT + 5
            )
            check(
                "a stalled body is cut by nginx",
                True,
                f"closed after {seconds:.1f} s (client_body_timeout {BODY_TIMEOUT} s)",
            )
        except TimeoutError as error:
            check("a stalled body is cut by nginx", False, str(error))


def check_body_limit(check: harness.Checks, args: argparse.Namespace) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", args.proxy_port, timeout=10)
    try:
        conn.putrequest("POST", "/api/v1/auth/login/")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(8 * 1024 * 1024 + 1))
        conn.endheaders()
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    try:
        code = json.loads(body)["errors"][0]["code"]
    except (ValueError, KeyError, IndexError, TypeError):
        code = f"not the error format: {body[:80]!r}"
    check(
        "a body over 8 MiB is the JSON 413 at the proxy",
        response.status == 413 and code == "payload_too_large",
        f"{response.status} {code}",
    )


def check_forwarded_proto_is_the_proxy_s(check: harness.Checks, args: argparse.Namespace) -> None:
    """A client's `X-Forwarded-Proto: https` does not reach Django through nginx (HSTS is sent only on HTTPS)."""

    def hsts(port: int) -> str | None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/health/", headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https"})
            response = conn.getresponse()
            response.read()
            return response.getheader("Strict-Transport-Security")
        finally:
            conn.close()

    through_proxy, direct = hsts(args.proxy_port), hsts(args.port)
    check(
        "X-Forwarded-Proto is set by the proxy, not the client",
        through_proxy is None,
        f"a forged `X-Forwarded-Proto: https` through nginx: HSTS {'sent' if through_proxy else 'not sent'} "
        f"(straight to gunicorn, which must not be reachable: {'sent' if direct else 'not sent'})",
    )


def show_without_proxy(args: argparse.Namespace) -> None:
    """Evidence, not a check: the same slow connections straight to gunicorn starve its workers."""
    count = args.workers + 2
    with slow_clients(args.port, count, trickle=True):
        time.sleep(0.5)
        answers = poll_for(args.port, min(args.duration, 6), timeout=2)
    answered = sum(1 for _, status, _ in answers if status == 200)
    print(
        f"info without the proxy: {count} slow bodies straight to gunicorn; {answered} of {len(answers)} polls "
        f"answered within 2 s ({describe(answers)})",
        flush=True,
    )


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="slow-clients-"))
    env = harness.machine_stack(
        "slow-clients",
        args,
        RATE_LIMIT_ENABLED="false",  # the polls are far over the anonymous rate
    )
    harness.create_products("Slow", 5)
    harness.disconnect_django()
    check = harness.Checks()
    with ExitStack() as stack:
        log = stack.enter_context(open(workdir / "gunicorn.log", "w"))
        stack.enter_context(harness.live_gunicorn(env, port=args.port, log=log))
        stack.enter_context(live_nginx(workdir / "nginx", upstream_port=args.port, listen_port=args.proxy_port))
        print(
            f"slow clients: gunicorn ({args.workers} workers) on {args.port}, nginx on {args.proxy_port}; "
            f"logs in {workdir}",
            flush=True,
        )
        check_through_proxy(check, args)
        check_stalled_body_is_cut(check, args)
        check_body_limit(check, args)
        check_forwarded_proto_is_the_proxy_s(check, args)
        if not args.skip_direct:
            show_without_proxy(args)
    print("slow clients: " + (f"FAILED ({', '.join(check.failures)})" if check.failures else "passed"))
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
