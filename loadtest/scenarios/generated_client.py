"""A generated client works: openapi-python-client, fed the live schema, talks to a real gunicorn.

Run from the repository root, with PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379:

    .venv/bin/python -m loadtest.scenarios.generated_client

It creates a fresh database (`generated_client` unless --database), migrates it, adds two
products, starts gunicorn with the production settings on port 8531, fetches
`/api/v1/schema/?format=json` from it, runs `openapi-python-client generate` into a temporary
directory and imports the package it wrote. With that package only, it registers a user, logs
in, lists the products, creates an account, sends a message from it and reads the message back.
One line per step; the exit status is non-zero if any step fails (the rest are then skipped).
"""

import argparse
import importlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from loadtest import server as harness

GENERATOR = Path(sys.executable).parent / "openapi-python-client"  # the virtualenv running the script
PACKAGE = "service_client"
PRODUCTS = [("Chain breaker tool", "49.99", "GC-TOOL-1"), ("Roller chain 1/2 inch", "12.50", "GC-CHAIN-1")]


class StepFailed(Exception):
    pass


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="generated_client", help="PostgreSQL database, dropped and created")
    parser.add_argument("--redis-db", type=int, default=10)
    parser.add_argument("--port", type=int, default=8531)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    return parser.parse_args()


def add_products() -> None:
    from catalog import services

    for name, price, sku in PRODUCTS:
        services.product_create(name=name, price=Decimal(price), sku=sku, stock=5)


def fetch_schema(port: int, path: Path) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/api/v1/schema/?format=json"
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read()
    path.write_bytes(body)
    return dict(json.loads(body))


