"""Reading a predecessor's data: its PostgreSQL or MySQL database, or the accounts service's JSON export.

MySQL is read with PyMySQL: pure Python, so `pip install` needs no MySQL client headers or
compiler on any machine that runs the import (mysqlclient would be faster but needs both); the
import is bound by our writes, not by reading. Rows are streamed (a server-side cursor on both
servers), so memory stays bounded whatever the table's size.
"""

import json
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from .importing import LegacyImportError, Row

_cursor_names = count(1)


class PostgresSource:
    def __init__(self, url: str) -> None:
        import psycopg
        from psycopg.rows import dict_row

        try:
            self.connection = psycopg.connect(url, row_factory=dict_row, autocommit=False)
        except psycopg.Error as exc:
            raise LegacyImportError(f"cannot connect to the source database: {exc}") from exc
        # Read-only, and one snapshot for the whole run: the counts and rows agree with each other.
        self.connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def count(self, sql: str) -> int:
        row = self.connection.execute(sql).fetchone()
        return int(next(iter(row.values()))) if row else 0

    def batches(self, sql: str, size: int) -> Iterator[list[Row]]:
        with self.connection.cursor(name=f"legacy_{next(_cursor_names)}") as cursor:
            cursor.itersize = size
            cursor.execute(sql)
            while rows := cursor.fetchmany(size):
                yield rows

    def close(self) -> None:
        self.connection.close()


class MySQLSource:
    def __init__(self, url: str) -> None:
        # PyMySQL ships no type stubs.
        import pymysql  # type: ignore[import-untyped]
        import pymysql.cursors  # type: ignore[import-untyped]

        parsed = urlparse(url)
        try:
            self.connection = pymysql.connect(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or 3306,
                user=unquote(parsed.username or "root"),
                password=unquote(parsed.password or ""),
                database=parsed.path.lstrip("/") or None,
                charset="utf8mb4",
                cursorclass=pymysql.cursors.SSDictCursor,
            )
        except pymysql.MySQLError as exc:
            raise LegacyImportError(f"cannot connect to the source database: {exc}") from exc
        with self.connection.cursor() as cursor:
            cursor.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")

    def count(self, sql: str) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall()
        return int(next(iter(rows[0].values()))) if rows else 0

    def batches(self, sql: str, size: int) -> Iterator[list[Row]]:
        # An unbuffered cursor streams the rows; it must be read to its end before the next query.
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            while rows := cursor.fetchmany(size):
                yield list(rows)

    def close(self) -> None:
        self.connection.close()


class JsonSource:
    """The accounts service's export: `{"<id>": {account}, ...}` or a list of accounts with an `id`.

    The service kept its accounts in a dict keyed by id and answered an account without its id,
    so its export is that dict (see docs/MIGRATING.md); a list of objects carrying `id` is read too.
    The only "table" is `accounts`; `count` and `batches` ignore their SQL.
    """

    def __init__(self, path: str) -> None:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise LegacyImportError(f"cannot read {path}: {exc.strerror or exc}") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise LegacyImportError(f"{path} is not valid JSON: {exc}") from exc
        self.rows: list[Row] = []
        if isinstance(data, dict) and isinstance(data.get("accounts"), list | dict):
            data = data["accounts"]
        if isinstance(data, dict):
            items = [{"id": key, **value} if isinstance(value, dict) else {"id": key} for key, value in data.items()]
        elif isinstance(data, list):
            items = [item if isinstance(item, dict) else {"id": None, "_raw": item} for item in data]
        else:
            raise LegacyImportError(f"{path}: expected an object of accounts by id, or a list of accounts")
        self.rows = sorted(items, key=_id_order)

    def count(self, sql: str) -> int:
        return len(self.rows)

    def batches(self, sql: str, size: int) -> Iterator[list[Row]]:
        for start in range(0, len(self.rows), size):
            yield self.rows[start : start + size]

    def close(self) -> None:
        pass


def _id_order(item: Row) -> tuple[int, Any]:
    value = item.get("id")
    try:
        return (0, int(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return (1, str(value))


def open_source(location: str) -> Any:
    scheme = urlparse(location).scheme
    if scheme in ("postgres", "postgresql"):
        return PostgresSource(location)
    if scheme in ("mysql", "mariadb"):
        return MySQLSource(location)
    return JsonSource(location)
