-- Helpers shared by the regression files (included with \ir, quietly).
-- stable(): masks what changes from run to run (LSNs, xids, commit times).
CREATE OR REPLACE FUNCTION stable(data text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT regexp_replace(regexp_replace(regexp_replace(data,
    '"(lsn|commit_lsn|end_lsn)":"[0-9A-F]+/[0-9A-F]+"', '"\1":"L"', 'g'),
    '"xid":[0-9]+', '"xid":X', 'g'),
    '"commit_time":"[^"]*"', '"commit_time":"T"', 'g')
$$;
-- changes(): consumes the slot's changes, masked, with extra options.
CREATE OR REPLACE FUNCTION changes(slot name, VARIADIC options text[] DEFAULT '{}') RETURNS SETOF text
LANGUAGE sql AS $$
  SELECT stable(data) FROM pg_logical_slot_get_changes(slot, NULL, NULL, VARIADIC options)
$$;