def generate(schema: Path, out: Path) -> str:
    """Runs the generator; its output (warnings included) if it succeeded."""
    done = subprocess.run(  # noqa: S603 - fixed command line
        [str(GENERATOR), "generate", "--path", str(schema), "--meta", "none", "--output-path", str(out / PACKAGE)],
        cwd=out,
        # The generator formats its output with ruff, found on PATH: the virtualenv's own, also
        # when the script is run as .venv/bin/python without an activated virtualenv (CI).
        env={**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0 or not (out / PACKAGE / "__init__.py").exists():
        raise StepFailed(f"exit {done.returncode}: {output[-500:]}")
    return output


def load_package(directory: Path) -> None:
    """Import the generated package from `directory` (its submodules then import by name)."""
    spec = importlib.util.spec_from_file_location(
        directory.name, directory / "__init__.py", submodule_search_locations=[str(directory)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"no package in {directory}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[directory.name] = module
    spec.loader.exec_module(module)


def expect(response: Any, status: int, what: str) -> Any:
    """The parsed body of a generated client's `sync_detailed` answer, if it has the expected status."""
    if response.status_code != status or response.parsed is None:
        raise StepFailed(f"{what} answered {int(response.status_code)}: {response.content[:300]!r}")
    return response.parsed


class Walkthrough:
    """The steps a newcomer's first script takes, each through the generated package only."""

    def __init__(self, package: str, base_url: str) -> None:
        self.package = package
        self.api = lambda tag, operation: importlib.import_module(f"{package}.api.{tag}.{operation}")
        self.models = importlib.import_module(f"{package}.models")
        client = importlib.import_module(package)
        self.anonymous = client.Client(base_url=base_url, raise_on_unexpected_status=True)
        self.authenticated_client = lambda token: client.AuthenticatedClient(base_url=base_url, token=token)
        self.username = f"newcomer-{uuid.uuid4().hex[:8]}"
        self.password = f"first-{uuid.uuid4().hex}"
        self.state: dict[str, Any] = {}

    def register(self) -> str:
        body = self.models.RegisterRequest(
            email=f"{self.username}@example.com", username=self.username, password=self.password, first_name="New"
        )
        answer = self.api("auth", "auth_register_create").sync_detailed(client=self.anonymous, body=body)
        registered = expect(answer, 201, "register")
        if registered.user.username != self.username or registered.user.role.value != "user":
            raise StepFailed(f"registered {registered.user.username!r} with role {registered.user.role!r}")
        return f"201, user {registered.user.id} with role {registered.user.role.value}"

    def login(self) -> str:
        body = self.models.LoginRequest(username=self.username, password=self.password)
        answer = self.api("auth", "auth_login_create").sync_detailed(client=self.anonymous, body=body)
        tokens = expect(answer, 200, "login")
        if tokens.token_type != "Bearer" or not tokens.access:
            raise StepFailed(f"token type {tokens.token_type!r}")
        self.state["client"] = self.authenticated_client(tokens.access)
        return f"200, a {tokens.token_type} token for {tokens.expires_in} s"

    def list_products(self) -> str:
        page = expect(
            self.api("products", "products_list").sync_detailed(client=self.state["client"], ordering="name"),
            200,
            "product list",
        )
        names = [product.name for product in page.results]
        if page.count != len(PRODUCTS) or names != sorted(name for name, _, _ in PRODUCTS):
            raise StepFailed(f"count {page.count}, names {names}")
        return f"200, {page.count} products: " + ", ".join(f"{p.name} ({p.price})" for p in page.results)

    def create_account(self) -> str:
        body = self.models.AccountRequest(name="Savings", currency="eur", balance="250.00")
        account = expect(
            self.api("accounts", "accounts_create").sync_detailed(client=self.state["client"], body=body),
            201,
            "account create",
        )
        if account.currency != "EUR" or account.balance != "250.00":
            raise StepFailed(f"currency {account.currency!r}, balance {account.balance!r}")
        self.state["account"] = account
        return f"201, account {account.id} ({account.name}, {account.balance} {account.currency})"

    def send_message(self) -> str:
        body = self.models.MessageRequest(
            account=self.state["account"].id,
            sender_number="(415) 555-0123",
            receiver_number="+44 20 7946 0958",
            body="Hello from a generated client.",
        )
        message = expect(
            self.api("messages", "messages_create").sync_detailed(
                client=self.state["client"], body=body, idempotency_key=uuid.uuid4().hex
            ),
            201,
            "message create",
        )
        if message.sender_number != "+14155550123" or message.account != self.state["account"].id:
            raise StepFailed(f"sender {message.sender_number!r}, account {message.account}")
        self.state["message"] = message
        return f"201, message {message.id} from {message.sender_number} to {message.receiver_number}"

    def read_message(self) -> str:
        sent = self.state["message"]
        message = expect(
            self.api("messages", "messages_retrieve").sync_detailed(client=self.state["client"], id=sent.id),
            200,
            "message read",
        )
        listed = expect(
            self.api("messages", "accounts_messages_list").sync_detailed(
                client=self.state["client"], account_id=str(self.state["account"].id)
            ),
            200,
            "account's messages",
        )
        if message.body != sent.body or [m.id for m in listed.results] != [sent.id]:
            raise StepFailed(f"body {message.body!r}; the account lists {[m.id for m in listed.results]}")
        return f"200, {message.body!r}; the account's messages list it alone"


def main() -> int:
    args = parse_args()
    env = harness.machine_stack("generated-client", args)
    add_products()
    harness.disconnect_django()

    check = harness.Checks()
    work = Path(tempfile.mkdtemp(prefix="generated-client-"))
    with open(work / "gunicorn.log", "w") as log, harness.live_gunicorn(env, port=args.port, log=log):
        print(f"gunicorn on port {args.port}; generated client and log in {work}", flush=True)
        try:
            schema = fetch_schema(args.port, work / "schema.json")
            operations = sum(len(methods) for methods in schema["paths"].values())
            check("schema", True, f"{operations} operations, tags {', '.join(t['name'] for t in schema['tags'])}")
            output = generate(work / "schema.json", work)
            warnings = [line for line in output.splitlines() if "warning" in line.lower()]
            check("generate", not warnings, "; ".join(warnings) or f"package {PACKAGE} written, no warnings")
            load_package(work / PACKAGE)
            walkthrough = Walkthrough(PACKAGE, f"http://127.0.0.1:{args.port}")
            modules = sorted(p.name for p in (work / PACKAGE / "api").iterdir() if p.is_dir())
            check("import", True, f"{PACKAGE}.api modules: {', '.join(modules)}")
        except Exception as exc:
            check("client", False, f"{type(exc).__name__}: {exc}")
            return 1
        steps: list[tuple[str, Callable[[], str]]] = [
            ("register", walkthrough.register),
            ("login", walkthrough.login),
            ("list products", walkthrough.list_products),
            ("create account", walkthrough.create_account),
            ("send message", walkthrough.send_message),
            ("read message back", walkthrough.read_message),
        ]
        for name, step in steps:
            try:
                check(name, True, step())
            except Exception as exc:
                check(name, False, f"{type(exc).__name__}: {exc}")
                break
    print("generated client: " + (f"FAILED ({', '.join(check.failures)})" if check.failures else "passed"))
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
