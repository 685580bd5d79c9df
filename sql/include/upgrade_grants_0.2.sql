-- Grants and revokes on objects as 0.2 has them (new in 0.2, or created
-- again by the update to 0.2), given alike to every database
-- extension_upgrade.sql compares: the update to 0.3 must neither undo a
-- revoke nor lose a grant.
GRANT EXECUTE ON FUNCTION outflow.set_actions(name, text[]) TO regress_outflow_upgrade;
GRANT EXECUTE ON FUNCTION outflow._backfill_moved() TO regress_outflow_upgrade;
REVOKE SELECT ON outflow.backfills FROM PUBLIC;
REVOKE USAGE ON SEQUENCE outflow.backfills_id_seq FROM PUBLIC;
REVOKE SELECT ON outflow.slots FROM PUBLIC;
GRANT SELECT ON outflow.backfill_status TO regress_outflow_upgrade;
