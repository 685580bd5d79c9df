// ndjson_check: validates a stream of outflow's native format, one JSON object
// per line (nlohmann_json does the parsing). Reports every invalid line and,
// for row changes, duplicates of the idempotency key (commit_lsn, seq).
//
//   ndjson_check FILE [--expect-inserts N] [--table NAME] [--allow-duplicates]
//
// Prints a summary; exits 1 on any invalid line, an unexpected count or a
// duplicate key (unless allowed, in which case duplicates must be identical).
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>

using nlohmann::json;

int
main(int argc, char **argv)
{
	if (argc < 2)
	{
		std::cerr << "usage: ndjson_check FILE [--expect-inserts N] [--table NAME] [--allow-duplicates]\n";
		return 2;
	}
	long expect_inserts = -1;
	bool allow_duplicates = false;
	std::string table;
	for (int i = 2; i < argc; i++)
	{
		std::string a = argv[i];
		if (a == "--expect-inserts" && i + 1 < argc)
			expect_inserts = std::atol(argv[++i]);
		else if (a == "--table" && i + 1 < argc)
			table = argv[++i];
		else if (a == "--allow-duplicates")
			allow_duplicates = true;
		else
		{
			std::cerr << "ndjson_check: unknown argument " << a << "\n";
			return 2;
		}
	}

	std::ifstream in(argv[1]);
	if (!in)
	{
		std::cerr << "ndjson_check: cannot open " << argv[1] << "\n";
		return 2;
	}
	std::string line;
	long lineno = 0, invalid = 0, rows = 0, duplicates = 0, conflicts = 0;
	std::map<std::pair<std::string, long>, std::string> seen;
	std::set<long> inserted_ids;
	while (std::getline(in, line))
	{
		lineno++;
		if (line.empty())
			continue;
		json j = json::parse(line, nullptr, false);
		if (j.is_discarded() || !j.is_object() || !j.contains("op"))
		{
			if (invalid++ < 5)
				std::cerr << "invalid JSON object at line " << lineno << ": " << line.substr(0, 200) << "\n";
			continue;
		}
		std::string op = j["op"];
		if (op != "insert" && op != "update" && op != "delete")
			continue;
		if (!table.empty() && j.value("table", "") != table)
			continue;
		rows++;
		auto key = std::make_pair(j["commit_lsn"].get<std::string>(), j["seq"].get<long>());
		auto it = seen.find(key);
		if (it != seen.end())
		{
			duplicates++;
			if (it->second != line)
				conflicts++;
			continue;
		}
		seen.emplace(key, line);
		if (op == "insert" && j["new"].contains("id"))
			inserted_ids.insert(j["new"]["id"].get<long>());
	}

	std::cout << "lines " << lineno << ", row changes " << rows << ", distinct inserts " << inserted_ids.size()
			  << ", invalid " << invalid << ", duplicates " << duplicates << ", conflicting duplicates "
			  << conflicts << "\n";
	bool ok = invalid == 0 && conflicts == 0 && (allow_duplicates || duplicates == 0);
	if (expect_inserts >= 0 && static_cast<long>(inserted_ids.size()) != expect_inserts)
	{
		std::cerr << "expected " << expect_inserts << " distinct inserted ids, got " << inserted_ids.size() << "\n";
		ok = false;
	}
	return ok ? 0 : 1;
}
