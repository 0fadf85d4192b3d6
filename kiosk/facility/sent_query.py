"""A query sent now and answered later, on the caller's own thread (libpq's asynchronous calls).

The kiosk sends its hub number request before it signs the check-in record and reads the answer
after: the hub works while the kiosk signs, with no second thread. On a busy two-core machine every
thread wake-up waits its turn for a CPU, so a helper thread's two hops (wake to send, wake to hand
the answer over) cost more than the round trip itself.
The values go as text parameters (`$1`…, the extended protocol: never spliced into the query), on
an autocommit connection: one statement, one implicit transaction.
"""
from __future__ import annotations

import select
import time

import psycopg
from psycopg import pq


def _text(value) -> bytes | None:
    """A parameter in PostgreSQL's text input form (text[] as an array literal, each element quoted)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return b"t" if value else b"f"
    if isinstance(value, (list, tuple)):
        quoted = ('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value)
        return ("{" + ",".join(quoted) + "}").encode()
    return str(value).encode()


class SentQuery:
    def __init__(self, conn: psycopg.Connection, query: bytes, args: tuple):
        """Send `query` ($1… placeholders) with `args`; raises psycopg.Error."""
        self._pg = conn.pgconn
        self._pg.send_query_params(query, [_text(a) for a in args])

    def _ready(self, deadline: float) -> None:
        while True:
            self._pg.consume_input()
            if not self._pg.is_busy():
                return
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the hub did not answer in time")
            select.select([self._pg.socket], [], [], left)

    def row(self, deadline: float) -> list[bytes | None]:
        """The first row of the answer (values as text). psycopg.Error when the hub refused the
        query or the connection failed; TimeoutError at the deadline (the connection is then unusable)."""
        self._ready(deadline)
        res = self._pg.get_result()
        if res is None:
            raise psycopg.OperationalError("the hub sent no answer")
        while True:         # the end of the command (ReadyForQuery): the connection is free again
            self._ready(deadline)
            if self._pg.get_result() is None:
                break
        if res.status != pq.ExecStatus.TUPLES_OK:
            message = (res.error_message or b"").decode("utf-8", "replace").strip()
            state = res.error_field(pq.DiagnosticField.SQLSTATE)
            cls = psycopg.errors.lookup(state.decode()) if state else psycopg.DatabaseError
            raise cls(message or "the hub refused the query")
        if res.ntuples < 1:
            raise psycopg.DataError("the hub answered no row")
        return [res.get_value(0, i) for i in range(res.nfields)]
