-- outflow 0.2 -> 0.3: ALTER EXTENSION outflow UPDATE TO '0.3'.
-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION outflow UPDATE TO '0.3'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- What 0.3 changed of 0.2's objects, written for the update. The build
-- appends outflow--0.3.sql's definitions as CREATE OR REPLACE (Makefile,
-- extension/or_replace.awk) to make outflow--0.2--0.3.sql, so that an updated
-- database equals a fresh 0.3, which sql/extension_upgrade.sql checks.
--
-- Nothing here: every change CREATE OR REPLACE makes by itself.
-- - _identity() is written in C (the decoder's own decision,
--   decoder/identity.h) instead of SQL: the same arguments and result, so
--   CREATE OR REPLACE changes its language in place.
-- Every function of 0.2 keeps its identity and its privileges; 0.2's
-- tables, triggers and grants stay as they are (outflow--0.3.sql marks them
-- "fresh install only").
-- ---------------------------------------------------------------------------
