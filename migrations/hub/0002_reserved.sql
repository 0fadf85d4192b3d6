-- PLACEHOLDER on branch `hubscale` only: hub migration 0002 belongs to `hubdesk` (staff accounts).
-- The hub runner needs 1, 2, 3... without gaps, so this branch carries an empty file to reach 0003.
-- At merge: DELETE this file and keep the real 0002.
SELECT 1;
