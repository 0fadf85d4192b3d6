"""kiosk.core.status: the stored words never change, the database accepts exactly these, and every
word table of the desk screens has an entry for every member."""
from __future__ import annotations

import json
import re

import pytest

from kiosk.core.status import ACTIVE_TICKET_STATUSES, OPEN_VISIT_STATUSES, OutboxState, TicketStatus, VisitStatus
from kiosk.paths import migrations_dir


def _check_values(table: str, column: str) -> set[str]:
    # the newest definition: a later migration may rebuild the table (0008 rebuilds the outbox)
    body = ""
    for path in sorted(migrations_dir().glob("*.sql")):
        sql = path.read_text()
        for name in (f"CREATE TABLE {table} (", f"CREATE TABLE {table}_new ("):
            if name in sql:
                body = sql[sql.index(name):]
    match = re.search(rf"{column}\s+TEXT NOT NULL DEFAULT '\w+'\s+CHECK \({column} IN\s*\(([^)]*)\)", body)
    assert match, f"no CHECK on {table}.{column}"
    return set(re.findall(r"'(\w+)'", match.group(1)))


@pytest.mark.parametrize("enum, table, column", [
    (VisitStatus, "visits", "status"), (TicketStatus, "tickets", "status"), (OutboxState, "outbox", "state")])
def test_members_are_exactly_the_database_check_values(enum, table, column):
    assert {m.value for m in enum} == _check_values(table, column)


def test_members_are_the_stored_strings():
    assert VisitStatus.NEEDS_DESK == "needs_desk" and str(VisitStatus.NEEDS_DESK) == "needs_desk"
    assert f"{TicketStatus.PRINT_FAILED}" == "print_failed"
    assert json.dumps({"s": OutboxState.DEAD}) == '{"s": "dead"}'
    assert VisitStatus("in_progress") is VisitStatus.IN_PROGRESS
    with pytest.raises(ValueError):
        TicketStatus("lost")


def test_active_and_open_sets():
    assert set(ACTIVE_TICKET_STATUSES) == set(TicketStatus) - {TicketStatus.CANCELLED, TicketStatus.DONE}
    assert set(OPEN_VISIT_STATUSES) == {VisitStatus.WAITING, VisitStatus.PROVISIONAL, VisitStatus.NEEDS_DESK}


def test_the_desk_word_tables_cover_every_member():
    pytest.importorskip("PySide6")
    from kiosk.ui.desk.common import STATUS_WORDS
    from kiosk.ui.desk.queue_page import STATE_WORDS
    from kiosk.ui.desk.visit_detail import UPLOAD_STATE
    assert set(STATUS_WORDS) == set(VisitStatus)
    assert set(STATE_WORDS) == set(OutboxState) and set(UPLOAD_STATE) == set(OutboxState)
    for words in (STATUS_WORDS, STATE_WORDS, UPLOAD_STATE):
        assert all(isinstance(k, (VisitStatus, OutboxState)) for k in words)
