"""`import_legacy`'s one entry point: run a predecessor's importer over its source, return the report."""

import importlib
import sys
import time
from typing import Any, TextIO

from accounts.models import User

from .importers import IMPORTERS
from .importing import BATCH_SIZE, LegacyImportError, Report, Run
from .sources import open_source


def legacy_import(
    *,
    source_name: str,
    location: str,
    owner_username: str = "",
    dry_run: bool = False,
    verify: bool = False,
    batch_size: int = BATCH_SIZE,
    stdout: TextIO = sys.stdout,
) -> Report:
    """Import one predecessor's data (see legacy.importing); `LegacyImportError` if it cannot start."""
    if source_name not in IMPORTERS:
        raise LegacyImportError(f"unknown source {source_name!r}: one of {', '.join(IMPORTERS)}")
    module: Any = importlib.import_module(IMPORTERS[source_name])
    owner = None
    if owner_username:
        owner = User.objects.alive().filter(username__iexact=owner_username).first()
        if owner is None:
            raise LegacyImportError(f"--owner {owner_username!r}: no such (living) user")
    elif getattr(module, "NEEDS_OWNER", False):
        raise LegacyImportError(f"{source_name} has no owners for its accounts: give --owner USERNAME")
    started = time.monotonic()
    source = open_source(location)
    try:
        run = Run(
            source_name=source_name,
            source=source,
            dry_run=dry_run,
            owner=owner,
            stdout=stdout,
            batch_size=batch_size,
            verify=verify,
        )
        for table in module.tables(run):
            run.run_table(table)
        finish = getattr(module, "finish", None)
        if finish is not None and not run.dry_run:
            finish(run)
    finally:
        source.close()
    run.report.seconds = time.monotonic() - started
    return run.report
