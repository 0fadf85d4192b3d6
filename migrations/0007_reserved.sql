-- Reserved: the number 0007 was set aside for a change that needed no migration.
-- The runner needs 1, 2, 3... without gaps, so this empty step stays (like 0003).
SELECT 1;
