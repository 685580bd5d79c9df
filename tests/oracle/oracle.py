#!/usr/bin/env python3
"""Randomized correctness oracle for outflow's native format.

A seeded generator creates tables of random columns (built-in types, arrays,
an enum, domains, composites), fills them with random and edge values and runs
random transactions (inserts, updates incl. key changes and updates that leave
TOASTed values untouched, deletes, truncates, savepoints, rollbacks) with
ALTER TABLE ADD/DROP COLUMN and REPLICA IDENTITY changes in between. A trigger
records to_jsonb(NEW)/to_jsonb(OLD) of every row change (the expected images,
under the fixed settings outflow renders values with). The slot is read now
and then during the run and at the end. Checks:
  1. every line is a valid JSON object of the right shape (tests/tools/stream_check,
     nlohmann_json): fields per op, (commit_lsn, seq) unique and ordered, begin/commit paired;
  2. the n-th row change of transaction xid in the stream equals the n-th captured
     change: op, table, key, old (key columns or whole row under FULL), new
     (minus the columns listed in "unchanged", which must be out-of-line values);
  3. replaying the stream onto empty copies of the tables (jsonb_populate_record,
     "unchanged" columns keep their old value) gives the source tables' contents.
With --stream on (by default for seeds whose remainder mod 5 is 1 or 2) the
slot is read with stream-changes (and, on 16+, every transaction streamed):
the stream's blocks are checked and applied by README's rules (buffer per xid,
drop what stream_abort names, apply at stream_commit) into the committed form
that checks 1 to 3 read.

Standard library only; talks to the server with psql (PGHOST/PGPORT/PGUSER from
the environment). Usage:
  oracle.py --seed N [--txns N] [--tables N] [--stream on|off|auto] [--workdir DIR] [--check PATH]
Exit status 0 when every check passes; on failure it prints the command that
reruns the same seed. tests/tap/t/014_oracle.pl runs it on a cluster of its own.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys

SETTINGS = {
    "TimeZone": "UTC",
    "DateStyle": "ISO, YMD",
    "IntervalStyle": "postgres",
    "extra_float_digits": "1",
    "bytea_output": "hex",
}


class Fail(Exception):
    pass


# ---------------------------------------------------------------- literals

def q(s):
    """A SQL string literal (E'' form) for any text without NUL."""
    out = []
    for ch in s:
        o = ord(ch)
        if ch == "'":
            out.append("''")
        elif ch == "\\":
            out.append("\\\\")
        elif o < 0x20 or o == 0x7F:
            out.append("\\x%02x" % o)
        else:
            out.append(ch)
    return "E'" + "".join(out) + "'"


TEXT_EDGES = [
    "", " ", "a", "Zoë ✓ 𝄞 日本語", "quote \" and 'single' and \\backslash",
    "\t\n\r\b\f\x01\x1f\x7f", "{}", "[1,2]", "null", "NULL", "\u2028\u2029", "é" * 50,
    "</script>", "\\u0000", "a,b\\,c",
]


def rand_text(r, maxlen=30):
    if r.random() < 0.4:
        return r.choice(TEXT_EDGES)
    alphabet = "abcXYZ 019_-,.;:'\"\\/{}[]\t\näöüßéñ€✓𝄞中文\x01\x02\x1b"
    return "".join(r.choice(alphabet) for _ in range(r.randint(0, maxlen)))


def long_text_expr(r):
    """An incompressible text of 3-60 kB, built server-side, deterministic."""
    n = r.randint(100, 1900)
    start = r.randint(0, 10**9)
    return "(SELECT string_agg(md5((%d + g)::text), '') FROM generate_series(1, %d) g)" % (start, n)


def long_bytea_expr(r):
    n = r.randint(150, 1200)
    start = r.randint(0, 10**9)
    return "(SELECT decode(string_agg(md5((%d + g)::text), ''), 'hex') FROM generate_series(1, %d) g)" % (start, n)


def rnd_int(r, bits):
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return r.choice([lo, hi, 0, -1, 1, r.randint(lo, hi), r.randint(-1000, 1000)])


# The server's version (server_version_num), read before values are made:
# some values exist only on newer majors.
SERVER_VERSION = 0


def rnd_numeric(r):
    if r.random() < 0.2:
        edges = ["'NaN'", "'-0'", "'0.000000000000000000001'",
                 "'123456789012345678901234567890.123456789012345678901234567890'",
                 "'1e100'", "'-1e-100'", "'1.000'"]
        if SERVER_VERSION >= 140000:  # numeric infinities are new in 14
            edges += ["'Infinity'", "'-Infinity'"]
        return r.choice(edges)
    scale = r.randint(0, 15)
    v = "%s%d" % (r.choice(["", "-"]), r.randint(0, 10 ** r.randint(0, 30)))
    if scale:
        v += ".%0*d" % (scale, r.randint(0, 10**scale - 1))
    return "'%s'" % v


def rnd_float(r, single):
    c = r.random()
    if c < 0.3:
        edges = ["'NaN'", "'Infinity'", "'-Infinity'", "'-0'", "'0'", "'1'", "'0.1'"]
        edges += (["'3.4028235e38'", "'1.4e-45'", "'1.17549435e-38'"] if single
                  else ["'1e-300'", "'1.7976931348623157e308'", "'5e-324'", "'2.2250738585072014e-308'"])
        return r.choice(edges)
    x = r.uniform(-1, 1) * 10 ** r.randint(-20, 20)
    return "'%r'" % x


def rnd_ts(r):
    y = r.randint(1, 9999)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (y, r.randint(1, 12), r.randint(1, 28), r.randint(0, 23),
                                                    r.randint(0, 59), r.randint(0, 59), r.choice([0, r.randint(0, 999999)]))


def lit(expr, typ):
    return "%s::%s" % (expr, typ)


# Each type: name -> function(r) returning a SQL expression of that type.
def make_types():
    T = {}
    T["int2"] = lambda r: lit("'%d'" % rnd_int(r, 16), "int2")
    T["int4"] = lambda r: lit("'%d'" % rnd_int(r, 32), "int4")
    T["int8"] = lambda r: lit("'%d'" % rnd_int(r, 64), "int8")
    T["numeric"] = lambda r: lit(rnd_numeric(r), "numeric")
    T["numeric(12,4)"] = lambda r: lit("'%s'" % r.choice(["NaN", "0", "-99999999.9999", "12.5", "%d.%04d" % (r.randint(-10**7, 10**7), r.randint(0, 9999))]), "numeric(12,4)")
    T["float4"] = lambda r: lit(rnd_float(r, True), "float4")
    T["float8"] = lambda r: lit(rnd_float(r, False), "float8")
    T["bool"] = lambda r: r.choice(["true", "false"])
    T["text"] = lambda r: long_text_expr(r) if r.random() < 0.08 else lit(q(rand_text(r)), "text")
    T["varchar(40)"] = lambda r: lit(q(rand_text(r, 40)[:40]), "varchar(40)")
    T["char(5)"] = lambda r: lit(q(rand_text(r, 5)[:5]), "char(5)")
    T['"char"'] = lambda r: lit(q(r.choice(["a", "Z", " ", "\x01", ""])), '"char"')
    T["name"] = lambda r: lit(q(rand_text(r, 20)), "name")
    T["bytea"] = lambda r: (long_bytea_expr(r) if r.random() < 0.08 else
                            lit("'\\x%s'" % "".join("%02x" % r.randint(0, 255) for _ in range(r.randint(0, 20))), "bytea"))
    T["date"] = lambda r: lit("'%s'" % r.choice(["infinity", "-infinity", "2000-02-29", rnd_ts(r)[:10]]), "date")
    T["timestamp"] = lambda r: lit("'%s'" % r.choice(["infinity", "-infinity", "1970-01-01 00:00:00", rnd_ts(r)]), "timestamp")
    T["timestamptz"] = lambda r: lit("'%s'" % r.choice(["infinity", "-infinity", rnd_ts(r) + r.choice(["+00", "-05:30", "+14", "Z"])]), "timestamptz")
    T["time"] = lambda r: lit("'%s'" % r.choice(["24:00:00", "00:00:00", rnd_ts(r)[11:]]), "time")
    T["timetz"] = lambda r: lit("'%s'" % (rnd_ts(r)[11:] + r.choice(["+00", "-03:30", "+13"])), "timetz")
    T["interval"] = lambda r: lit("'%s'" % r.choice(["0", "1 year 2 mons 3 days 04:05:06.789", "-1 days +02:00",
                                                     "178000000 years", "-00:00:00.000001",
                                                     "%d days %d:%02d:%02d" % (r.randint(-999, 999), r.randint(0, 99), r.randint(0, 59), r.randint(0, 59))]), "interval")
    T["uuid"] = lambda r: lit("'%032x'" % r.getrandbits(128), "uuid")
    T["inet"] = lambda r: lit("'%s'" % r.choice(["127.0.0.1", "::1", "10.1.2.3/8", "2001:db8::ff/64", "%d.%d.%d.%d" % tuple(r.randint(0, 255) for _ in range(4))]), "inet")
    T["cidr"] = lambda r: lit("'%s'" % r.choice(["10.0.0.0/8", "2001:db8::/32", "192.168.%d.0/24" % r.randint(0, 255)]), "cidr")
    T["macaddr"] = lambda r: lit("'%s'" % ":".join("%02x" % r.randint(0, 255) for _ in range(6)), "macaddr")
    T["macaddr8"] = lambda r: lit("'%s'" % ":".join("%02x" % r.randint(0, 255) for _ in range(8)), "macaddr8")
    T["bit(8)"] = lambda r: lit("B'%s'" % "".join(r.choice("01") for _ in range(8)), "bit(8)")
    T["varbit"] = lambda r: lit("B'%s'" % "".join(r.choice("01") for _ in range(r.randint(0, 70))), "varbit")
    T["money"] = lambda r: lit("'%d.%02d'" % (r.randint(-10**12, 10**12), r.randint(0, 99)), "money")
    T["json"] = lambda r: lit(q(r.choice(['{"a": 1, "a": 2}', '[]', '{}', '"x"', '1.50', 'null', '{"k": [1, "two", {"three": 3.0}], "u": "\\u00e9\\n"}',
                                          '{"nested": {"deep": [true, false, null]}}'])), "json")
    T["jsonb"] = lambda r: lit(q(r.choice(['{"a": 1, "b": [1, 2, {"c": "d"}]}', '[]', '{}', '"x"', '1.50', 'null', '"\\u00e9 \\t \\"q\\""',
                                           json.dumps({rand_text(r, 5): [rand_text(r, 8), r.randint(-9, 9), r.random() < 0.5, None]}, ensure_ascii=r.random() < 0.5)])), "jsonb")
    T["tsvector"] = lambda r: lit(q(r.choice(["", "a fat cat", "'a b':1A,2B c:3", "zoë"])), "tsvector")
    T["point"] = lambda r: lit("'(%s,%s)'" % (r.choice(["0", "1.5", "-1e10", "NaN"]), r.choice(["0", "2", "Infinity"])), "point")
    T["int4range"] = lambda r: lit("'%s'" % r.choice(["empty", "[1,10)", "(,5]", "[3,)", "(,)"]), "int4range")
    T["tstzrange"] = lambda r: lit("'%s'" % r.choice(["empty", "[2020-01-01 00:00+00,2021-01-01 00:00+00)", "(,infinity)"]), "tstzrange")
    T["pg_lsn"] = lambda r: lit("'%X/%X'" % (r.randint(0, 2**32 - 1), r.randint(0, 2**32 - 1)), "pg_lsn")
    T["oid"] = lambda r: lit("'%d'" % r.choice([0, 4294967295, r.randint(0, 2**32 - 1)]), "oid")
    T["xml"] = lambda r: lit(q(r.choice(["<a>b</a>", "<x y=\"1\">ä &amp; &lt;</x>", "text only"])), "xml")
    # user-defined
    T["mood"] = lambda r: lit(q(r.choice(["sad", "ok", "happy", "very \"happy\"", "zoë"])), "mood")
    T["posint"] = lambda r: lit("%d" % r.choice([1, 2147483647, r.randint(1, 1000)]), "posint")
    T["shorttext"] = lambda r: lit(q(rand_text(r, 10)[:10]), "shorttext")
    T["comp"] = lambda r: "ROW(%s, %s, %s, %s)::comp" % (
        maybe_null(r, T["int4"]), maybe_null(r, T["text"]), maybe_null(r, T["float8"]), maybe_null(r, T["mood"]))
    T["outer_comp"] = lambda r: "ROW(%s, %s, %s)::outer_comp" % (
        maybe_null(r, T["comp"]), array_expr(r, T["int4"], "int4"), maybe_null(r, T["timestamptz"]))
    # arrays
    # jsonb elements that are not arrays (jsonb_populate_record would read [[]] as two dimensions)
    jsonb_el = lambda r: lit(q(r.choice(['{"a": [1, {"b": null}]}', '{}', '"x"', '1.50', 'null', '"\\u00e9"'])), "jsonb")
    T["jsonb[]"] = lambda r: array_expr(r, jsonb_el, "jsonb")
    for el in ["int4", "int8", "text", "numeric", "float8", "bool", "timestamptz", "uuid", "mood", "comp", "bytea", "date", "interval", "posint"]:
        T[el + "[]"] = (lambda e: lambda r: array_expr(r, T[e], e))(el)
    T["int4[][]"] = lambda r: r.choice(["'{}'::int4[]", "ARRAY[[1,2],[3,NULL]]::int4[]",
                                        "ARRAY[[[%d]],[[%d]]]::int4[]" % (rnd_int(r, 32), rnd_int(r, 32))])
    T["intarr"] = lambda r: "ARRAY[%d, %d]::intarr" % (r.randint(-5, 5), r.randint(-5, 5))
    return T


def maybe_null(r, gen, p=0.15):
    return "NULL" if r.random() < p else gen(r)


def array_expr(r, gen, typ):
    n = r.choice([0, 0, 1, 2, 3, 5])
    if n == 0:
        return "'{}'::%s[]" % typ
    return "ARRAY[%s]::%s[]" % (", ".join(maybe_null(r, gen, 0.1) if not typ.endswith("text") or True else gen(r) for _ in range(n)), typ)


SETUP = r"""
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'very "happy"', 'zoë');
CREATE DOMAIN posint AS int4 CHECK (VALUE > 0);
CREATE DOMAIN shorttext AS text CHECK (length(VALUE) <= 10);
CREATE DOMAIN intarr AS int4[];
CREATE TYPE comp AS (a int4, "b c" text, f float8, m mood);
CREATE TYPE outer_comp AS (inner_c comp, arr int4[], at timestamptz);
CREATE TABLE oracle_log (id bigserial PRIMARY KEY, xid bigint, tbl text, op text, ident "char", new jsonb, old jsonb);
CREATE TABLE oracle_stream (round int, n bigint, data text, PRIMARY KEY (round, n));
CREATE TABLE oracle_tables (tbl text PRIMARY KEY, pk text[]);
CREATE FUNCTION oracle_capture() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO oracle_log (xid, tbl, op, ident, new, old)
	VALUES (txid_current() & 4294967295, TG_TABLE_NAME, lower(TG_OP),
			(SELECT relreplident FROM pg_class WHERE oid = TG_RELID),
			CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END,
			CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END);
	RETURN NULL;
