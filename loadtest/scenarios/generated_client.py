"""A generated client works and is typed right: openapi-python-client, fed the live schema, talks to a real gunicorn.

Run from the repository root, with PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379:

    .venv/bin/python -m loadtest.scenarios.generated_client

It creates a fresh database (`generated_client` unless --database), migrates it, adds two
products, starts gunicorn with the production settings on port 8531, fetches
`/api/v1/schema/?format=json` from it and runs `openapi-python-client generate` (with
openapi-python-client.yml beside this file) into a temporary directory. Then, beside the package:
client_flow.py (a script written the way the client's README shows) and a call that passes an
anonymous `Client` to a signed-in operation must pass `mypy --strict` but for exactly that one
error; and client_flow.py runs against the server: health, register, log in and the public
catalog anonymously, then an account, a message sent twice with one `Idempotency-Key` and read
back with the access token. One line per step; the exit status is non-zero if any step fails.
A TypeScript check too: openapi-typescript's types of the served schema and client_flow.ts pass
`tsc --noEmit --strict` (both packages from the npm registry, pinned in TS_PACKAGES).

The generator demands an `AuthenticatedClient` for every operation whose `security` is not empty,
`[{}, {"jwtAuth": []}]` (anyone, or a bearer token) included (openapi-python-client issue #1372), so
it is given the schema with the public operations' security written as `[]` (no requirement):
`schema_for_generator()`.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any

from loadtest import server as harness

GENERATOR = Path(sys.executable).parent / "openapi-python-client"  # the virtualenv running the script
MYPY = Path(sys.executable).parent / "mypy"
CONFIG = Path(__file__).with_name("openapi-python-client.yml")  # names the package PACKAGE
FLOW = Path(__file__).with_name("client_flow.py")
TS_FLOW = Path(__file__).with_name("client_flow.ts")
# The TypeScript check's packages, from the npm registry (Debian's npm); pinned.
TS_PACKAGES = ["openapi-typescript@7.13.0", "typescript@5.9.3"]
TSC_OPTIONS = ["--noEmit", "--strict", "--target", "es2022", "--module", "es2022", "--moduleResolution", "bundler"]
PACKAGE = "service_client"
NEGATIVE_CASE = "signed_in_needs_a_token.py"
NEGATIVE_SOURCE = f"""from {PACKAGE} import Client
from {PACKAGE}.api.accounts import accounts_list

accounts_list.sync_detailed(client=Client(base_url="http://127.0.0.1"))  # a type error: a token is required
"""
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
        [
            *(str(GENERATOR), "generate", "--path", str(schema), "--meta", "none", "--config", str(CONFIG)),
            *("--output-path", str(out / PACKAGE)),
        ],
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


def schema_for_generator(schema: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """The schema with anonymous alternatives (`{}` in `security`) written as no requirement; how many changed."""
    changed = 0
    for methods in schema["paths"].values():
        for operation in methods.values():
            if isinstance(operation, dict) and {} in operation.get("security", []):
                operation["security"] = []
                changed += 1
    return schema, changed


def type_check(work: Path) -> tuple[bool, str]:
    """`mypy --strict` over the package, the flow and the negative case: only the negative case's one error allowed."""
    shutil.copy(FLOW, work / FLOW.name)
    (work / NEGATIVE_CASE).write_text(NEGATIVE_SOURCE)
    done = subprocess.run(  # noqa: S603 - fixed command line
        [str(MYPY), "--strict", "--no-error-summary", PACKAGE, FLOW.name, NEGATIVE_CASE],
        cwd=work,  # no configuration file there: mypy's own defaults, then --strict
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    expected = [line for line in errors if line.startswith(f"{NEGATIVE_CASE}:") and "[arg-type]" in line]
    unexpected = [line for line in errors if line not in expected]
    modules = len(list((work / PACKAGE).rglob("*.py")))
    if unexpected or len(expected) != 1:
        return False, "; ".join(unexpected[:5]) or f"anonymous call to a signed-in operation: {expected or 'no error'}"
    refused = expected[0].split(": error: ")[1]
    return True, f"{modules} modules of {PACKAGE} and {FLOW.name} clean; {NEGATIVE_CASE}: {refused}"


def typescript_check(work: Path) -> tuple[bool, str]:
    """openapi-typescript's types of the served schema, and client_flow.ts over them, through `tsc --strict`."""
    npm = shutil.which("npm")
    if npm is None:
        return False, "npm is missing (apt-get install npm)"
    folder = work / "typescript"
    folder.mkdir()
    shutil.copy(TS_FLOW, folder / TS_FLOW.name)
    bin_dir = folder / "node_modules" / ".bin"
    for command in (
        [npm, "install", "--no-audit", "--no-fund", "--no-save", "--silent", *TS_PACKAGES],
        [str(bin_dir / "openapi-typescript"), str(work / "schema.json"), "-o", "schema.d.ts"],
        [str(bin_dir / "tsc"), *TSC_OPTIONS, "--lib", "es2022,dom", TS_FLOW.name, "schema.d.ts"],
    ):
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603
        if done.returncode != 0:
            return False, f"{Path(command[0]).name}: {(done.stdout + done.stderr)[-500:]}"
    lines = len((folder / "schema.d.ts").read_text().splitlines())
    return True, f"schema.d.ts ({lines} lines, {' '.join(TS_PACKAGES)}) and {TS_FLOW.name}: tsc --strict clean"


def run_flow(work: Path, base_url: str) -> tuple[bool, str]:
    done = subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, FLOW.name, base_url],
        cwd=work,
        env={**os.environ, "PYTHONPATH": str(work)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    for line in done.stdout.splitlines():
        print(f"      {line}", flush=True)
    if done.returncode != 0:
        return False, (done.stderr or done.stdout)[-500:]
    return True, f"{sum(line.startswith('ok') for line in done.stdout.splitlines())} steps passed"


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
            for_generator, public = schema_for_generator(schema)
            (work / "schema-for-generator.json").write_text(json.dumps(for_generator))
            output = generate(work / "schema-for-generator.json", work)
            warnings = [line for line in output.splitlines() if "warning" in line.lower()]
            check(
                "generate",
                not warnings,
                "; ".join(warnings) or f"package {PACKAGE} written, no warnings ({public} public operations open)",
            )
            check("mypy --strict", *type_check(work))
            check("typescript", *typescript_check(work))
            check("flow", *run_flow(work, f"http://127.0.0.1:{args.port}"))
        except Exception as exc:
            check("client", False, f"{type(exc).__name__}: {exc}")
    print("generated client: " + (f"FAILED ({', '.join(check.failures)})" if check.failures else "passed"))
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
