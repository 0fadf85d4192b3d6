-- PLACEHOLDER on branch `hubscale` only: the number 0007 belongs to another helper.
-- The runner needs 1, 2, 3... without gaps, so this branch carries an empty file to reach 0008.
-- At merge: DELETE this file and keep the real 0007.
SELECT 1;
