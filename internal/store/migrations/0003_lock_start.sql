-- 0003: a lock remembers when its process started, so a reused pid (every
-- container run is pid 1) is not mistaken for the holder.
ALTER TABLE locks ADD COLUMN proc_start TEXT NOT NULL DEFAULT '';
