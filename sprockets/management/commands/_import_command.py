"""What the import commands share: their options, a progress bar on stderr, and `ImportCommand`."""

import dataclasses
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sprockets.importers import ImportFileError, ImportResult

BAR_WIDTH = 30
MIN_TOTAL = 1000


class ProgressBar:
    """Redraws one stderr line as `label [#####.....] 42% done/total`.

    Silent for small jobs (under `min_total` items) and when disabled (`--no-progress`,
    `--verbosity 0`, or stderr not a terminal, where redrawn lines would only clutter a log).
    Redraws at most once per percent, so a per-item callback over a million items stays cheap.
    """

    def __init__(self, stream: Any, label: str, *, min_total: int = MIN_TOTAL, enabled: bool = True) -> None:
        self.stream = stream
        self.label = label
        self.min_total = min_total
        self.enabled = enabled
        self.drawn = False
        self.last_percent = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < self.min_total:
            return
        percent = 100 * done // total if total else 100
        if percent == self.last_percent and done != total:
            return
        self.last_percent = percent
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}]"
        self.stream.write(f"\r{self.label} {bar} {percent:3d}% {done}/{total}", ending="")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("")  # end the redrawn line


def add_import_arguments(parser: CommandParser, *, sample: str) -> None:
    parser.add_argument(
        "file",
        help=f"path of the JSON file to import, e.g. {sample}; read as UTF-8 and validated whole before any write",
    )
    parser.add_argument(
        "--no-progress",
        action="store_true",
        help=(
            f"do not draw the progress bar on stderr (it is drawn only for {MIN_TOTAL:,} items or more, "
            "and only when stderr is a terminal)"
        ),
    )


def progress_for(command: Any, label: str, options: dict[str, Any]) -> ProgressBar:
    stream = command.stderr
    enabled = not options["no_progress"] and options["verbosity"] > 0 and stream.isatty()
    return ProgressBar(stream, label, enabled=enabled)


class ImportCommand(BaseCommand):
    """`manage.py <import> FILE`: all or nothing (an `ImportFileError` imports nothing), one summary line.

    A subclass names its `sample` file (shown in --help), the `unit` its progress bar counts, its
    `importer` (path, progress=) and its `summary`, formatted with the fields of the `ImportResult`.
    """

    sample: str
    unit: str
    importer: Callable[..., ImportResult]
    summary: str

    def add_arguments(self, parser: CommandParser) -> None:
        add_import_arguments(parser, sample=self.sample)

    def handle(self, *args: Any, **options: Any) -> None:
        progress = progress_for(self, self.unit, options)
        started = time.monotonic()
        try:
            result = self.importer(options["file"], progress=progress)
        except ImportFileError as exc:
            raise CommandError(f"{exc} Nothing was imported.") from exc
        finally:
            progress.close()
        if options["verbosity"] > 0:
            summary = self.summary.format(**dataclasses.asdict(result))
            self.stdout.write(self.style.SUCCESS(f"{options['file']}: {summary} ({time.monotonic() - started:.1f} s)."))
