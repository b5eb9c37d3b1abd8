"""Demo data for accounts: an admin, a demo user, a few customer accounts."""

from decimal import Decimal
from typing import Any

from . import services
from .models import Account, Role, User

DEMO_ADMIN = {"username": "admin", "email": "admin@example.com", "password": "admin-demo-pass-42"}
DEMO_USER = {"username": "demo", "email": "demo@example.com", "password": "demo-user-pass-42"}


def _ensure_user(*, username: str, email: str, password: str, role: str) -> User:
    user = User.objects.alive().filter(username__iexact=username).first()
    if user is None:
        user = User(username=username, email=email, role=role, is_superuser=role == Role.ADMIN)
        user.set_password(password)
        user.save()
    return user


def seed(*, stdout: Any) -> dict[str, User]:
    admin = _ensure_user(**DEMO_ADMIN, role=Role.ADMIN)
    demo = _ensure_user(**DEMO_USER, role=Role.USER)
    for owner, name, balance, currency in [
        (demo, "Checking", Decimal("1250.00"), "USD"),
        (demo, "Savings", Decimal("8000.50"), "USD"),
        (demo, "Travel", Decimal("300.00"), "EUR"),
        (admin, "Operations", Decimal("0.00"), "USD"),
    ]:
        if not Account.objects.filter(owner=owner, name=name).exists():
            services.account_create(actor=owner, name=name, balance=balance, currency=currency)
    stdout.write(f"  admin: username={DEMO_ADMIN['username']} password={DEMO_ADMIN['password']}\n")
    stdout.write(f"  user:  username={DEMO_USER['username']} password={DEMO_USER['password']}\n")
    return {"admin": admin, "user": demo}
