"""`python -m kiosk` (and the PyInstaller entry point)."""
import sys

from kiosk.cli import main

if __name__ == "__main__":
    sys.exit(main())
