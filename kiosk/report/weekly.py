"""Preparing the weekly report: render the formats, write them atomically, and raise the flag
staff see ("last week's report is ready"). The daily job checks each morning that last week's
report exists, so it is ready well before the department's deadline, Wednesday 10:00."""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from kiosk.core.clock import iso
from kiosk.report.figures import Report, build_report
from kiosk.report.period import Period, last_week
from kiosk.report.source import store_source

log = logging.getLogger(__name__)

FORMATS = ("xlsx", "pdf", "csv", "json")
READY_KEY = "report.weekly.ready"       # settings row: JSON {week, at, files}
REPORTS_SUBDIR = "reports"


class ReportError(Exception):
    """A report that cannot be produced or written; the message says what to fix."""


class FormatUnavailable(ReportError):
    """The library a format needs is not installed (e.g. matplotlib left out of the one-dir build)."""


_LIBRARY = {"xlsx": "openpyxl", "pdf": "matplotlib"}


def render(report: Report, fmt: str) -> bytes:
    try:
        return _render(report, fmt)
    except ImportError as exc:
        lib = _LIBRARY.get(fmt, exc.name)
        raise FormatUnavailable(f"the {fmt} report needs {lib}, which this installation lacks "
                                f"(pip install {lib}); csv and json need nothing") from None


def _render(report: Report, fmt: str) -> bytes:
    if fmt == "json":
        from kiosk.report.render_json import render_json
        return render_json(report)
    if fmt == "csv":
        from kiosk.report.render_csv import render_csv
        return render_csv(report)
    if fmt == "xlsx":
        from kiosk.report.render_xlsx import render_xlsx
        return render_xlsx(report)
    if fmt == "pdf":
        from kiosk.report.render_pdf import render_pdf
        return render_pdf(report)
    raise ReportError(f"unknown report format {fmt!r}: one of {', '.join(FORMATS)}")


def reports_dir(cfg) -> Path:
    configured = getattr(cfg, "report_dir", None)
    if configured and str(configured) not in ("", "."):
        return Path(configured)
    return Path(cfg.data_dir) / REPORTS_SUBDIR


def file_name(report: Report, fmt: str) -> str:
    who = report.facility or "kiosk"
    return f"bao-cao-tuan-{who}-{report.kiosk or 'all'}-{report.period.label}.{fmt}".replace("..", "_to_")


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ReportError(f"cannot write the report to {path}: {exc.strerror or exc}") from exc


def build_for_store(store, cfg, period: Period, now: datetime) -> Report:
    return build_report(store_source(store), period, facility=cfg.facility_code, kiosk=cfg.kiosk_id,
                        generated_at=now)


@dataclass(frozen=True)
class Prepared:
    period: Period
    files: tuple[Path, ...]
    skipped: bool = False            # already prepared


def ready_flag(store) -> dict | None:
    """What staff are told: {week, at, files} of the newest prepared report, or None."""
    text = store.settings.get(READY_KEY)
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def prepare_weekly(store, cfg, now: datetime, period: Period | None = None,
                   formats: tuple[str, ...] | None = None, *, force: bool = False) -> Prepared:
    """Write last week's report (or `period`'s) in `formats` and raise the ready flag. Skipped when
    that week's files are all there already (unless `force`)."""
    period = period or last_week(now)
    formats = tuple(formats or getattr(cfg, "report_formats", None) or ("xlsx", "pdf", "json"))
    for fmt in formats:
        if fmt not in FORMATS:
            raise ReportError(f"unknown report format {fmt!r}: one of {', '.join(FORMATS)}")
    out = reports_dir(cfg)
    flag = ready_flag(store)
    if not force and flag and flag.get("week") == period.label and all(
            (out / f).exists() for f in flag.get("files", [])) and len(flag.get("files", [])) >= len(formats):
        return Prepared(period, tuple(out / f for f in flag["files"]), skipped=True)
    report = build_for_store(store, cfg, period, now)
    paths, missing = [], []
    for fmt in formats:
        try:
            data = render(report, fmt)
        except FormatUnavailable as exc:      # the other formats still reach the department
            log.error("weekly report %s: %s", period.label, exc)
            missing.append(fmt)
            continue
        path = out / file_name(report, fmt)
        write_atomic(path, data)
        paths.append(path)
    if not paths:
        raise ReportError(f"weekly report {period.label}: no format could be produced ({', '.join(missing)})")
    with store.transaction():
        store.settings.set(READY_KEY, json.dumps({"week": period.label, "at": iso(now),
                                                  "files": [p.name for p in paths]}))
    log.info("weekly report %s prepared: %s", period.label, ", ".join(p.name for p in paths))
    return Prepared(period, tuple(paths))


def weekly_report_job(store_factory: Callable[[], object], cfg) -> Callable[[datetime], Prepared]:
    """For the daily scheduler: each morning, make sure last week's report is prepared."""
    def run(now: datetime) -> Prepared:
        store = store_factory()
        try:
            return prepare_weekly(store, cfg, now)
        finally:
            store.close()
    return run