END $$
SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres'
SET extra_float_digits = 1 SET bytea_output = 'hex';
SELECT pg_create_logical_replication_slot('oracle', 'outflow');
"""

KEY2_TYPES = ["text", "int8", "uuid", "date"]


class Table:
    def __init__(self, name, cols, key2):
        self.name = name
        self.cols = cols  # list of (name, type), non-key columns
        self.key2 = key2  # (name, type) or None
        self.next_col = len(cols)


class Gen:
    def __init__(self, seed, ntables, types):
        self.r = random.Random(seed)
        self.T = types
        self.tables = []
        self.ntables = ntables
        self.next_id = 1
        self.live = {}  # table -> set of (id, key2 literal) ... we only track ids

    def colname(self, r, i):
        return r.choice(["c%d" % i, "C%d Mixed" % i, 'q"%d' % i, "é%d" % i, "col_%d" % i])

    def setup_tables(self):
        r = self.r
        sql = []
        typenames = sorted(self.T)
        for t in range(self.ntables):
            name = r.choice(["t%d" % t, "T%d" % t, "tab le%d" % t])
            cols = [(self.colname(r, i), r.choice(typenames)) for i in range(r.randint(2, 9))]
            if r.random() < 0.7:
                cols.append(("big%d" % t, r.choice(["text", "bytea"])))  # a TOAST candidate
            key2 = ("k2", r.choice(KEY2_TYPES)) if r.random() < 0.4 else None
            tb = Table(name, cols, key2)
            self.tables.append(tb)
            defs = ["id int4 NOT NULL"]
            if key2:
                defs.append("%s %s NOT NULL" % (ident(key2[0]), key2[1]))
            defs += ["%s %s" % (ident(c), ty) for c, ty in cols]
            pk = ["id"] + ([key2[0]] if key2 else [])
            defs.append("PRIMARY KEY (%s)" % ", ".join(ident(c) for c in pk))
            sql.append("CREATE TABLE %s (%s);" % (ident(name), ", ".join(defs)))
            if r.random() < 0.4:
                sql.append("ALTER TABLE %s REPLICA IDENTITY FULL;" % ident(name))
            sql.append("CREATE TRIGGER cap AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION oracle_capture();" % ident(name))
            sql.append("CREATE TRIGGER cap_t AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION oracle_capture();" % ident(name))
            sql.append("INSERT INTO oracle_tables VALUES (%s, ARRAY[%s]);" % (q(name), ", ".join(q(c) for c in pk)))
            self.live[name] = set()
        return sql

    def value(self, typ):
        return maybe_null(self.r, self.T[typ])

    def key2_value(self, tb, i):
        ty = tb.key2[1]
        if ty == "text":
            return q("k%d-%s" % (i, self.r.choice(["", "é", "\t", "x" * 30]))) + "::text"
        if ty == "int8":
            return "%d::int8" % (i * 1000003 % 9223372036854775807)
        if ty == "uuid":
            return "'%032x'::uuid" % (i * 2654435761)
        return "('2000-01-01'::date + %d)" % (i % 100000)

    def where(self, tb, i):
        return "id = %d" % i

    def insert(self, tb):
        r = self.r
        rows = []
        ids = []
        for _ in range(r.choice([1, 1, 1, 2, 5])):
            i = self.next_id
            self.next_id += 1
            ids.append(i)
            vals = ["%d" % i]
            if tb.key2:
                vals.append(self.key2_value(tb, i))
            vals += [self.value(ty) for _, ty in tb.cols]
            rows.append("(%s)" % ", ".join(vals))
        cols = ["id"] + ([tb.key2[0]] if tb.key2 else []) + [c for c, _ in tb.cols]
        self.live[tb.name].update(ids)
        return "INSERT INTO %s (%s) VALUES %s;" % (ident(tb.name), ", ".join(ident(c) for c in cols), ", ".join(rows))

    def pick(self, tb):
        live = sorted(self.live[tb.name])
        return self.r.choice(live) if live else None

    def update(self, tb):
        r = self.r
        i = self.pick(tb)
        if i is None or not tb.cols:
            return None
        kind = r.random()
        small = [(c, ty) for c, ty in tb.cols if not c.startswith("big")]
        if kind < 0.15:
            # key change (sometimes also a value)
            n = self.next_id
            self.next_id += 1
            self.live[tb.name].discard(i)
            self.live[tb.name].add(n)
            extra = ""
            if tb.key2 and r.random() < 0.5:
                extra += ", %s = %s" % (ident(tb.key2[0]), self.key2_value(tb, n))
            if small and r.random() < 0.5:
                c, ty = r.choice(small)
                extra += ", %s = %s" % (ident(c), self.value(ty))
            return "UPDATE %s SET id = %d%s WHERE id = %d;" % (ident(tb.name), n, extra, i)
        if kind < 0.25 and small:
            # every row of the table, one small column: TOAST values untouched
            c, ty = r.choice(small)
            return "UPDATE %s SET %s = %s;" % (ident(tb.name), ident(c), self.value(ty))
        if kind < 0.30:
            # an update that changes nothing
            return "UPDATE %s SET id = id WHERE id = %d;" % (ident(tb.name), i)
        chosen = r.sample(tb.cols, r.randint(1, len(tb.cols)))
        if small and r.random() < 0.5:
            chosen = [r.choice(small)]  # leave big values untouched
        sets = ", ".join("%s = %s" % (ident(c), self.value(ty)) for c, ty in chosen)
        return "UPDATE %s SET %s WHERE id = %d;" % (ident(tb.name), sets, i)

    def delete(self, tb):
        i = self.pick(tb)
        if i is None:
            return None
        if self.r.random() < 0.2:
            gone = {x for x in self.live[tb.name] if x <= i}
            self.live[tb.name] -= gone
            return "DELETE FROM %s WHERE id <= %d;" % (ident(tb.name), i)
        self.live[tb.name].discard(i)
        return "DELETE FROM %s WHERE id = %d;" % (ident(tb.name), i)

    def truncate(self, tb):
        self.live[tb.name] = set()
        return "TRUNCATE %s;" % ident(tb.name)

    def op(self):
        r = self.r
        tb = r.choice(self.tables)
        c = r.random()
        if c < 0.45:
            return self.insert(tb)
        if c < 0.80:
            return self.update(tb)
        if c < 0.97:
            return self.delete(tb)
        return self.truncate(tb)

    def snapshot(self):
        return {k: set(v) for k, v in self.live.items()}

    def transaction(self):
        r = self.r
        stmts = ["BEGIN;"]
        begin_state = self.snapshot()
        sp = 0
        for _ in range(r.randint(1, 12)):
            if r.random() < 0.12:
                sp += 1
                state = self.snapshot()
                stmts.append("SAVEPOINT s%d;" % sp)
                for _ in range(r.randint(1, 4)):
                    s = self.op()
                    if s:
                        stmts.append(s)
                if r.random() < 0.5:
                    stmts.append("ROLLBACK TO SAVEPOINT s%d;" % sp)
                    self.live = state
                else:
                    stmts.append("RELEASE SAVEPOINT s%d;" % sp)
            else:
                s = self.op()
                if s:
                    stmts.append(s)
        if r.random() < 0.12:
            stmts.append("ROLLBACK;")
            self.live = begin_state
        else:
            stmts.append("COMMIT;")
        return stmts

    def ddl(self):
        r = self.r
        tb = r.choice(self.tables)
        c = r.random()
        if c < 0.45:
            name = "added%d" % tb.next_col
            tb.next_col += 1
            ty = r.choice(sorted(self.T))
            tb.cols.append((name, ty))
            return "ALTER TABLE %s ADD COLUMN %s %s;" % (ident(tb.name), ident(name), ty)
        if c < 0.85 and len(tb.cols) > 1:
            col = r.choice(tb.cols)
            tb.cols.remove(col)
            return "ALTER TABLE %s DROP COLUMN %s;" % (ident(tb.name), ident(col[0]))
        return "ALTER TABLE %s REPLICA IDENTITY %s;" % (ident(tb.name), r.choice(["FULL", "DEFAULT"]))


def ident(name):
    return '"' + name.replace('"', '""') + '"'


DECODE = """{settings}INSERT INTO oracle_stream SELECT {round}, n, data
FROM pg_logical_slot_get_changes('oracle', NULL, NULL, 'include-transaction', 'on',
     'filter-tables', 'public.oracle_*'{stream}) WITH ORDINALITY AS c(lsn, xid, data, n);"""


# The start of a streamed change: op, [schema, table,] lsn, xid, [subxid,] seq.
STREAMED_HEAD = re.compile(r'^(\{"op":"[a-z]+",(?:"schema":"(?:[^"\\]|\\.)*","table":"(?:[^"\\]|\\.)*",)?'
                           r'"lsn":"[0-9A-F]+/[0-9A-F]+"),"xid":\d+,(?:"subxid":\d+,)?"seq":(\d+)')


def apply_stream_rules(lines):
    """The committed form of a stream read with stream-changes: the lines a
    consumer applies, in its order. A streamed transaction's changes, less
    those stream_abort names, at its stream_commit, between a begin and a
    commit made from it, with its commit_lsn and commit_time. Checks the block
    rules on the way; returns (lines, number of streamed transactions)."""
    out, buf, open_xid, streamed = [], {}, None, 0
    for line in lines:
        j = json.loads(line)
        op, xid = j["op"], j.get("xid")
        if op == "stream_start":
            if open_xid is not None:
                raise Fail("stream_start inside the block of %s" % open_xid)
            if j["first_segment"]:
                buf[xid] = []
            elif xid not in buf:
                raise Fail("a later block of %s without its first" % xid)
            open_xid = xid
        elif op == "stream_stop":
            if open_xid != xid:
                raise Fail("stream_stop of %s in the block of %s" % (xid, open_xid))
            open_xid = None
        elif op == "stream_abort":
            if open_xid is not None:
                raise Fail("stream_abort inside a block")
            if "subxid" in j:
                buf[xid] = [c for c in buf.get(xid, []) if c[0] != j["subxid"]]
            else:
                buf.pop(xid, None)
        elif op == "stream_commit":
            changes = buf.pop(xid, [])
            if len(changes) != j["changes"]:
                raise Fail("stream_commit of %s says %d changes, %d kept" % (xid, j["changes"], len(changes)))
            streamed += 1
            head = '"commit_lsn":"%s","xid":%d' % (j["commit_lsn"], xid)
            time = '"commit_time":"%s"' % j["commit_time"]
            out.append('{"op":"begin",%s,%s}' % (head, time))
            for _, c in changes:
                # the header as a committed transaction's: text edits, the values stay as sent
                c2 = STREAMED_HEAD.sub(lambda m: '%s,%s,"seq":%s,%s' % (m.group(1), head, m.group(2), time), c, count=1)
                if c2 == c:
                    raise Fail("a streamed change of unexpected shape: %s" % c[:300])
                out.append(c2)
            out.append('{"op":"commit",%s,%s,"end_lsn":"%s","changes":%d}' % (head, time, j["end_lsn"], j["changes"]))
        elif open_xid is not None:
            if xid != open_xid or "commit_lsn" in j:
                raise Fail("a line of another transaction inside the block of %s: %s" % (open_xid, line[:300]))
            buf[open_xid].append((j.get("subxid"), line))
        elif op.startswith("stream_") or (op not in ("begin", "commit", "message") and "commit_lsn" not in j):
            raise Fail("a streamed line outside a block: %s" % line[:300])
        else:
            out.append(line)
    if buf or open_xid is not None:
        raise Fail("streams never ended: %s" % sorted(buf))
    return out, streamed

CHECK_IMAGES = r"""
CREATE TEMP TABLE s AS
SELECT (data::jsonb) j, row_number() OVER (PARTITION BY (data::jsonb)->>'xid' ORDER BY round, n) k
FROM oracle_stream WHERE (data::jsonb)->>'op' IN ('insert', 'update', 'delete', 'truncate');
CREATE TEMP TABLE e AS
SELECT l.*, t.pk, row_number() OVER (PARTITION BY xid ORDER BY id) k
FROM oracle_log l JOIN oracle_tables t USING (tbl);
CREATE FUNCTION pg_temp.keys_of(img jsonb, cols text[]) RETURNS jsonb LANGUAGE sql IMMUTABLE AS
$$ SELECT jsonb_object_agg(c, img->c) FROM unnest(cols) c $$;
CREATE TEMP VIEW mismatch AS
SELECT e.xid, e.k, e.id AS log_id, e.op AS exp_op, e.tbl, e.ident, s.j, e.new AS exp_new, e.old AS exp_old
FROM s FULL JOIN e ON (s.j->>'xid')::bigint = e.xid AND s.k = e.k
WHERE s.j IS NULL OR e.xid IS NULL
   OR s.j->>'op' <> e.op OR s.j->>'table' <> e.tbl
   OR NOT CASE e.op
      WHEN 'truncate' THEN true
      WHEN 'insert' THEN s.j->'new' = e.new AND s.j->'key' = pg_temp.keys_of(e.new, e.pk)
           AND NOT s.j ? 'old' AND NOT s.j ? 'unchanged'
      WHEN 'delete' THEN s.j->'key' = pg_temp.keys_of(e.old, e.pk) AND NOT s.j ? 'new'
           AND s.j->'old' = CASE WHEN e.ident = 'f' THEN e.old ELSE pg_temp.keys_of(e.old, e.pk) END
      WHEN 'update' THEN
           s.j->'key' = pg_temp.keys_of(e.old, e.pk)
           AND s.j->'new' = e.new - coalesce(ARRAY(SELECT jsonb_array_elements_text(s.j->'unchanged')), '{}')
           AND coalesce((SELECT bool_and(e.new ? u) FROM jsonb_array_elements_text(s.j->'unchanged') u), true)
           AND CASE WHEN e.ident = 'f' THEN s.j->'old' = e.old AND NOT s.j ? 'unchanged'
                    WHEN pg_temp.keys_of(e.old, e.pk) = pg_temp.keys_of(e.new, e.pk) THEN NOT s.j ? 'old'
                    ELSE s.j->'old' = pg_temp.keys_of(e.old, e.pk) END
      END;
