-- Helpers shared by the regression files (included with \ir, quietly).
-- stable(): masks what changes from run to run (LSNs, xids, subxids,
-- commit, prepare and rollback times, relation oids).
CREATE OR REPLACE FUNCTION stable(data text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(data,
    '"(lsn|commit_lsn|end_lsn|prepare_lsn|abort_lsn|rollback_lsn)":"[0-9A-F]+/[0-9A-F]+"', '"\1":"L"', 'g'),
    '"xid":[0-9]+', '"xid":X', 'g'),
    '"(commit_time|prepare_time|rollback_time)":"[^"]*"', '"\1":"T"', 'g'),
    '"subxid":[0-9]+', '"subxid":S', 'g'),
    '"relid":[0-9]+', '"relid":R', 'g')
$$;
-- changes(): consumes the slot's changes, masked, with extra options.
CREATE OR REPLACE FUNCTION changes(slot name, VARIADIC options text[] DEFAULT '{}') RETURNS SETOF text
LANGUAGE sql AS $$
  SELECT stable(data) FROM pg_logical_slot_get_changes(slot, NULL, NULL, VARIADIC options)
$$;
