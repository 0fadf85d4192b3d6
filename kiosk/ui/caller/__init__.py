"""The compact caller panel for a counter or clinic room (`kiosk caller`)."""
