// stream_check: strict validator of a native-format stream (one JSON object
// per line, as pg_logical_slot_get_changes or pg_recvlogical write it),
// parsed with nlohmann_json. Checks, for every line:
//   - it is a JSON object whose "op" is one of insert/update/delete/truncate/message/begin/commit;
//   - the fields each op must have, with the right JSON types (lsn strings "X/X", xid and seq
//     unsigned integers, commit_time a string, images objects, unchanged an array of strings
//     naming columns absent from "new", delete without "new", insert without "old");
//   - (commit_lsn, seq) unique; within a transaction seq strictly increasing; every change
//     carries its transaction's xid and commit_lsn; a transaction, once ended, does not reappear;
//   - with begin/commit objects (include-transaction): they pair up and commit's "changes" equals
//     the number of objects between them.
//
//   stream_check FILE [--allow-duplicates] [--table NAME] [--expect-inserts N]
//
// --allow-duplicates: a (commit_lsn, seq) may repeat (a consumer restarted before its position
// was confirmed) but only with byte-identical content. --expect-inserts: exactly N distinct
// inserts (of table NAME, with --table) must be in the stream. Prints a summary; exit 1 on any
// problem.
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>

using nlohmann::json;

namespace {

long problems = 0;

void
problem(long lineno, const std::string &what, const std::string &line)
{
	if (problems++ < 20)
		std::cerr << "line " << lineno << ": " << what << ": " << line.substr(0, 300) << "\n";
}

bool
is_lsn(const json &j, const char *field)
{
	if (!j.contains(field) || !j[field].is_string())
		return false;
	const std::string s = j[field];
	auto slash = s.find('/');
	if (slash == std::string::npos || slash == 0 || slash + 1 == s.size())
		return false;
	for (size_t i = 0; i < s.size(); i++)
		if (i != slash && !std::isxdigit(static_cast<unsigned char>(s[i])))
			return false;
	return true;
}

bool
is_uint(const json &j, const char *field)
{
	return j.contains(field) && j[field].is_number_unsigned();
}

} // namespace

