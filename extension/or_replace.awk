# Turns outflow--0.2.sql into the definitions part of the update from 0.1
# (Makefile: outflow--0.1--0.2.sql = update--0.1--0.2.sql + this): every
# function, procedure and view as CREATE OR REPLACE, so that an object of 0.1
# keeps its identity and privileges and gets 0.2's text, and a new one is
# created; blocks between "-- fresh install only {" and "-- }" (objects the
# hand-written part alters instead) and the script's guard line left out.
/^-- fresh install only \{/ { skip = 1; next }
skip && /^-- \}/ { skip = 0; next }
skip { next }
/^\\echo / { next }
/^-- complain if script is sourced/ { next }
/^CREATE (FUNCTION|PROCEDURE|VIEW) / { $0 = "CREATE OR REPLACE " substr($0, 8) }
{ print }
