"""The import's machinery, the same for every predecessor: read a table in batches, skip what was
imported before, convert the rest with the models' rules, write each batch in one transaction
with its `LegacyRecord`s, and count every row in the report.

Each predecessor's module (`legacy.importers.<name>`) only says, per table, how a batch of its
rows becomes ours (`convert`): `Imported(instance)`, `Merged(pk)` (a row we already had) or
`Skipped(reason)`. Everything else is here, once:

- **safe to run twice, resumable**: a row with a `LegacyRecord` is not converted again; each
  batch commits with its records, so a run that stops half-way resumes where it stopped;
- **changes since**: a recorded row whose fingerprint (a keyed hash of the row as read) differs is
  reported as changed, and left as it is here (nothing is updated silently);
- **dry run**: everything is read and converted (the models' validators run), nothing written;
- **memory bounded**: rows are read with a server-side cursor, `batch_size` at a time; only the
  ids of parent tables (users, factories, accounts...) are kept, for the foreign keys. The report's
  lists of rows (skipped, changed, gone) go to temporary files as they grow, and stream from there
  into the JSON report: a source of a million bad rows costs disk, not memory.
"""

import json
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol, TextIO

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, reset_queries, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from config.scale_seed import Progress

from .models import LegacyRecord, Outcome

Row = dict[str, Any]
BATCH_SIZE = 2000
# A report file lists every skipped row; the printed report the first few of each reason.
PRINTED_EXAMPLES = 5
# A report list keeps this much in memory, the rest in its temporary file.
SPOOLED_IN_MEMORY = 256 * 1024
FINGERPRINT_SALT = "legacy.LegacyRecord.fingerprint"


class LegacyImportError(Exception):
    """The import cannot run (a source it cannot read, a missing --owner): the message says why."""


# --- What a row becomes ----------------------------------------------------------------------
@dataclass
class Imported:
    instance: models.Model
    # Original `created_at`/`updated_at` for a TimestampedModel (its auto_now fields would
    # overwrite them on insert); written back in the same transaction.
    times: dict[str, datetime] = field(default_factory=dict)
    note: str = ""  # counted in the table's notes, e.g. "plaintext password hashed"


@dataclass
class Merged:
    pk: Any  # our row's pk, or the instance itself when it is imported in the same batch
    note: str = ""


@dataclass
class Skipped:
    reason: str


Outcome_ = Imported | Merged | Skipped


# --- The report --------------------------------------------------------------------------------
class SpooledList:
    """A list of JSON values that moves to a temporary file as it grows: counted, its first few kept
    for the printed report, all of it read back once into the JSON report."""

    def __init__(self) -> None:
        # Lives as long as the report; the file is deleted when it is collected.
        self._spool = tempfile.SpooledTemporaryFile(max_size=SPOOLED_IN_MEMORY, mode="w+", encoding="utf-8")  # noqa: SIM115
        self._length = 0
        self.first: list[Any] = []

    def append(self, item: Any) -> None:
        self._spool.write(json.dumps(item) + "\n")
        self._length += 1
        if len(self.first) < PRINTED_EXAMPLES:
            self.first.append(item)

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[Any]:
        self._spool.seek(0)
        for line in self._spool:
            yield json.loads(line)
        self._spool.seek(0, 2)  # appending continues at the end

    def write_json(self, out: TextIO) -> None:
        out.write("[")
        for index, item in enumerate(self):
            out.write(("," if index else "") + "\n    " + json.dumps(item))
        out.write("]")


def _write_object(out: TextIO, scalars: dict[str, Any], streamed: dict[str, Any]) -> None:
    """A JSON object: its scalar members as they are, its long lists each written by itself."""
    out.write(json.dumps(scalars)[:-1])
    for name, value in streamed.items():
        out.write(f", {json.dumps(name)}: ")
        value.write_json(out)
    out.write("}")


