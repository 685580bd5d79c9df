-- Compares the updated database's facts (psql variables updated_described,
-- updated_members, updated_functions) with a fresh install's (described,
-- members, functions), both from extension_objects.sql: the same counts,
-- something compared, and no line only on one side.
SELECT :updated_members = :members AS same_members, :updated_functions = :functions AS same_functions,
	:functions >= 50 AS functions_compared, cardinality(string_to_array(:'described', E'\n')) > 300 AS facts_compared;
(SELECT 'only updated' AS side, line FROM unnest(string_to_array(:'updated_described', E'\n')) AS u(line)
 EXCEPT SELECT 'only updated', line FROM unnest(string_to_array(:'described', E'\n')) AS f(line))
UNION ALL
(SELECT 'only fresh', line FROM unnest(string_to_array(:'described', E'\n')) AS f(line)
 EXCEPT SELECT 'only fresh', line FROM unnest(string_to_array(:'updated_described', E'\n')) AS u(line))
ORDER BY 1, 2;
