-- Issue 16: SQLite's hour rollups become WITHOUT ROWID tables here (clustered on their
-- key). PostgreSQL reads a range of hours through the key's index either way and keeps no
-- such choice per table, so nothing changes on this side; the number is kept so both
-- databases list the same migrations.
SELECT 1;
