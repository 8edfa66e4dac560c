-- When `scalar dead-letters replay` landed a dead-lettered payload (NULL: not replayed yet).
ALTER TABLE dead_letters ADD COLUMN replayed_at DATETIME(3) NULL;
