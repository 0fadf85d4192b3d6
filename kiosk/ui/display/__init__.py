"""The waiting-room display (`kiosk display`): called numbers and where to go, next numbers per
room, estimated waits, a clock. It is handed a feed; it never opens the store itself."""
