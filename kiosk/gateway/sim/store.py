"""Gateway simulator: its own SQLite store of received dossiers (std sqlite3, not the kiosk's DB).

One accepted copy per (MA_LK, loaiHoSo); every later copy is stored too but marked duplicate,
like the real gateway files resends as error dossiers.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.core.clock import VN_TZ

SCHEMA = """
CREATE TABLE IF NOT EXISTS received (
    id           INTEGER PRIMARY KEY,
    ma_lk        TEXT NOT NULL,
    loai_ho_so   TEXT NOT NULL,
    ma_cskcb     TEXT NOT NULL,
    ma_giao_dich TEXT NOT NULL,
    received_at  TEXT NOT NULL,      -- yyyyMMddHHmmss, facility local time
    day          TEXT NOT NULL,      -- yyyyMMdd of received_at
    duplicate    INTEGER NOT NULL,
    tables       TEXT NOT NULL,
    xml          BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS received_lk ON received(ma_lk, loai_ho_so);
CREATE INDEX IF NOT EXISTS received_day ON received(ma_cskcb, day);
CREATE TABLE IF NOT EXISTS history (     -- accepted visit summaries: the health-book feed
    id      INTEGER PRIMARY KEY,
    card    TEXT NOT NULL,
    cccd    TEXT NOT NULL,
    row     TEXT NOT NULL                -- JSON, dsLichSuKCB2025 item shape
);
CREATE INDEX IF NOT EXISTS history_card ON history(card);
CREATE INDEX IF NOT EXISTS history_cccd ON history(cccd);
"""


@dataclass(frozen=True)
class Stored:
    ma_lk: str
    loai_ho_so: str
    ma_giao_dich: str
    received_at: str
    duplicate: bool
    original_ma_giao_dich: str      # the first copy's receipt (equal to ma_giao_dich if not duplicate)


class SimStore:
    def __init__(self, path: Path):
        # it holds synthetic dossiers in clear: readable by its owner only (red-team Info)
        path = Path(path)
        if not path.exists():
            path.touch(mode=0o600)
        os.chmod(path, 0o600)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self._conn.executescript(SCHEMA)
        self._lock = threading.Lock()
        self._seq = self._conn.execute("SELECT count(*) FROM received").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def store(self, ma_lks: list[tuple[str, str]], loai_ho_so: str, ma_cskcb: str, xml: bytes,
              now: datetime) -> list[Stored]:
        """Store one upload (several MA_LK for a multi-dossier envelope) in one transaction."""
        local = now.astimezone(VN_TZ)
        stamp = local.strftime("%Y%m%d%H%M%S")
        out = []
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for ma_lk, tables in ma_lks:
                    self._seq += 1
                    ma_giao_dich = f"{ma_cskcb}{stamp}{self._seq:08d}"
                    first = self._conn.execute(
                        "SELECT ma_giao_dich FROM received WHERE ma_lk = ? AND loai_ho_so = ? AND duplicate = 0",
                        (ma_lk, loai_ho_so)).fetchone()
                    self._conn.execute(
                        "INSERT INTO received (ma_lk, loai_ho_so, ma_cskcb, ma_giao_dich, received_at, day, duplicate,"
                        " tables, xml) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (ma_lk, loai_ho_so, ma_cskcb, ma_giao_dich, stamp, stamp[:8], int(first is not None),
                         tables, xml))
                    out.append(Stored(ma_lk, loai_ho_so, ma_giao_dich, stamp, first is not None,
                                      first[0] if first else ma_giao_dich))
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return out

    def add_history(self, card: str, cccd: str, row: dict) -> None:
        with self._lock:
            self._conn.execute("INSERT INTO history (card, cccd, row) VALUES (?, ?, ?)",
                               (card, cccd, json.dumps(row, ensure_ascii=False)))

    def history(self, card: str, cccd: str) -> list[dict]:
        with self._lock:
            rows = self._conn.execute("SELECT row FROM history WHERE (card = ? AND card != '') OR "
                                      "(cccd = ? AND cccd != '') ORDER BY id", (card, cccd)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def listing(self, ma_cskcb: str, day: str, ma_lk: str = "", loai_ho_so: str = "") -> list[dict]:
        """The per-day received listing (nhanChiTietHSNgay-style)."""
        sql = ("SELECT ma_lk, loai_ho_so, ma_giao_dich, received_at, duplicate, xml FROM received "
               "WHERE ma_cskcb = ? AND day = ?")
        args: list = [ma_cskcb, day]
        if ma_lk:
            sql, args = sql + " AND ma_lk = ?", args + [ma_lk]
        if loai_ho_so:
            sql, args = sql + " AND loai_ho_so = ?", args + [loai_ho_so]
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY id", args).fetchall()
        return [{"maLK": r[0], "loaiHoSo": r[1], "maGiaoDich": r[2], "thoiGianTiepNhan": r[3],
                 "trangThai": "TRUNG_LAP" if r[4] else "DA_TIEP_NHAN",
                 "hashHoSo": hashlib.sha256(r[5]).hexdigest()} for r in rows]

    def received(self, ma_lk: str = "", with_xml: bool = True) -> list[dict]:
        sql = "SELECT ma_lk, loai_ho_so, received_at, duplicate, ma_giao_dich, tables, xml FROM received"
        args: tuple = ()
        if ma_lk:
            sql, args = sql + " WHERE ma_lk = ?", (ma_lk,)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY id", args).fetchall()
        out = []
        for r in rows:
            item = {"ma_lk": r[0], "loai_ho_so": r[1], "received_at": r[2], "duplicate": bool(r[3]),
                    "ma_giao_dich": r[4], "tables": r[5].split(",")}
            if with_xml:
                item["xml_base64"] = base64.b64encode(r[6]).decode("ascii")
            out.append(item)
        return out

    def stats(self) -> dict:
        with self._lock:
            total, dups = self._conn.execute(
                "SELECT count(*), coalesce(sum(duplicate), 0) FROM received").fetchone()
            distinct = self._conn.execute(
                "SELECT count(*) FROM (SELECT DISTINCT ma_lk, loai_ho_so FROM received)").fetchone()[0]
            multi = self._conn.execute(
                "SELECT count(*) FROM (SELECT ma_lk, loai_ho_so FROM received GROUP BY ma_lk, loai_ho_so "
                "HAVING count(*) > 1)").fetchone()[0]
        return {"total": total, "duplicates": dups, "distinct": distinct, "ma_lk_with_copies": multi}

    def reset(self) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM received")
