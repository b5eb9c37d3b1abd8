"""The import report's row lists (skipped, changed, gone) are bounded in memory: they spool to a
temporary file and stream into the JSON report."""

import io
import json
import tracemalloc

from django.utils import timezone

from legacy.importing import PRINTED_EXAMPLES, Report, TableReport

MANY_SKIPS = 200_000


def test_many_bad_rows_cost_disk_not_memory():
    table = TableReport(table="messages")
    tracemalloc.start()
    try:
        for index in range(MANY_SKIPS):
            table.count_skip(str(index), "to: not a phone number" if index % 2 else "body: empty")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 200,000 skips held as dicts were ~60 MB; spooled, the peak is the spool's in-memory part.
    assert peak < 4 * 1024 * 1024, peak
    assert table.skipped == MANY_SKIPS
    assert table.skip_reasons == {"body: empty": MANY_SKIPS // 2, "to: not a phone number": MANY_SKIPS // 2}
    assert table.skip_examples["body: empty"] == ["0", "2", "4", "6", "8"][:PRINTED_EXAMPLES]


def test_the_json_report_lists_every_row_and_appending_continues_after_a_read():
    report = Report(source="messaging", dry_run=False, started_at=timezone.now())
    table = TableReport(table="messages")
    report.tables.append(table)
    table.count_skip("1", "body: empty")
    table.changed_ids.append("7")
    assert [item["legacy_id"] for item in table.skips] == ["1"]
    table.count_skip("2", 'quote " and\nnewline')
    table.gone_ids.append("9")

    out = io.StringIO()
    report.write_json(out)
    written = json.loads(out.getvalue())

    assert written["source"] == "messaging"
    [messages] = written["tables"]
    assert messages["skips"] == [
        {"legacy_id": "1", "reason": "body: empty"},
        {"legacy_id": "2", "reason": 'quote " and\nnewline'},
    ]
    assert messages["changed_ids"] == ["7"]
    assert messages["gone_ids"] == ["9"]
    assert messages["skipped"] == 2
    assert messages["skip_reasons"] == {"body: empty": 1, 'quote " and\nnewline': 1}