SELECT count(*) AS stream_changes FROM s;
SELECT string_agg(x, ', ') FROM (SELECT format('%s %s', count(*), op) x FROM (
    SELECT j->>'op' op FROM s
    UNION ALL SELECT 'updates with unchanged TOAST' FROM s WHERE j ? 'unchanged'
    UNION ALL SELECT 'key changes' FROM s WHERE j->>'op' = 'update' AND j ? 'old' AND j->'old' <> j->'key'
        OR j->>'op' = 'update' AND j->'key' <> pg_temp.keys_of(j->'new', ARRAY(SELECT jsonb_object_keys(j->'key')))
    UNION ALL SELECT 'images with FULL identity' FROM e WHERE ident = 'f' AND op IN ('update', 'delete')
    UNION ALL SELECT 'values over 2 kB' FROM s, jsonb_each(j->'new') v WHERE length(v.value::text) > 2000) o GROUP BY op ORDER BY op) y;
SELECT count(*) AS captured_changes FROM e;
SELECT count(*) AS mismatches FROM mismatch;
SELECT 'MISMATCH ' || to_jsonb(m)::text FROM mismatch m ORDER BY xid, k LIMIT 5;
"""

REPLAY = r"""
CREATE FUNCTION pg_temp.replay() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	r record; tbl text; pk text[]; cond text; cur jsonb; n bigint := 0;
BEGIN
	FOR r IN SELECT data::jsonb j FROM oracle_stream s ORDER BY s.round, s.n LOOP
		CONTINUE WHEN r.j->>'op' NOT IN ('insert', 'update', 'delete', 'truncate');
		n := n + 1;
		tbl := r.j->>'table';
		SELECT t.pk INTO pk FROM oracle_tables t WHERE t.tbl = r.j->>'table';
		IF r.j->>'op' = 'truncate' THEN
			EXECUTE format('DELETE FROM replica.%I', tbl);
		ELSIF r.j->>'op' = 'insert' THEN
			EXECUTE format('INSERT INTO replica.%I SELECT * FROM jsonb_populate_record(NULL::replica.%I, $1)', tbl, tbl)
				USING r.j->'new';
		ELSE
			SELECT string_agg(format('x.%I = (jsonb_populate_record(NULL::replica.%I, $1)).%I', c, tbl, c), ' AND ')
				INTO cond FROM unnest(pk) c;
			EXECUTE format('DELETE FROM replica.%I x WHERE %s RETURNING to_jsonb(x)', tbl, cond) INTO cur USING r.j->'key';
			IF cur IS NULL THEN
				RAISE EXCEPTION 'replay: no row for %', r.j;
			END IF;
			IF r.j->>'op' = 'update' THEN
				EXECUTE format('INSERT INTO replica.%I SELECT * FROM jsonb_populate_record(NULL::replica.%I, $1)', tbl, tbl)
					USING cur || (r.j->'new');
			END IF;
		END IF;
	END LOOP;
	RETURN n;
