"""A first script with the generated Python client, written the way the client's README shows.

`make client` (loadtest/scenarios/generated_client.py) generates the package `service_client` from
the live schema with openapi-python-client, copies this file beside it, checks both with
`mypy --strict` and runs it against the live server:

    python client_flow.py http://127.0.0.1:8000

An anonymous `Client` checks the health, registers, logs in and reads the public catalog (with its
`ETag` and a 304); an `AuthenticatedClient` with the access token creates an account, sends a
message with an `Idempotency-Key`, sends it again (the stored answer, `Idempotent-Replayed: true`
read from the response headers) and reads it back. One line per step; exit status 1 at the first
step that fails. Outside the repository's type check (the package exists only once generated).
"""

import sys
import uuid
from http import HTTPStatus
from typing import Any, TypeVar

from service_client import AuthenticatedClient, Client
from service_client.api.accounts import accounts_create
from service_client.api.auth import auth_login_create, auth_register_create
from service_client.api.messages import accounts_messages_list, messages_create, messages_retrieve
from service_client.api.operations import health_retrieve
from service_client.api.products import products_list, products_retrieve
from service_client.models import (
    Account,
    AccountRequest,
    Health,
    LoginRequest,
    Message,
    MessageRequest,
    PaginatedMessageList,
    PaginatedProductList,
    Product,
    RegisterRequest,
    RegisterResponse,
    TokenPair,
)
from service_client.types import Response, Unset

T = TypeVar("T")


class FlowFailed(Exception):
    pass


def parsed(response: Response[Any], kind: type[T], status: HTTPStatus, what: str) -> T:
    """The answer's body as `kind`, if it came with `status`."""
    if response.status_code != status or not isinstance(response.parsed, kind):
        raise FlowFailed(f"{what} answered {int(response.status_code)}: {response.content[:300]!r}")
    return response.parsed


class Flow:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
        self.username = f"flow-{uuid.uuid4().hex[:8]}"
        self.password = f"first-{uuid.uuid4().hex}"
        self.signed_in: AuthenticatedClient | None = None
        self.account: Account | None = None
        self.message: Message | None = None

    def client(self) -> AuthenticatedClient:
        if self.signed_in is None:
            raise FlowFailed("not logged in")
        return self.signed_in

    def health(self) -> str:
        health = parsed(health_retrieve.sync_detailed(client=self.anonymous), Health, HTTPStatus.OK, "health")
        return f"200, status {health.status}"

    def register(self) -> str:
        body = RegisterRequest(email=f"{self.username}@example.com", username=self.username, password=self.password)
        answer = auth_register_create.sync_detailed(client=self.anonymous, body=body)
        registered = parsed(answer, RegisterResponse, HTTPStatus.CREATED, "register")
        user = registered.user
        if user.username != self.username or isinstance(user.role, Unset) or user.role.value != "user":
            raise FlowFailed(f"registered {user.username!r} with role {user.role!r}")
        return f"201, user {user.id} with role {user.role.value}"

    def login(self) -> str:
        body = LoginRequest(username=self.username, password=self.password)
        answer = auth_login_create.sync_detailed(client=self.anonymous, body=body)
        tokens = parsed(answer, TokenPair, HTTPStatus.OK, "login")
        self.signed_in = AuthenticatedClient(base_url=self.base_url, token=tokens.access)
        return f"200, a {tokens.token_type} token for {tokens.expires_in} s"

    def products(self) -> str:
        answer = products_list.sync_detailed(client=self.anonymous, ordering="name", page_size=10)
        page = parsed(answer, PaginatedProductList, HTTPStatus.OK, "product list")
        names = [product.name for product in page.results]
        if not names or names != sorted(names):
            raise FlowFailed(f"names {names}")
        first = page.results[0]
        answer = products_retrieve.sync_detailed(first.id, client=self.anonymous)
        product = parsed(answer, Product, HTTPStatus.OK, "product")
        etag = answer.headers.get("ETag")
        if not etag:
            raise FlowFailed("the product's answer has no ETag")
        again = products_retrieve.sync_detailed(first.id, client=self.anonymous, if_none_match=etag)
        if again.status_code != HTTPStatus.NOT_MODIFIED:
            raise FlowFailed(f"If-None-Match answered {int(again.status_code)}")
        return f"200, {page.count} products ({', '.join(names)}); {product.name}: ETag, then 304"

    def create_account(self) -> str:
        body = AccountRequest(name="Savings", currency="eur", balance="250.00")
        answer = accounts_create.sync_detailed(client=self.client(), body=body)
        self.account = parsed(answer, Account, HTTPStatus.CREATED, "account create")
        return f"201, account {self.account.id} ({self.account.balance} {self.account.currency})"

    def send_message(self) -> str:
        if self.account is None:
            raise FlowFailed("no account")
        body = MessageRequest(
            account=self.account.id,
            sender_number="(415) 555-0123",
            receiver_number="+44 20 7946 0958",
            body="Hello from a generated client.",
        )
        key = uuid.uuid4().hex
        first = messages_create.sync_detailed(client=self.client(), body=body, idempotency_key=key)
        self.message = parsed(first, Message, HTTPStatus.CREATED, "message create")
        retried = messages_create.sync_detailed(client=self.client(), body=body, idempotency_key=key)
        replayed = parsed(retried, Message, HTTPStatus.CREATED, "message create, retried")
        if "Idempotent-Replayed" in first.headers or retried.headers.get("Idempotent-Replayed") != "true":
            raise FlowFailed(
                f"Idempotent-Replayed: {first.headers.get('Idempotent-Replayed')!r}, then "
                f"{retried.headers.get('Idempotent-Replayed')!r}"
            )
        if replayed.id != self.message.id:
            raise FlowFailed(f"the retry created {replayed.id}")
        return f"201, message {self.message.id} from {self.message.sender_number}; retried: Idempotent-Replayed: true"

    def read_back(self) -> str:
        if self.account is None or self.message is None:
            raise FlowFailed("no message")
        read = messages_retrieve.sync_detailed(self.message.id, client=self.client())
        message = parsed(read, Message, HTTPStatus.OK, "message read")
        listing = accounts_messages_list.sync_detailed(self.account.id, client=self.client(), page_size=5)
        listed = parsed(listing, PaginatedMessageList, HTTPStatus.OK, "account's messages")
        if message.body != self.message.body or [m.id for m in listed.results] != [self.message.id]:
            raise FlowFailed(f"body {message.body!r}; the account lists {[m.id for m in listed.results]}")
        return f"200, {message.body!r}; the account's messages list it alone"


def main(argv: list[str]) -> int:
    flow = Flow(argv[1] if len(argv) > 1 else "http://127.0.0.1:8000")
    steps = [
        ("health", flow.health),
        ("register", flow.register),
        ("login", flow.login),
        ("public products", flow.products),
        ("create account", flow.create_account),
        ("send message twice", flow.send_message),
        ("read message back", flow.read_back),
    ]
    for name, step in steps:
        try:
            print(f"ok    {name}: {step()}", flush=True)
        except Exception as exc:
            print(f"FAIL  {name}: {type(exc).__name__}: {exc}", flush=True)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
