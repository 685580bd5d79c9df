#!/bin/bash
# The C++/PostgreSQL wall (README, "The C++/PostgreSQL wall"), checked on the
# built objects by tests/tools/wall_check.py: no C++ object with a destructor
# alive across a call that can reach PostgreSQL (whose errors longjmp past
# destructors), and pg.h's include order in every source.
# First a self-test proves the check can fail: tiny translation units that
# break the rule must be flagged (each by name), and ones that keep it not.
#   tests/wall_check.sh               self-test, then the tree (after make)
#   tests/wall_check.sh --self-test   only the self-test
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tool=$root/tests/tools/wall_check.py
postgres=$(pg_config --bindir)/postgres
CXX=${CXX:-g++}

if [ "$(uname -m)" != x86_64 ]; then
	echo "wall_check reads x86-64 objects; this is $(uname -m): skipped"
	exit 77
fi

failures=0
# expect WANT NAME... -- ARGS: runs the tool, wants exit status WANT and each NAME in its output.
expect() {
	local want=$1; shift
	local names=()
	while [ "$1" != -- ]; do names+=("$1"); shift; done
	shift
	local out rc=0
	out=$(python3 "$tool" "$@" 2>&1) || rc=$?
	local ok=1
	[ "$rc" = "$want" ] || ok=
	for n in "${names[@]}"; do grep -qF -- "$n" <<<"$out" || ok=; done
	if [ -z "$ok" ]; then
		echo "SELF-TEST FAILED: wall_check.py $1 (wanted status $want and: ${names[*]}), got $rc:"
		echo "$out"
		failures=$((failures + 1))
	fi
}

# The self-test's translation units. PostgreSQL functions are declared as
# pg.h declares them (extern "C"); the names are ones the postgres binary exports.
write_units() {
	cat >"$1/decl.h" <<'CPP'
#include <cstddef>
#include <string>
#include <vector>
extern "C" void *palloc(std::size_t size);
extern "C" bool errstart(int elevel, const char *domain);
void use(const std::string &s);
int pg_helper(int n);
CPP
	# a std::string alive across palloc
	cat >"$1/bad_direct.cpp" <<'CPP'
#include "decl.h"
void bad_direct(int n) { std::string s(n, 'x'); palloc(n); use(s); }
CPP
	# a vector alive across our own function, in another object, that calls palloc
	cat >"$1/bad_helper.cpp" <<'CPP'
#include "decl.h"
int pg_helper(int n) { return palloc(n) != nullptr; }
CPP
	cat >"$1/bad_transitive.cpp" <<'CPP'
#include "decl.h"
int bad_transitive(int n) { std::vector<int> v(n); v[0] = pg_helper(n); return v.back(); }
CPP
	# an ERROR raised inside a catch block (the exception is never freed)
	cat >"$1/bad_catch.cpp" <<'CPP'
#include "decl.h"
void bad_catch(int n) { try { use(std::string(n, 'y')); } catch (...) { errstart(21, nullptr); } }
CPP
	# a noexcept function calling PostgreSQL: its table shows no destructors
	cat >"$1/bad_noexcept.cpp" <<'CPP'
#include "decl.h"
void bad_noexcept(int n) noexcept { std::string s(n, 'x'); palloc(n); use(s); }
CPP
	# a call through a pointer (it may be PostgreSQL's) with a destructor alive
	cat >"$1/bad_pointer.cpp" <<'CPP'
#include "decl.h"
void bad_pointer(void *(*fn)(std::size_t), int n) { std::string s(n, 'x'); fn(n); use(s); palloc(1); }
CPP
	# plain data across PostgreSQL calls; C++ objects only across C++ calls;
	# a PostgreSQL call in a try block whose catch only copies (pg_boundary's shape)
	cat >"$1/good.cpp" <<'CPP'
#include <cstring>
#include "decl.h"
char *good_plain(const char *text) { std::size_t n = std::strlen(text); char *p = static_cast<char *>(palloc(n + 1)); std::memcpy(p, text, n + 1); return p; }
void good_cpp_only(int n) { std::string s(n, 'x'); use(s); use(s + "y"); }
int good_boundary(int n) { static char msg[64]; try { palloc(n); return 0; } catch (const std::exception &e) { std::strncpy(msg, "failed", 63); } return errstart(21, nullptr); }
void good_after(int n) { { std::string s(n, 'x'); use(s); } palloc(n); }
CPP
	# include order
	printf '#include "postgres.h"\n' >"$1/pg.h"
	printf '#include "pg.h"\n#include <string>\n' >"$1/bad_order.cpp"
	printf '#include "utils/elog.h"\n#include "pg.h"\n' >"$1/bad_first.cpp"
	printf '#include <string>\n#include "pg.h"\nextern "C" {\n#include <fcntl.h>\n}\n#include <string>\n' >"$1/good_order.cpp"
}

self_test() {
	local dir opt u
	dir=$(mktemp -d /tmp/outflow-wall.XXXXXX)
	write_units "$dir"
	for opt in -O0 -O2; do
		for u in bad_direct bad_helper bad_transitive bad_catch bad_noexcept bad_pointer good; do
			$CXX -std=c++17 -fPIC $opt -c "$dir/$u.cpp" -o "$dir/$u.o" || { echo "cannot compile $u.cpp"; exit 2; }
		done
		expect 1 "bad_direct" "palloc" -- objects "$postgres" "$dir/bad_direct.o"
		expect 1 "bad_transitive" "pg_helper(int) -> palloc" -- objects "$postgres" "$dir/bad_transitive.o" "$dir/bad_helper.o"
		expect 1 "bad_catch" "errstart" -- objects "$postgres" "$dir/bad_catch.o"
		expect 1 "bad_noexcept" "noexcept" -- objects "$postgres" "$dir/bad_noexcept.o"
		expect 1 "bad_pointer" "*indirect*" -- objects "$postgres" "$dir/bad_pointer.o"
		expect 0 "0 reach PostgreSQL" -- objects "$postgres" "$dir/good.o" "$dir/bad_helper.o"
	done
	expect 1 "<string> included at $dir/bad_order.cpp:2" -- includes "$dir/bad_order.cpp"
	expect 1 "\"utils/elog.h\" included at $dir/bad_first.cpp:1 before postgres.h" -- includes "$dir/bad_first.cpp"
	expect 0 "0 out of order" -- includes "$dir/good_order.cpp"
	rm -rf "$dir"
	if [ "$failures" -gt 0 ]; then
		echo "wall_check self-test: $failures failed"
		exit 1
	fi
	echo "wall_check self-test: passed"
}

self_test
[ "${1:-}" = --self-test ] && exit 0

objects=(decoder/*.o extension/*.o)
sources=(decoder/*.cpp extension/*.cpp)
if [ ${#objects[@]} != ${#sources[@]} ] || [ ! -e "${objects[0]}" ]; then
	echo "wall_check: build first (make): ${#sources[@]} sources, ${#objects[@]} objects"
	exit 1
fi
rc=0
python3 "$tool" objects "$postgres" "${objects[@]}" || rc=1
python3 "$tool" includes "${sources[@]}" || rc=1
exit $rc