END $$;
SELECT pg_temp.replay() AS replayed;
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--txns", type=int, default=150)
    ap.add_argument("--tables", type=int, default=4)
    ap.add_argument("--workdir", default="/tmp")
    ap.add_argument("--check", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "stream_check"))
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    ap.add_argument("--stream", choices=["on", "off", "auto"], default="auto",
                    help="read with stream-changes (auto: for seeds with remainder 1 or 2 mod 5, on PostgreSQL 14 and later)")
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.SystemRandom().randint(1, 10**9)
    if a.stream == "auto":  # streaming exists from PostgreSQL 14
        streams = int(psql("postgres", "SHOW server_version_num").strip()) >= 140000
        a.stream = "on" if seed % 5 in (1, 2) and streams else "off"
    rerun = ("make installcheck REGRESS= ISOLATION= PROVE_TESTS=tests/tap/t/014_oracle.pl "
             "ORACLE_SEED=%d ORACLE_TXNS=%d ORACLE_TABLES=%d ORACLE_STREAM=%s" % (seed, a.txns, a.tables, a.stream))
    print("oracle: seed %d, %d transactions, %d tables, streaming %s" % (seed, a.txns, a.tables, a.stream), flush=True)
    try:
        run(a, seed)
    except Fail as e:
        print("oracle: FAILED (seed %d): %s" % (seed, e), flush=True)
        print("oracle: rerun with: %s" % rerun, flush=True)
        return 1
    print("oracle: ok (seed %d)" % seed, flush=True)
    return 0


