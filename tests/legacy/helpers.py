"""Running `import_legacy` in a test and reading its JSON report."""

import json
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command

FIXTURES = Path(__file__).parent / "fixtures"


def run_import(source: str, location: str, tmp_path: Path, *extra: str) -> dict[str, Any]:
    report_file = tmp_path / f"{source}-report.json"
    out = StringIO()
    call_command("import_legacy", source, "--from", location, "--report", str(report_file), *extra, stdout=out)
    report = json.loads(report_file.read_text())
    report["printed"] = out.getvalue()
    return report


def counts(report: dict[str, Any]) -> dict[str, tuple[int, int, int, int]]:
    """Per table: (read, imported, merged, skipped)."""
    return {t["table"]: (t["read"], t["imported"], t["merged"], t["skipped"]) for t in report["tables"]}


def rechecked(report: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Per table: (unchanged, changed), the rows a rerun found imported before."""
    return {t["table"]: (t["unchanged"], t["changed"]) for t in report["tables"]}


def skips(report: dict[str, Any], table: str) -> dict[str, str]:
    row = next(t for t in report["tables"] if t["table"] == table)
    return {skip["legacy_id"]: skip["reason"] for skip in row["skips"]}
