-- PLACEHOLDER on branch `report` only: the number 0002 belongs to helper "calling" (queue tables).
-- The runner needs 1, 2, 3... without gaps, so this branch carries an empty file to reach 0004.
-- At merge: DELETE this file and keep calling's 0002.
SELECT 1;