int
main(int argc, char **argv)
{
	if (argc < 2)
	{
		std::cerr << "usage: stream_check FILE [--allow-duplicates] [--table NAME] [--expect-inserts N]\n";
		return 2;
	}
	bool allow_duplicates = false;
	std::string only_table;
	long expect_inserts = -1, inserts = 0;
	for (int i = 2; i < argc; i++)
	{
		std::string a = argv[i];
		if (a == "--allow-duplicates")
			allow_duplicates = true;
		else if (a == "--table" && i + 1 < argc)
			only_table = argv[++i];
		else if (a == "--expect-inserts" && i + 1 < argc)
			expect_inserts = std::atol(argv[++i]);
		else
		{
			std::cerr << "stream_check: unknown argument " << a << "\n";
			return 2;
		}
	}
	std::ifstream in(argv[1]);
	if (!in)
	{
		std::cerr << "stream_check: cannot open " << argv[1] << "\n";
		return 2;
	}

	std::string line;
	long lineno = 0, objects = 0, changes = 0, duplicates = 0, txns = 0;
	std::map<std::pair<std::string, uint64_t>, std::string> seen;
	std::set<std::string> ended;   // commit_lsn of transactions left behind
	std::string cur_commit;		   // commit_lsn of the transaction being read
	uint64_t cur_xid = 0;
	long cur_seq = -1;
	bool in_begin = false;		   // inside begin ... commit
	long since_begin = 0;
	static const std::set<std::string> ops = {"insert", "update", "delete", "truncate", "message", "begin", "commit"};

	while (std::getline(in, line))
	{
		lineno++;
		json j = json::parse(line, nullptr, false);
		if (j.is_discarded())
		{
			problem(lineno, "not valid JSON", line);
			continue;
		}
		objects++;
		if (!j.is_object() || !j.contains("op") || !j["op"].is_string() || !ops.count(j["op"].get<std::string>()))
		{
			problem(lineno, "not an object with a known op", line);
			continue;
		}
		const std::string op = j["op"];
		const bool txn_obj = op != "message" || (j.contains("transactional") && j["transactional"] == true);
		if (op == "message")
		{
			if (!j.contains("transactional") || !j["transactional"].is_boolean() || !is_lsn(j, "lsn") ||
				!j.contains("prefix") || !j["prefix"].is_string() ||
				(j.contains("content") == j.contains("content_base64")))
				problem(lineno, "bad message fields", line);
			if (!txn_obj)
				continue;
		}
		if (!is_lsn(j, "commit_lsn") || !is_uint(j, "xid") || !j.contains("commit_time") ||
			!j["commit_time"].is_string())
		{
			problem(lineno, "missing commit_lsn/xid/commit_time", line);
			continue;
		}
		const std::string commit = j["commit_lsn"];
		const uint64_t xid = j["xid"];
		if (commit != cur_commit)
		{
			if (!cur_commit.empty())
				ended.insert(cur_commit);
			if (ended.count(commit) && !allow_duplicates)
				problem(lineno, "transaction reappears after another one", line);
			cur_commit = commit;
			cur_xid = xid;
			cur_seq = -1;
			txns++;
		}
		else if (xid != cur_xid)
			problem(lineno, "xid differs within a transaction", line);

		if (op == "begin")
		{
			if (in_begin && !allow_duplicates)
				problem(lineno, "begin inside a transaction", line);
			in_begin = true;
			since_begin = 0;
			cur_seq = -1;
			continue;
		}
		if (op == "commit")
		{
			if (!in_begin)
				problem(lineno, "commit without begin", line);
			else if (!is_uint(j, "changes") || j["changes"].get<long>() != since_begin)
				problem(lineno, "commit's changes differs from the objects sent (" + std::to_string(since_begin) + ")",
						line);
			if (!is_lsn(j, "end_lsn"))
				problem(lineno, "commit without end_lsn", line);
			in_begin = false;
			continue;
		}
		since_begin++;
		if (!is_uint(j, "seq"))
		{
			problem(lineno, "change without seq", line);
			continue;
		}
		const uint64_t seq = j["seq"];
		auto key = std::make_pair(commit, seq);
		auto it = seen.find(key);
		if (it != seen.end())
		{
			duplicates++;
			if (!allow_duplicates)
				problem(lineno, "duplicate (commit_lsn, seq)", line);
			else if (it->second != line)
				problem(lineno, "duplicate (commit_lsn, seq) with different content", line);
			cur_seq = static_cast<long>(seq);
			continue;
		}
		seen.emplace(key, line);
		if (static_cast<long>(seq) <= cur_seq)
			problem(lineno, "seq not increasing within the transaction", line);
		cur_seq = static_cast<long>(seq);
		if (op == "message")
			continue;
		changes++;
		if (!j.contains("schema") || !j["schema"].is_string() || !j.contains("table") || !j["table"].is_string() ||
			!is_lsn(j, "lsn"))
			problem(lineno, "missing schema/table/lsn", line);
		if (op == "truncate")
		{
			if (!j.contains("cascade") || !j["cascade"].is_boolean() || !j.contains("restart_identity") ||
				!j["restart_identity"].is_boolean())
				problem(lineno, "truncate without cascade/restart_identity", line);
			continue;
		}
		for (const char *f : {"key", "old", "new"})
			if (j.contains(f) && !j[f].is_object())
				problem(lineno, std::string(f) + " is not an object", line);
		// (an insert may list unchanged columns: a publication row filter makes
		// inserts of updates that move rows into it)
		if (op == "insert" && (!j.contains("new") || j.contains("old")))
			problem(lineno, "insert needs new, and no old", line);
		if (op == "insert" && (only_table.empty() || (j["table"].is_string() && j["table"] == only_table)))
			inserts++;
		if (op == "update" && !j.contains("new"))
			problem(lineno, "update without new", line);
		if (op == "delete" && (j.contains("new") || j.contains("unchanged")))
			problem(lineno, "delete with new/unchanged", line);
		if (j.contains("unchanged"))
		{
			const json &u = j["unchanged"];
			if (!u.is_array() || u.empty())
				problem(lineno, "unchanged is not a non-empty array", line);
			else
				for (const json &c : u)
					if (!c.is_string() || j["new"].contains(c.get<std::string>()))
						problem(lineno, "unchanged names a column that is in new", line);
		}
	}
	if (in_begin)
		std::cerr << "note: stream ends inside a transaction (no commit object)\n";
	if (expect_inserts >= 0 && inserts != expect_inserts)
	{
		std::cerr << "expected " << expect_inserts << " inserts" << (only_table.empty() ? "" : " of " + only_table)
				  << ", got " << inserts << "\n";
		problems++;
	}
	std::cout << "lines " << lineno << ", objects " << objects << ", transactions " << txns << ", row changes "
			  << changes << ", inserts " << inserts << ", duplicates " << duplicates << ", problems " << problems
			  << "\n";
	return problems == 0 ? 0 : 1;
}
