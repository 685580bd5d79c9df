-- outflow 0.1 -> 0.2: ALTER EXTENSION outflow UPDATE TO '0.2'.
-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION outflow UPDATE TO '0.2'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- What 0.2 changed of 0.1's objects, written for the update. The build
-- appends outflow--0.2.sql's definitions as CREATE OR REPLACE (Makefile,
-- extension/or_replace.awk) to make outflow--0.1--0.2.sql, so that an updated
-- database equals a fresh 0.2, which sql/extension_upgrade.sql checks.
--
-- - slot_publication remembers several publications per slot: its column
--   publication name becomes publications name[] (each remembered row kept,
--   as a list of one), checked by the constraint publications_listed; its
--   guard trigger becomes the shared _replication_roles_only().
-- - the slots view gains failover, synced, conflicting, invalidation_reason
--   and shows publications instead of publication: dropped and created again
--   (grants given on it to other roles must be given again).
-- - snapshot() returns json instead of jsonb, rendered by the decoder
--   (_snapshot): dropped and created again with _base_type, _number_kind and
--   _object_sql, the SQL rendering 0.2 no longer has (grants on snapshot()
--   must be given again).
-- - create_slot(name, name, boolean, boolean) becomes
--   create_slot(name, text[], boolean, boolean, boolean) and
--   create_slot(name, text, boolean, boolean, boolean) (failover).
-- Every other function of 0.1 keeps its identity and its privileges: CREATE
-- OR REPLACE below gives it 0.2's body and attributes.
-- ---------------------------------------------------------------------------

DROP VIEW slots;
DROP FUNCTION snapshot(name, jsonb);
DROP FUNCTION _object_sql(regclass, name[], boolean);
DROP FUNCTION _number_kind(oid);
DROP FUNCTION _base_type(oid);
DROP FUNCTION create_slot(name, name, boolean, boolean);
DROP TRIGGER slot_managers_only ON slot_publication;
DROP FUNCTION _slot_publication_guard();

ALTER TABLE slot_publication ALTER COLUMN publication TYPE name[] USING ARRAY[publication];
ALTER TABLE slot_publication RENAME COLUMN publication TO publications;
-- 18 and later name a NOT NULL constraint after its column: the name
-- follows the column, as a fresh 0.2 names it.
DO $compat$
BEGIN
	IF EXISTS (SELECT FROM pg_catalog.pg_constraint k WHERE k.conrelid = 'outflow.slot_publication'::pg_catalog.regclass
	           AND k.conname = 'slot_publication_publication_not_null') THEN
		ALTER TABLE outflow.slot_publication RENAME CONSTRAINT slot_publication_publication_not_null TO slot_publication_publications_not_null;
	END IF;
END
$compat$;
ALTER TABLE slot_publication ADD CONSTRAINT publications_listed
	CHECK (cardinality(publications) > 0 AND array_position(publications, NULL) IS NULL
		AND array_position(publications, '') IS NULL);
COMMENT ON TABLE slot_publication IS 'publications remembered for each slot created by outflow.create_slot()';
