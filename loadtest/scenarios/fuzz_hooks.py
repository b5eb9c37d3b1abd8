"""schemathesis hooks for loadtest/scenarios/fuzz.py: keep the fuzzing user signed in as its role.

The fuzzing admin may demote, deactivate or soft-delete itself through the API; the service
then answers 403 or 401, which the checks verify like any other answer. Without a repair, every
later request of the run would be one of those and test nothing. After any 401 (or a 403 for
the admin) this puts the user back: its role, active, not deleted. Its access token is valid
again at once (the token is checked against exactly those columns). Loaded by schemathesis
through `SCHEMATHESIS_HOOKS=loadtest.scenarios.fuzz_hooks`; `FUZZ_ROLE`, `FUZZ_USER_ID`,
`FUZZ_DATABASE_URL` say whom.
"""

import ast
import os
import secrets
import sys
import threading
from typing import Any

import psycopg
import schemathesis

ROLE = os.environ.get("FUZZ_ROLE", "")
USER_ID = os.environ.get("FUZZ_USER_ID", "")
DATABASE_URL = os.environ.get("FUZZ_DATABASE_URL", "")
_lock = threading.Lock()
restores = 0

# CPython 3.11.7 (this machine's) keeps the AST constructor's depth counter in state shared by
# every thread of the interpreter, and leaves it wrong after a RecursionError
# (python/cpython#106905, fixed in 3.11.8): hypothesis, parsing a source file to describe a
# lambda in one of schemathesis's two worker threads while the other parses too, or deep in a
# pattern's coverage, then fails with "AST constructor recursion depth mismatch" (seen in CI:
# before=72, after=97), and the gate re-runs the role (~150 s). One parse at a time, and a higher
# recursion limit, keep both from happening.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
_parse = getattr(ast.parse, "__wrapped__", ast.parse)  # the original, even if this module is loaded twice
_parse_lock = threading.Lock()


def _one_parse_at_a_time(*args: Any, **kwargs: Any) -> ast.AST:
    with _parse_lock:
        return _parse(*args, **kwargs)


_one_parse_at_a_time.__wrapped__ = _parse  # type: ignore[attr-defined]
ast.parse = _one_parse_at_a_time  # type: ignore[assignment]


def restore_user() -> None:
    global restores
    is_admin = ROLE == "admin"
    with _lock, psycopg.connect(DATABASE_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        params = {"id": USER_ID, "role": ROLE, "staff": is_admin, "suffix": secrets.token_hex(4)}
        try:
            cursor = conn.execute(
                "UPDATE accounts_user SET role = %(role)s, is_staff = %(staff)s, is_active = true, deleted_at = NULL"
                " WHERE id = %(id)s AND (role <> %(role)s OR NOT is_active OR deleted_at IS NOT NULL)",
                params,
            )
        except psycopg.errors.UniqueViolation:
            # Soft-deleted, its username or email was taken meanwhile: come back under new ones.
            cursor = conn.execute(
                "UPDATE accounts_user SET role = %(role)s, is_staff = %(staff)s, is_active = true, deleted_at = NULL,"
                " username = 'fuzz-' || %(role)s || '-' || %(suffix)s,"
                " email = 'fuzz-' || %(role)s || '-' || %(suffix)s || '@example.com'"
                " WHERE id = %(id)s AND (role <> %(role)s OR NOT is_active OR deleted_at IS NOT NULL)",
                params,
            )
        restores += cursor.rowcount


@schemathesis.hook
def after_call(context, case, response) -> None:  # type: ignore[no-untyped-def]
    if not USER_ID:
        return
    if response.status_code == 401 or (response.status_code == 403 and ROLE == "admin"):
        restore_user()
