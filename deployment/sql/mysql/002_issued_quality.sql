-- An observation's issue time (a forecast's issue time, or the provider's publication/update time,
-- UTC) and the provider's status flag (Elia NotValidated/Validated, Nord Pool Preliminary/Final).
-- Both optional; a later delivery of the same (dataset, series_key, ts) overwrites them with the value.
ALTER TABLE observations
  ADD COLUMN issued DATETIME(3) NULL,
  ADD COLUMN quality VARCHAR(64) NULL;
