-- Hub schema 8: the technician's hub check reads the schema version as the kiosk role.
GRANT SELECT ON hub_schema_migrations TO kiosk_group, worker_group;
