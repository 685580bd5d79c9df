# Turns an install script outflow--B.sql into the definitions part of the
# update from the version A before it (Makefile: outflow--A--B.sql =
# update--A--B.sql + this): every function, procedure and view as CREATE OR
# REPLACE, so that an object of A keeps its identity and privileges and gets
# B's text, and a new one is created; blocks between "-- fresh install only {" and "-- }" (objects the
# hand-written part alters instead) and the script's guard line left out.
/^-- fresh install only \{/ { skip = 1; next }
skip && /^-- \}/ { skip = 0; next }
skip { next }
/^\\echo / { next }
/^-- complain if script is sourced/ { next }
/^CREATE (FUNCTION|PROCEDURE|VIEW) / { $0 = "CREATE OR REPLACE " substr($0, 8) }
{ print }
