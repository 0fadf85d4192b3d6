"""Hardware drivers: scanners, chip card, printer. No Qt, no `kiosk` imports."""
