import io

import pytest

from catalog import demo
from catalog.models import Product

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent(user, admin_user):
    users = {"admin": admin_user, "user": user}
    demo.seed(stdout=io.StringIO(), users=users)
    first = Product.objects.alive().count()
    assert first >= 24
    assert Product.objects.values("category").distinct().count() >= 4
    out = io.StringIO()
    demo.seed(stdout=out, users=users)
    assert Product.objects.count() == first
    assert "(0 new)" in out.getvalue()