@dataclass
class TableReport:
    table: str
    read: int = 0
    imported: int = 0
    merged: int = 0
    skipped: int = 0
    # Imported by an earlier run: the same as then, or changed in the source since (not updated).
    unchanged: int = 0
    changed: int = 0
    # --verify: imported rows whose row here no longer exists (deleted since the import).
    gone: int = 0
    seconds: float = 0.0
    skips: SpooledList = field(default_factory=SpooledList)  # {"legacy_id", "reason"} each
    skip_reasons: dict[str, int] = field(default_factory=dict)
    skip_examples: dict[str, list[str]] = field(default_factory=dict)  # the first ids of each reason
    changed_ids: SpooledList = field(default_factory=SpooledList)
    gone_ids: SpooledList = field(default_factory=SpooledList)
    notes: dict[str, int] = field(default_factory=dict)

    def count_note(self, note: str) -> None:
        if note:
            self.notes[note] = self.notes.get(note, 0) + 1

    def count_skip(self, legacy_id: str, reason: str) -> None:
        self.skipped += 1
        self.skips.append({"legacy_id": legacy_id, "reason": reason})
        self.skip_reasons[reason] = self.skip_reasons.get(reason, 0) + 1
        examples = self.skip_examples.setdefault(reason, [])
        if len(examples) < PRINTED_EXAMPLES:
            examples.append(legacy_id)

    def write_json(self, out: TextIO) -> None:
        scalars = {
            "table": self.table,
            "read": self.read,
            "imported": self.imported,
            "merged": self.merged,
            "skipped": self.skipped,
            "unchanged": self.unchanged,
            "changed": self.changed,
            "gone": self.gone,
            "seconds": round(self.seconds, 3),
            "notes": self.notes,
            "skip_reasons": self.skip_reasons,
        }
        _write_object(out, scalars, {"skips": self.skips, "changed_ids": self.changed_ids, "gone_ids": self.gone_ids})


@dataclass
class _TableReports:
    tables: list[TableReport]

    def write_json(self, out: TextIO) -> None:
        out.write("[")
        for index, table in enumerate(self.tables):
            out.write(",\n  " if index else "\n  ")
            table.write_json(out)
        out.write("]")


@dataclass
class Report:
    source: str
    dry_run: bool
    started_at: datetime
    verify: bool = False
    tables: list[TableReport] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def table(self, name: str) -> TableReport:
        for table in self.tables:
            if table.table == name:
                return table
        raise KeyError(name)

    def write_json(self, out: TextIO) -> None:
        """The report as JSON (`--report FILE`), the long lists streamed from their temporary files."""
        scalars = {
            "source": self.source,
            "dry_run": self.dry_run,
            "verify": self.verify,
            "started_at": self.started_at.isoformat(),
            "seconds": round(self.seconds, 3),
            "notes": self.notes,
        }
        _write_object(out, scalars, {"tables": _TableReports(self.tables)})
        out.write("\n")

    def render(self) -> str:
        """The printed report: a line per table, then each table's skip reasons with examples."""
        mode = " --verify (nothing written)" if self.verify else " (dry run: nothing written)" if self.dry_run else ""
        title = f"import_legacy {self.source}{mode}"
        header = f"{'table':<22}{'read':>9}{'imported':>10}{'merged':>8}{'skipped':>9}{'unchanged':>11}{'changed':>9}"
        lines = [title, header]
        for t in self.tables:
            lines.append(
                f"{t.table:<22}{t.read:>9}{t.imported:>10}{t.merged:>8}{t.skipped:>9}{t.unchanged:>11}{t.changed:>9}"
            )
        for t in self.tables:
            for note, count in t.notes.items():
                lines.append(f"{t.table}: {count} {note}")
            for reason, count in t.skip_reasons.items():
                examples = t.skip_examples[reason]
                more = ", ..." if count > len(examples) else ""
                lines.append(f"{t.table}: skipped {count}: {reason} (ids {', '.join(examples)}{more})")
            if t.changed_ids:
                shown = ", ".join(t.changed_ids.first) + (", ..." if t.changed > PRINTED_EXAMPLES else "")
                lines.append(f"{t.table}: {t.changed} changed in the source since imported, not updated (ids {shown})")
            if t.gone_ids:
                shown = ", ".join(t.gone_ids.first) + (", ..." if t.gone > PRINTED_EXAMPLES else "")
                lines.append(f"{t.table}: {t.gone} imported but no longer here (deleted since; ids {shown})")
        lines.extend(self.notes)
        lines.append(f"{self.seconds:.1f} s")
        return "\n".join(lines)


# --- Reading -----------------------------------------------------------------------------------
class Source(Protocol):
    """A predecessor's data: a row count and the rows of a query, in batches."""

    def count(self, sql: str) -> int: ...

    def batches(self, sql: str, size: int) -> Iterator[list[Row]]: ...

    def close(self) -> None: ...


def fingerprint(row: Row) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, datetime | Decimal):
            return str(value)
        if isinstance(value, bytes | bytearray | memoryview):
            return bytes(value).hex()
        return value

    text = json.dumps({key: plain(value) for key, value in row.items()}, sort_keys=True, default=str)
    # Keyed (SECRET_KEY), not a bare SHA-256: a row may hold a plaintext password (the posts
    # service's first version), and a bare hash of a row whose other columns are known would let
    # anyone reading this table try guesses offline. Rotating SECRET_KEY between runs only makes
    # every row read as changed (reported; nothing is updated).
    return salted_hmac(FINGERPRINT_SALT, text.encode("utf-8", "surrogatepass"), algorithm="sha256").hexdigest()


