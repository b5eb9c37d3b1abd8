"""Every variable the service reads is in docs/OPERATIONS.md's Environment table, and the table names nothing else.

The code's reads are found by parsing it (ast): `env("X")`, `env.int("X")` and the other django-environ
casts, `os.environ.get("X")`, `os.environ["X"]`, `os.environ.setdefault("X", ...)`, `os.getenv("X")`,
in every tracked Python file of the service (settings, gunicorn.conf.py, manage.py, the apps). The test
suite and the load and benchmark tools (tests/, loadtest/, benchmarks/) are not the service and are left
out. The table is read by the same function as the Kubernetes check (deploy/check_k8s.py), so there is one
table and one parser of it.
"""

import ast
import re
import subprocess
from pathlib import Path

from tests.helpers import load_check_k8s

ROOT = Path(__file__).resolve().parent.parent


documented_variables = load_check_k8s().documented_variables
NOT_THE_SERVICE = ("tests/", "loadtest/", "benchmarks/")
ENV_CASTS = {"str", "bool", "int", "float", "list", "tuple", "dict", "json", "url", "db", "db_url", "cache", "path"}
# Read by a library, not by our code: Django's `createsuperuser --noinput`.
READ_BY_LIBRARIES = {"DJANGO_SUPERUSER_USERNAME", "DJANGO_SUPERUSER_EMAIL", "DJANGO_SUPERUSER_PASSWORD"}


def service_files() -> list[Path]:
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / name for name in tracked.stdout.split() if not name.startswith(NOT_THE_SERVICE)]


def _is_os_environ(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ" and getattr(node.value, "id", None) == "os"


def _first_name(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _reads(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id == "env"
    if not isinstance(func, ast.Attribute):
        return False
    owner = getattr(func.value, "id", None)
    return (
        (owner == "env" and func.attr in ENV_CASTS)
        or (owner == "os" and func.attr == "getenv")
        or (_is_os_environ(func.value) and func.attr in ("get", "setdefault"))
    )


def variables_read(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _reads(node.func) and (name := _first_name(node)):
            names.add(name)
        elif (
            isinstance(node, ast.Subscript)
            and _is_os_environ(node.value)
            and isinstance(node.ctx, ast.Load)
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            names.add(node.slice.value)
    return names


def code_variables() -> dict[str, set[str]]:
    """Each variable the service reads, with the files that read it."""
    found: dict[str, set[str]] = {}
    for path in service_files():
        for name in variables_read(path.read_text()):
            found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def compose_variables() -> set[str]:
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (ROOT / "docker-compose.yml").read_text()))


def kubernetes_variables() -> set[str]:
    text = "\n".join(path.read_text() for path in (ROOT / "deploy" / "k8s").glob("*.yaml"))
    return set(re.findall(r"\$\(([A-Z][A-Z0-9_]*)\)", text)) | set(re.findall(r"name: ([A-Z][A-Z0-9_]*)\b", text))


def env_example_variables() -> set[str]:
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE))


def test_the_parser_finds_each_way_of_reading():
    source = (
        "import os\n"
        'a = env("A", default=1); b = env.int("B"); c = env.db("C"); d = os.environ.get("D")\n'
        'e = os.environ["E"]; f = os.getenv("F"); os.environ.setdefault("G", "x")\n'
        'os.environ["NOT_READ"] = "1"; env.read_env("not a variable")\n'
    )

    assert variables_read(source) == {"A", "B", "C", "D", "E", "F", "G"}


def test_every_variable_the_code_reads_is_in_the_table():
    table = documented_variables()
    missing = {name: sorted(files) for name, files in code_variables().items() if name not in table}

    assert not missing, f"read by the code, not in docs/OPERATIONS.md's Environment table: {missing}"


def test_the_table_names_only_variables_something_reads():
    """A row is read by our code, by a library we call, by the compose file or by the Kubernetes manifests."""
    read = set(code_variables()) | READ_BY_LIBRARIES | compose_variables() | kubernetes_variables()
    unread = documented_variables() - read

    assert not unread, f"in docs/OPERATIONS.md's Environment table, read by nothing: {sorted(unread)}"


def test_env_example_names_only_variables_of_the_table():
    unknown = env_example_variables() - documented_variables()

    assert not unknown, f"in .env.example, not in docs/OPERATIONS.md's Environment table: {sorted(unknown)}"
