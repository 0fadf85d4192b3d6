"""Regenerate the README's settings table and kiosk/config_fields.py from kiosk/settings_table.py (the one
declaration)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kiosk.config import fields_source, schema_markdown  # noqa: E402

START, END = "<!-- settings:start -->", "<!-- settings:end -->"


def main() -> int:
    readme = Path(__file__).resolve().parents[1] / "README.md"
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{schema_markdown()}\n{END}{tail}", encoding="utf-8")
    fields = Path(__file__).resolve().parents[1] / "kiosk" / "config_fields.py"
    fields.write_text(fields_source(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