def psql(db, sql=None, file=None, quiet=False):
    env = dict(os.environ)
    env["PGOPTIONS"] = " ".join("-c %s=%s" % (k, v.replace(" ", "\\ ")) for k, v in SETTINGS.items())
    # SQL goes in on standard input, not -c: before 15, psql -c shows only the
    # last result of several statements
    cmd = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-f", file or "-"]
    p = subprocess.run(cmd, env=env, input=None if file else sql, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode != 0:
        raise Fail("psql failed (%s): %s" % (file or sql[:200], p.stderr.strip()[:2000]))
    return p.stdout


def tamper(db, when):
    """Self-test of the checks (ORACLE_TAMPER=image|replay): the last update's new id becomes -1."""
    if os.environ.get("ORACLE_TAMPER") != when:
        return
    psql(db, """UPDATE oracle_stream SET data = jsonb_set(data::jsonb, '{new,id}', '-1')::text
        WHERE (round, n) = (SELECT round, n FROM oracle_stream WHERE data::jsonb->>'op' = 'update'
                            ORDER BY round DESC, n DESC LIMIT 1)""")


def run(a, seed):
    global SERVER_VERSION
    db = "oracle_%d" % seed
    SERVER_VERSION = int(psql("postgres", "SHOW server_version_num").strip())
    psql("postgres", "SELECT pg_drop_replication_slot('oracle') FROM pg_replication_slots WHERE slot_name = 'oracle'")
    psql("postgres", "DROP DATABASE IF EXISTS %s" % db)
    psql("postgres", "CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'" % db)
    g = Gen(seed, a.tables, make_types())
    script = [SETUP] + g.setup_tables()
    decode = {"settings": "", "stream": ""}
    if a.stream == "on":
        decode["stream"] = ", 'stream-changes', 'on'"
        if SERVER_VERSION >= 160000:
            decode["settings"] = "SET debug_logical_replication_streaming = immediate;\n"
    rnd = 0
    for t in range(a.txns):
        if g.r.random() < 0.06:
            script.append(g.ddl())
        script += g.transaction()
        if g.r.random() < 0.04:
            rnd += 1
            script.append(DECODE.format(round=rnd, **decode))
    rnd += 1
    script.append(DECODE.format(round=rnd, **decode))
    path = os.path.join(a.workdir, "oracle-%d.sql" % seed)
    with open(path, "w") as f:
        f.write("\n".join(script) + "\n")
    print("oracle: workload %s (%d statements, %d decode rounds)" % (path, len(script), rnd), flush=True)
    psql(db, file=path)

    # 1. every line valid JSON, of the right shape
    stream = os.path.join(a.workdir, "oracle-%d.json" % seed)
    with open(stream, "w") as f:
        f.write(psql(db, "SELECT data FROM oracle_stream ORDER BY round, n"))
    if a.stream == "on":
        with open(stream) as f:
            lines, streamed = apply_stream_rules([l for l in f.read().split("\n") if l])
        print("oracle: %d streamed transactions applied by the stream rules" % streamed, flush=True)
        if streamed == 0:
            raise Fail("streaming on, but no transaction was streamed")
        with open(stream, "w") as f:
            f.write("\n".join(lines) + "\n")
        # the applied form replaces the stream for checks 2 and 3 (COPY text: backslashes doubled)
        rows = stream + ".copy"
        with open(rows, "w") as f:
            for n, line in enumerate(lines, 1):
                f.write("0\t%d\t%s\n" % (n, line.replace("\\", "\\\\")))
        psql(db, "TRUNCATE oracle_stream")
        psql(db, "\\copy oracle_stream (round, n, data) FROM '%s'" % rows)
    p = subprocess.run([a.check, stream], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print("oracle: " + p.stdout.strip().replace("\n", "\noracle: "), flush=True)
    if p.returncode != 0:
        raise Fail("stream_check rejected %s" % stream)

    # 2. row images equal the captured to_jsonb images
    tamper(db, "image")
    out = psql(db, CHECK_IMAGES).split("\n")
    print("oracle: stream changes %s (%s), captured changes %s, mismatches %s" % (out[0], out[1], out[2], out[3]), flush=True)
    if out[3] != "0" or out[0] != out[2]:
        raise Fail("row images differ from to_jsonb:\n" + "\n".join(l[:3000] for l in out[4:]))

    # 3. replay onto empty copies gives the same contents
    copies = ["CREATE SCHEMA replica;"]
    for tb in g.tables:
        copies.append("CREATE TABLE replica.%s (LIKE public.%s INCLUDING ALL);" % (ident(tb.name), ident(tb.name)))
    psql(db, "\n".join(copies))
    tamper(db, "replay")
    replayed = psql(db, REPLAY).strip()
    diffs = []
    for tb in g.tables:
        n = psql(db, """SELECT (SELECT count(*) FROM public.{t}),
            (SELECT count(*) FROM ((SELECT to_jsonb(x) FROM public.{t} x EXCEPT ALL SELECT to_jsonb(y) FROM replica.{t} y)
             UNION ALL (SELECT to_jsonb(y) FROM replica.{t} y EXCEPT ALL SELECT to_jsonb(x) FROM public.{t} x)) d)""".format(t=ident(tb.name))).strip()
        rows, bad = n.split("|")
        print("oracle: table %s: %s rows, %s differing after replay" % (tb.name, rows, bad), flush=True)
        if bad != "0":
            diffs.append(tb.name)
    print("oracle: replayed %s changes" % replayed, flush=True)
    if diffs:
        raise Fail("replay differs for tables %s (database %s kept)" % (", ".join(diffs), db))
    if not a.keep:
        psql("postgres", "SELECT pg_drop_replication_slot('oracle')")
        psql("postgres", "DROP DATABASE %s" % db)


if __name__ == "__main__":
    sys.exit(main())
