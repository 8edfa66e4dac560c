-- An observation's issue time (a forecast's issue time, or the provider's publication/update time,
-- UTC) and the provider's status flag (Elia NotValidated/Validated, Nord Pool Preliminary/Final).
-- Both optional value columns (not key columns): a plain INSERT still upserts and overwrites them.
-- One statement, so the table goes through one schema change (fast schema evolution on 3.x).
ALTER TABLE observations ADD COLUMN (issued DATETIME NULL, quality VARCHAR(64) NULL);
