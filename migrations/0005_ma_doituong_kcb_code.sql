-- MA_DOITUONG_KCB is a code of the QĐ 824 / QĐ 3276 list ("1.1", "1.10", "2", "3.1" ...), a string:
-- an INTEGER column cannot keep "1.10" apart from "1.1". Old integer values: 2 (emergency) stays
-- "2"; everything else was the default 1 ("regular"), which is "1.1" (registered facility).
ALTER TABLE visits RENAME COLUMN ma_doituong_kcb TO ma_doituong_kcb_int;
ALTER TABLE visits ADD COLUMN ma_doituong_kcb TEXT NOT NULL DEFAULT '1.1';
UPDATE visits SET ma_doituong_kcb = CASE ma_doituong_kcb_int WHEN 2 THEN '2' ELSE '1.1' END;
ALTER TABLE visits DROP COLUMN ma_doituong_kcb_int;
