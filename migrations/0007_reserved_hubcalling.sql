-- PLACEHOLDER on branch `hubcalling` only: the number 0007 belongs to another helper.
-- The runner needs 1, 2, 3... without gaps, so this branch carries an empty file to reach 0009.
-- At merge: DELETE this file and keep the real 0007.
SELECT 1;
