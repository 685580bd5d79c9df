-- Grants and a revoke on objects 0.1 has, given alike to every database
-- extension_upgrade.sql compares (an update must keep them).
GRANT EXECUTE ON FUNCTION outflow.publish_table(name, regclass, name[], text, text[]) TO regress_outflow_upgrade;
REVOKE EXECUTE ON FUNCTION outflow.drop_slot(name) FROM PUBLIC;
GRANT TRUNCATE ON outflow.slot_publication TO regress_outflow_upgrade;
GRANT UPDATE (created_at) ON outflow.slot_publication TO regress_outflow_upgrade;
