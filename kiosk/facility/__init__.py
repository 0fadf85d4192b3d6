"""Facility mode: many kiosks and desks on one queue through a PostgreSQL hub, still offline-first.

The kiosk keeps its encrypted local store and works without the hub exactly as before; this wing
adds the hub's schema and roles (`schema`), the connection rules (`dsn`), online ticket numbering
(`numbering`), the push/pull of what kiosks record (`push`, `pull`), upload ownership (`handover`,
`worker`), the desks' live read model (`listen`) and `kiosk hub status` (`status`).
"""