def validation_reason(exc: ValidationError) -> str:
    """A ValidationError as one line: "field: message" for each field, as the API would name them."""
    if hasattr(exc, "error_dict"):
        parts = []
        for name, errors in exc.message_dict.items():
            label = "" if name == "__all__" else f"{name}: "
            parts.append(label + " ".join(errors))
        return "; ".join(parts)
    return " ".join(exc.messages)


def check(instance: models.Model, *, exclude: Iterable[str] = ()) -> Skipped | None:
    """The model's own rules, as the services run them (`full_clean` without constraint queries).

    Without `validate_unique` too: it would ask the database once per row whether the primary
    key is free; the importers check what must be unique once per batch instead.
    """
    try:
        instance.full_clean(exclude=list(exclude) or None, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return Skipped(validation_reason(exc))
    return None


def from_unix(seconds: Any) -> datetime | None:
    """Unix seconds (the sprocket service's timestamps) as an aware UTC datetime; None if unreadable."""
    try:
        return datetime.fromtimestamp(int(seconds), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def aware(value: Any) -> datetime | None:
    """A source timestamp as an aware datetime: a naive one is UTC (both predecessors wrote utcnow())."""
    if not isinstance(value, datetime):
        return None
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def as_uuid(value: Any) -> uuid.UUID | None:
    """A source id as a UUID (a string UUID, or 32 hex digits); None if it is not one."""
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


# --- Running a table ---------------------------------------------------------------------------
Convert = Callable[[list[Row]], list[Outcome_]]


@dataclass
class Table:
    """One source table: how to read it and how a batch of its rows becomes ours."""

    name: str
    model: type[models.Model]
    convert: Convert
    # The rows, ordered (a stable order: resuming and reports read the same), and their count;
    # by default the whole table `name` by `key`.
    sql: str = ""
    count_sql: str = ""
    key: str = "id"  # the column holding the legacy id
    # Keep legacy id -> our pk for the tables after it (foreign keys); leaf tables do not.
    keep_ids: bool = True
    # Called inside each batch's transaction after its writes (cache invalidation on commit).
    after_write: Callable[[list[models.Model]], None] | None = None

    def __post_init__(self) -> None:
        # The names are the importer's own constants (a source's table names), never input.
        self.sql = self.sql or f"SELECT * FROM {self.name} ORDER BY {self.key}"  # noqa: S608
        self.count_sql = self.count_sql or f"SELECT count(*) FROM {self.name}"  # noqa: S608


class Run:
    """One run of `import_legacy`: the source, the options, the report and the ids seen so far."""

    def __init__(
        self,
        *,
        source_name: str,
        source: Source,
        dry_run: bool,
        owner: Any = None,
        stdout: TextIO,
        batch_size: int = BATCH_SIZE,
        verify: bool = False,
    ) -> None:
        # --verify is a dry run that also checks every recorded row still exists here.
        self.source_name, self.source, self.dry_run, self.owner = source_name, source, dry_run or verify, owner
        self.stdout, self.batch_size, self.verify = stdout, batch_size, verify
        self.report = Report(source=source_name, dry_run=self.dry_run, verify=verify, started_at=timezone.now())
        # table -> legacy id -> our pk (of rows imported, merged or imported before)
        self.ids: dict[str, dict[str, Any]] = {}
        self._placeholder = 0

    def pk_of(self, table: str, legacy_id: Any) -> Any:
        """Our pk for a row of `table` (None: skipped or absent, a dangling reference)."""
        if legacy_id is None:
            return None
        return self.ids.get(table, {}).get(str(legacy_id))

    def run_table(self, table: Table) -> TableReport:
        report = TableReport(table=table.name)
        self.report.tables.append(report)
        started = time.monotonic()
        total = self.source.count(table.count_sql)
        progress = Progress(self.stdout, table.name, total)
        label = table.model._meta.label
        ids = self.ids.setdefault(table.name, {})
        for rows in self.source.batches(table.sql, self.batch_size):
            self._run_batch(table, rows, report, label, ids)
            # With DEBUG on (config.settings.local), Django keeps the last 9,000 queries' SQL: a
            # million rows' bulk inserts were 550 MB of it. The import keeps none.
            reset_queries()
            progress.advance(len(rows))
        progress.finish()
        report.seconds = time.monotonic() - started
        return report

    def _run_batch(self, table: Table, rows: list[Row], report: TableReport, label: str, ids: dict[str, Any]) -> None:
        report.read += len(rows)
        keyed = [(str(row[table.key]), row) for row in rows]
        known = {
            record.legacy_id: record
            for record in LegacyRecord.objects.filter(
                source=self.source_name, table=table.name, legacy_id__in=[legacy_id for legacy_id, _ in keyed]
            )
        }
        fresh: list[tuple[str, Row]] = []
        for legacy_id, row in keyed:
            record = known.get(legacy_id)
            if record is None:
                fresh.append((legacy_id, row))
                continue
            if table.keep_ids:
                ids[legacy_id] = _typed_pk(table.model, record.object_id)
            if record.fingerprint == fingerprint(row):
                report.unchanged += 1
            else:
                report.changed += 1
                report.changed_ids.append(legacy_id)
        if self.verify and known:
            self._check_targets(list(known.values()), report)
        if not fresh:
            return
        outcomes = table.convert([row for _, row in fresh])
        created: list[tuple[str, Row, Imported]] = []
        merged: list[tuple[str, Row, Merged]] = []
        records: list[LegacyRecord] = []
        for (legacy_id, row), outcome in zip(fresh, outcomes, strict=True):
            if isinstance(outcome, Skipped):
                report.count_skip(legacy_id, outcome.reason)
                continue
            if isinstance(outcome, Merged):
                report.merged += 1
                report.count_note(outcome.note)
                merged.append((legacy_id, row, outcome))
                continue
            report.imported += 1
            report.count_note(outcome.note)
            created.append((legacy_id, row, outcome))
        if self.dry_run:
            for legacy_id, _, outcome in created:
                if table.keep_ids:
                    ids[legacy_id] = outcome.instance.pk if outcome.instance.pk is not None else self._placeholder_pk()
            for legacy_id, _, merge in merged:
                if table.keep_ids:
                    ids[legacy_id] = _merged_pk(merge) if _merged_pk(merge) is not None else self._placeholder_pk()
            return
        with transaction.atomic():
            instances = [outcome.instance for _, _, outcome in created]
            if instances:
                table.model._default_manager.bulk_create(instances)
                self._restore_times([outcome for _, _, outcome in created])
            for legacy_id, row, outcome in created:
                if table.keep_ids:
                    ids[legacy_id] = outcome.instance.pk
                records.append(self._record(label, table, legacy_id, row, outcome.instance.pk, Outcome.IMPORTED))
            for legacy_id, row, merge in merged:
                # Merged into a row of this very batch: its pk exists only now.
                pk = _merged_pk(merge)
                if table.keep_ids:
                    ids[legacy_id] = pk
                records.append(self._record(label, table, legacy_id, row, pk, Outcome.MERGED))
            LegacyRecord.objects.bulk_create(records)
            if table.after_write is not None and instances:
                table.after_write(instances)

    def _record(self, label: str, table: Table, legacy_id: str, row: Row, pk: Any, outcome: str) -> LegacyRecord:
        return LegacyRecord(
            source=self.source_name,
            table=table.name,
            legacy_id=legacy_id,
            model=label,
            object_id=str(pk),
            outcome=outcome,
            fingerprint=fingerprint(row),
        )

    def _restore_times(self, outcomes: list[Imported]) -> None:
        """Put back the source's times that `auto_now_add`/`auto_now` replaced on insert."""
        dated = [outcome for outcome in outcomes if outcome.times]
        if not dated:
            return
        names = sorted({name for outcome in dated for name in outcome.times})
        for outcome in dated:
            for name, value in outcome.times.items():
                setattr(outcome.instance, name, value)
        model = type(dated[0].instance)
        model._default_manager.bulk_update([outcome.instance for outcome in dated], names)

    def _check_targets(self, records: list[LegacyRecord], report: TableReport) -> None:
        """Count the recorded rows whose row here is gone (one query per model and batch)."""
        by_model: dict[str, list[LegacyRecord]] = {}
        for record in records:
            by_model.setdefault(record.model, []).append(record)
        for label, group in by_model.items():
            model = apps.get_model(label)
            wanted = {_typed_pk(model, record.object_id): record for record in group}
            present = set(model._default_manager.filter(pk__in=list(wanted)).values_list("pk", flat=True))
            for pk, record in wanted.items():
                if pk not in present:
                    report.gone += 1
                    report.gone_ids.append(record.legacy_id)

    def _placeholder_pk(self) -> int:
        # A dry run writes nothing, so integer pks do not exist: children need only "not None".
        self._placeholder -= 1
        return self._placeholder


def _typed_pk(model: type[models.Model], object_id: str) -> Any:
    return model._meta.pk.to_python(object_id)  # type: ignore[union-attr]


def _merged_pk(merge: Merged) -> Any:
    return merge.pk.pk if isinstance(merge.pk, models.Model) else merge.pk
