import factory
from factory.django import DjangoModelFactory

from posts.models import Post
from tests.accounts.factories import UserFactory


class PostFactory(DjangoModelFactory[Post]):
    class Meta:
        model = Post

    author = factory.SubFactory(UserFactory)
    text = factory.Sequence(lambda n: f"Post number {n}")
