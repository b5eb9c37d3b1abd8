"""The post lists' cache: one namespace per author, its timeout, its invalidation.

"GET /posts/" is cached per author (and viewer) for POST_LIST_CACHE_SECONDS; `posts.signals` drops an
author's lists sooner, after any write to their posts commits.
"""

from config.api.caching import bump_namespace_on_commit

POST_LIST_CACHE_SECONDS = 5 * 60


def post_list_cache_namespace(author_id: object) -> str:
    """One namespace per author: any write to their posts drops every cached page of their list."""
    return f"posts:user:{author_id}"


def post_list_cache_invalidate(author_id: object) -> None:
    """Drop every cached list of the author's posts once the current transaction commits (at once outside one)."""
    bump_namespace_on_commit(post_list_cache_namespace(author_id))
