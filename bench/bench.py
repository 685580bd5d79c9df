#!/usr/bin/env python3
"""bench.py: decoding throughput of outflow against pgoutput, wal2json,
test_decoding and a floor plugin that writes nothing; peak walsender memory
for one multi-million-row transaction; stream-changes on such a transaction
(latency, memory, spill, throughput: bench/streaming.py).

Runs on the cluster that bench/run.sh started (PGHOST, PGPORT). Python 3
standard library only; talks to the server through psql and pg_recvlogical.

For each workload: the tables are created and preloaded, then one slot per
reader is created, then the workload runs, so every reader decodes the same
WAL range (from its slot's start up to the LSN after the workload; peeking
does not consume). Readers alternate over several rounds (the order rotates
each round); each measurement is timed inside the server around one
pg_logical_slot_peek_(binary_)changes call that counts rows and bytes.
Medians are reported. With --walsender (default unless --quick), each reader
also streams the same range through the replication protocol, the way
pgoutput is consumed, timed by the walsender's CPU time (bench/walsender.py).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import streaming  # noqa: E402
import walsender  # noqa: E402

PSQL = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-U", "postgres", "-d", "postgres"]
walsender.PSQL = PSQL

# name, plugin, binary?, options
READERS = [
    ("floor", "outflow_floor", False, []),
    ("pgoutput", "pgoutput", True, ["proto_version", "1", "publication_names", "bench_pub"]),
    ("outflow native", "outflow", False, []),
    ("outflow wal2json v2", "outflow", False, ["format-version", "2"]),
    ("wal2json v2", "wal2json", False, ["format-version", "2"]),
    ("test_decoding", "test_decoding", False, []),
]


def psql(sql, env=None):
    r = subprocess.run(PSQL + ["-c", sql], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit("bench: psql failed: %s\n%s" % (sql[:200], r.stderr))
    return r.stdout.strip()


def psql_script(sql):
    r = subprocess.run(PSQL, input=sql, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("bench: psql script failed:\n%s\n%s" % (sql[:400], r.stderr))
    return r.stdout.strip()


SETUP = r"""
CREATE PUBLICATION bench_pub FOR ALL TABLES;
CREATE FUNCTION bench_cpu_ns(want bool) RETURNS bigint
LANGUAGE sql AS $$
    -- this backend's time on a CPU so far (Linux; first field of schedstat, ns)
    SELECT CASE WHEN want THEN split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint END
$$;
CREATE FUNCTION bench_peek(slot name, upto pg_lsn, is_binary bool, opts text[], cpu_time bool DEFAULT false,
                           OUT n bigint, OUT bytes bigint, OUT secs float8)
LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; c0 bigint;
BEGIN
    c0 := bench_cpu_ns(cpu_time);
    t0 := clock_timestamp();
    IF is_binary THEN
        SELECT count(*), coalesce(sum(octet_length(data)), 0) INTO n, bytes
          FROM pg_logical_slot_peek_binary_changes(slot, upto, NULL, VARIADIC opts);
    ELSE
        SELECT count(*), coalesce(sum(octet_length(data)), 0) INTO n, bytes
          FROM pg_logical_slot_peek_changes(slot, upto, NULL, VARIADIC opts);
    END IF;
    secs := CASE WHEN cpu_time THEN (bench_cpu_ns(true) - c0) / 1e9
                 ELSE extract(epoch FROM clock_timestamp() - t0) END;
END $$;
"""


def sqlarr(items):
    return "ARRAY[%s]::text[]" % ",".join("'%s'" % i for i in items)


# ---------------------------------------------------------------- workloads
# Each: (prepare SQL run before the slots exist, workload SQL decoded).

MIXED_COLS = """id bigint PRIMARY KEY, i int, t text, n numeric, f float8, b bool,
    ts timestamptz, u uuid, arr text[], j jsonb, v varchar(64)"""

MIXED_ROW = """g, (g * 7) % 100000, 'text value ' || g || ' with some "quotes" and more',
    (g * 1.25)::numeric(12,2), g / 3.0, g % 2 = 0,
    timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second',
    md5(g::text)::uuid, ARRAY['a' || g, 'b', 'c d'],
    jsonb_build_object('id', g, 'tag', 'x' || (g % 10), 'ok', true),
    'varchar ' || g"""


def batched_updates(table, set_clause, first, last, batch):
    """A DO block committing every batch rows of updates by id."""
    return f"""
DO $$
DECLARE lo bigint := {first};
BEGIN
    WHILE lo <= {last} LOOP
        UPDATE {table} SET {set_clause} WHERE id BETWEEN lo AND least(lo + {batch} - 1, {last});
        COMMIT;
        lo := lo + {batch};
    END LOOP;
END $$;
"""


def workloads(rows):
    w = {}
    n = rows
    # The mixed workload of issue 4: one insert txn, 1000-row update txns over
    # half the rows, a bulk delete of a tenth.
    w["mixed"] = (
        f"CREATE TABLE mixed ({MIXED_COLS});",
        f"INSERT INTO mixed SELECT {MIXED_ROW} FROM generate_series(1, {n}) g;\n"
        + batched_updates("mixed", "i = i + 1, f = f * 2, t = t || '!'", 1, n // 2, 1000)
        + f"DELETE FROM mixed WHERE id <= {n // 10};\n",
    )
    # pgbench-like: small transactions of 3 updates and 1 insert.
    ntx = max(n // 10, 100)
    naccounts = 10000
    w["small txns"] = (
        f"""
CREATE TABLE accounts (id int PRIMARY KEY, bid int, abalance int, filler char(84));
CREATE TABLE tellers (id int PRIMARY KEY, bid int, tbalance int, filler char(84));
CREATE TABLE branches (id int PRIMARY KEY, bbalance int, filler char(88));
CREATE TABLE history (id bigserial PRIMARY KEY, tid int, bid int, aid int, delta int,
                      mtime timestamp, filler char(22));
INSERT INTO branches SELECT g, 0, '' FROM generate_series(1, 1) g;
INSERT INTO tellers SELECT g, 1, 0, '' FROM generate_series(1, 10) g;
INSERT INTO accounts SELECT g, 1, 0, '' FROM generate_series(1, {naccounts}) g;
""",
        f"""
DO $$
DECLARE aid int; tid int; delta int;
BEGIN
    FOR k IN 1..{ntx} LOOP
        aid := 1 + (k * 7919) % {naccounts};
        tid := 1 + k % 10;
        delta := (k * 31) % 10001 - 5000;
        UPDATE accounts SET abalance = abalance + delta WHERE id = aid;
        UPDATE tellers SET tbalance = tbalance + delta WHERE id = tid;
        UPDATE branches SET bbalance = bbalance + delta WHERE id = 1;
        INSERT INTO history (tid, bid, aid, delta, mtime)
            VALUES (tid, 1, aid, delta, timestamp '2026-01-01' + k * interval '1 ms');
        COMMIT;
    END LOOP;
END $$;
""",
    )
    # Wide rows: 100 columns (id + 33 int, 33 text, 33 float8).
    cols = ["id bigint PRIMARY KEY"]
    vals = ["g"]
    for c in range(1, 100):
        kind = c % 3
        if kind == 0:
            cols.append(f"c{c} int")
            vals.append(f"g + {c}")
        elif kind == 1:
            cols.append(f"c{c} text")
            vals.append(f"'v{c}-' || g")
        else:
            cols.append(f"c{c} float8")
            vals.append(f"g * {c} / 7.0")
    nw = max(n // 10, 100)
    w["wide 100 cols"] = (
        f"CREATE TABLE wide ({', '.join(cols)});",
        f"INSERT INTO wide SELECT {', '.join(vals)} FROM generate_series(1, {nw}) g;\n"
        + batched_updates("wide", "c3 = c3 + 1, c4 = c4 || 'x'", 1, nw, 1000),
    )
    # Large TOASTed values (about 32 kB of incompressible text each): inserted,
    # then updates that leave them unchanged, then updates that change them.
    nt = max(n // 100, 20)
    w["toast"] = (
        "CREATE TABLE toasty (id bigint PRIMARY KEY, small int, doc text);"
        "ALTER TABLE toasty ALTER doc SET STORAGE EXTERNAL;",
        f"""
INSERT INTO toasty SELECT g, 0,
    (SELECT string_agg(md5((g * 1000 + k)::text), '') FROM generate_series(1, 1000) k)
  FROM generate_series(1, {nt}) g;
"""
        + batched_updates("toasty", "small = small + 1", 1, nt, 100)
        + batched_updates("toasty", "doc = upper(doc)", 1, nt, 100),
    )
    # REPLICA IDENTITY FULL updates: old rows logged whole.
    nf = max(n // 2, 100)
    w["replica identity full"] = (
        f"CREATE TABLE fullri ({MIXED_COLS}); ALTER TABLE fullri REPLICA IDENTITY FULL;"
        f"INSERT INTO fullri SELECT {MIXED_ROW} FROM generate_series(1, {nf}) g;",
        batched_updates("fullri", "i = i + 1, t = t || '!'", 1, nf, 1000),
    )
    return w


def create_slots(tag):
    for name, plugin, _, _ in READERS:
        psql(f"SELECT 'x' FROM pg_create_logical_replication_slot('{slot_name(tag, name)}', '{plugin}')")


def drop_slots(tag):
    for name, _, _, _ in READERS:
        psql(f"SELECT pg_drop_replication_slot('{slot_name(tag, name)}')")


def slot_name(tag, reader):
    return ("b_" + tag + "_" + reader).replace(" ", "_").replace("-", "_")


def measure_env(work_mem):
    """The environment of the measuring sessions: work_mem set through
    PGOPTIONS when --work-mem is given, else the server's default."""
    if not work_mem:
        return None
    env = dict(os.environ)
    env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + f" -c work_mem={work_mem}").strip()
    return env


CPU_TIME = False  # --cpu-time: the peeking backend's time on a CPU instead of the wall clock


def measure(tag, upto, rounds, quiet, work_mem=None):
    res = {name: [] for name, _, _, _ in READERS}
    env = measure_env(work_mem)
    info = {}
    order = list(READERS)
    for r in range(rounds):
        for name, plugin, binary, opts in order:
            out = psql(f"SELECT n, bytes, secs FROM bench_peek('{slot_name(tag, name)}', '{upto}', "
                       f"{'true' if binary else 'false'}, {sqlarr(opts)}, {'true' if CPU_TIME else 'false'})", env=env)
            n, nbytes, secs = out.split("|")
            res[name].append(float(secs))
            info[name] = (int(n), int(nbytes))
            if not quiet:
                print(f"    round {r + 1} {name:22s} {float(secs):8.3f} s", file=sys.stderr)
        order = order[1:] + order[:1]
    return {name: (statistics.median(v), info[name][0], info[name][1], v) for name, v in res.items()}


WALL = {}  # wall-clock seconds spent in a part of the run, for the closing line


def run_workload(tag, prepare, work, rounds, quiet, work_mem=None, through_walsender=False):
    """(SQL measure, walsender measure or None) of one workload."""
    psql_script(prepare)
    psql("CHECKPOINT")
    create_slots(tag)
    psql_script(work)
    upto = psql("SELECT pg_current_wal_lsn()")
    res = measure(tag, upto, rounds, quiet, work_mem)
    ws = None
    if through_walsender:
        t0 = time.time()
        ws = walsender.measure(tag, upto, rounds, quiet, READERS, slot_name, res)
        WALL["walsender"] = WALL.get("walsender", 0) + time.time() - t0
    drop_slots(tag)
    return res, ws


def fmt_table(wname, res):
    changes = res["outflow native"][1]  # native writes one line per change, no begin/commit
    base = res["pgoutput"][0]
    w2j = res["wal2json v2"][0]
    fl = res["floor"][0]
    lines = [f"#### {wname}: {changes} changes", "",
             "| reader | median s | changes/s | output MB | MB/s | / pgoutput | / wal2json v2 | / floor "
             "| s over floor |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, _, _, _ in READERS:
        med, n, nbytes, _ = res[name]
        mb = nbytes / 1e6
        # "s over floor": what the reader adds to decoding (formatting and
        # handing rows to the SQL function), the floor's time subtracted.
        lines.append(f"| {name} | {med:.3f} | {changes / med:,.0f} | {mb:.1f} | "
                     f"{(mb / med) if nbytes else 0:.0f} | {med / base:.2f} | {med / w2j:.2f} | {med / fl:.2f} "
                     f"| {med - fl:.3f} |")
    lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------- memory

def vm_hwm_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def stream_peak(slot, upto, opts, timeout):
    """Streams slot up to upto through pg_recvlogical into /dev/null; returns
    (seconds, peak VmHWM of the walsender in MB)."""
    cmd = walsender.recvlogical_cmd(slot, opts, "--endpos", upto, "-f", "/dev/null", "--no-loop", "-s", "1")
    t0 = time.time()
    p = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    peak = 0
    pid = None
    while p.poll() is None:
        if time.time() - t0 > timeout:
            p.kill()
            sys.exit(f"bench: pg_recvlogical on {slot} took over {timeout} s")
        if pid is None:
            out = psql(f"SELECT active_pid FROM pg_replication_slots WHERE slot_name = '{slot}'")
            pid = int(out) if out else None
        if pid is not None:
            kb = vm_hwm_kb(pid)
            if kb:
                peak = max(peak, kb)
        time.sleep(0.05)
    secs = time.time() - t0
    err = p.stderr.read()
    if p.returncode != 0:
        sys.exit(f"bench: pg_recvlogical failed on {slot}: {err}")
    return secs, peak / 1024.0


def memory_test(rows, with_w2j1):
    # Every format of outflow and every reader of the throughput tables; wal2json
    # format 1 writes a whole transaction as one message (optional, see --no-wal2json-v1).
    readers = [
        ("outflow native", "outflow", []),
        ("outflow wal2json v2", "outflow", ["format-version", "2"]),
        ("outflow wal2json v1", "outflow", ["format-version", "1"]),
        ("pgoutput", "pgoutput", ["proto_version", "1", "publication_names", "bench_pub"]),
        ("wal2json v2", "wal2json", ["format-version", "2"]),
        ("test_decoding", "test_decoding", []),
        ("floor", "outflow_floor", []),
    ]
    if with_w2j1:
        readers.append(("wal2json v1", "wal2json", []))
    psql_script("CREATE TABLE big (id bigint PRIMARY KEY, t text, n numeric, ts timestamptz);")
    psql("CHECKPOINT")
    for name, plugin, _ in readers:
        psql(f"SELECT 'x' FROM pg_create_logical_replication_slot('{slot_name('mem', name)}', '{plugin}')")
    psql(f"INSERT INTO big SELECT g, 'row ' || g, g * 1.5, "
         f"timestamptz '2026-01-01+00' + g * interval '1 ms' FROM generate_series(1, {rows}) g")
    # Something after the transaction, so that the stream passes the end position.
    psql("SELECT pg_logical_emit_message(false, 'bench', 'end')")
    upto = psql("SELECT pg_current_wal_lsn()")
    out = []
    for name, _, opts in readers:
        secs, peak = stream_peak(slot_name("mem", name), upto, opts, timeout=1800)
        out.append((name, secs, peak))
        psql(f"SELECT pg_drop_replication_slot('{slot_name('mem', name)}')")
    return out


COPY_SETUP = r"""
CREATE EXTENSION IF NOT EXISTS outflow;
CREATE FUNCTION bench_timed(stmt text, OUT secs float8, OUT wal_bytes bigint)
LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; l0 pg_lsn;
BEGIN
    l0 := pg_current_wal_insert_lsn();
    t0 := clock_timestamp();
    EXECUTE stmt;
    secs := extract(epoch FROM clock_timestamp() - t0);
    wal_bytes := pg_current_wal_insert_lsn() - l0;
END $$;
"""


def copy_bench(rows, rounds):
    """The initial copy of the mixed table (rows rows): outflow.snapshot()
    against COPY of to_jsonb, and outflow.backfill() (chunks of 10000 through
    the WAL) against COPY into a table, in rows/s and WAL bytes per row; then
    the time outflow takes to decode the backfill's WAL (its read records)."""
    psql_script(COPY_SETUP)
    psql_script(f"DROP TABLE IF EXISTS mixed_copy; CREATE TABLE mixed_copy ({MIXED_COLS});"
                f"CREATE TABLE mixed_src ({MIXED_COLS}); INSERT INTO mixed_src SELECT {MIXED_ROW} "
                f"FROM generate_series(1, {rows}) g; VACUUM ANALYZE mixed_src;"
                "CREATE PUBLICATION bench_copy FOR TABLE mixed_src;")

    def timed(stmt):
        secs, wal = psql(f"SELECT secs, wal_bytes FROM bench_timed($q${stmt}$q$)").split("|")
        return float(secs), int(wal)

    res = {}
    cases = [
        # (the alias is r: the mixed table has a column named t)
        ("COPY (SELECT to_jsonb(r) FROM t r) TO '/dev/null'",
         "COPY (SELECT to_jsonb(r) FROM mixed_src r) TO '/dev/null'"),
        ("outflow.snapshot() (COPY of its rows TO '/dev/null')",
         "COPY (SELECT s FROM outflow.snapshot('bench_copy') s) TO '/dev/null'"),
        ("COPY t TO '/dev/null'", "COPY mixed_src TO '/dev/null'"),
        ("COPY FROM a file into an empty table (the WAL of a plain load)",
         "COPY mixed_copy FROM '/tmp/outflow_bench_copy'"),
    ]
    psql("COPY mixed_src TO '/tmp/outflow_bench_copy'")
    for name, stmt in cases:
        ms = []
        for _ in range(rounds):
            psql("TRUNCATE mixed_copy")
            ms.append(timed(stmt))
        res[name] = ms
    # backfill: a CALL (it commits), timed from outside; WAL from the LSNs
    bf = []
    psql("SELECT pg_create_logical_replication_slot('bench_copy_s', 'outflow')")
    for _ in range(rounds):
        l0 = psql("SELECT pg_current_wal_insert_lsn()")
        t0 = time.time()
        psql("CALL outflow.backfill('bench_copy', 'mixed_src', 10000)")
        secs = time.time() - t0
        wal = int(psql(f"SELECT pg_current_wal_insert_lsn() - '{l0}'"))
        bf.append((secs, wal))
    res["outflow.backfill(), chunks of 10000 (CALL from psql)"] = bf
    upto = psql("SELECT pg_current_wal_insert_lsn()")
    dec = []
    for _ in range(rounds):
        out = psql(f"SELECT n, secs FROM bench_peek('bench_copy_s', '{upto}', false, ARRAY['publication_names', 'bench_copy'])")
        n, secs = out.split("|")
        dec.append((float(secs), 0))
    psql("SELECT pg_drop_replication_slot('bench_copy_s')")
    psql("DROP PUBLICATION bench_copy; DROP TABLE mixed_src, mixed_copy; DELETE FROM outflow.backfills;")
    print(f"#### initial copy: the mixed table, {rows} rows (median of {rounds})")
    print()
    print("| method | median s | rows/s | WAL bytes/row |")
    print("|---|---:|---:|---:|")
    for name, ms in res.items():
        secs = statistics.median(m[0] for m in ms)
        wal = statistics.median(m[1] for m in ms)
        print(f"| {name} | {secs:.3f} | {rows / secs:,.0f} | {wal / rows:,.0f} |")
    secs = statistics.median(d[0] for d in dec)
    print(f"| decoding the backfills' WAL with outflow native ({rounds} backfills, {int(n):,} lines) | {secs:.3f} | "
          f"{rounds * rows / secs:,.0f} | |")
    print()
    return {k: v for k, v in res.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes, 3 rounds (CI smoke run, under 2 minutes)")
    ap.add_argument("--rows", type=int, help="rows of the mixed workload (default 200000, quick 20000); "
                    "the other workloads scale with it")
    ap.add_argument("--rounds", type=int, help="measurement rounds (default 5, quick 3)")
    ap.add_argument("--mem-rows", type=int, help="rows of the memory test's transaction "
                    "(default 3000000, quick 200000; 0 skips it)")
    ap.add_argument("--stream-rows", type=int, help="rows of the stream-changes test's transaction "
                    "(default 3000000, quick 200000; 0 skips it)")
    ap.add_argument("--no-wal2json-v1", action="store_true", help="memory test without wal2json format 1")
    ap.add_argument("--only", action="append", help="run only this workload (repeatable)")
    ap.add_argument("--json", help="also write the raw results to this file")
    ap.add_argument("--work-mem", metavar="SIZE", help="work_mem of the measuring sessions (e.g. 2GB), so that "
                    "the SQL result of a peek is kept in memory rather than spilled to temporary files "
                    "(default: the server's default, 4MB)")
    ap.add_argument("--cpu-time", action="store_true", help="time the decoding tables by the peeking backend's "
                    "time on a CPU (Linux /proc/self/schedstat) instead of the wall clock: steadier on a shared "
                    "machine, blind to waiting for I/O or for a CPU")
    ap.add_argument("--walsender", action=argparse.BooleanOptionalAction, help="also stream each workload "
                    "through the replication protocol (pg_recvlogical) and time the walsender's time on a CPU "
                    "(a second table per workload; default: on, off with --quick)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every measurement")
    a = ap.parse_args()
    global CPU_TIME
    CPU_TIME = a.cpu_time
    rows = a.rows or (20000 if a.quick else 200000)
    rounds = a.rounds or (3 if a.quick else 5)
    mem_rows = a.mem_rows if a.mem_rows is not None else (200000 if a.quick else 3000000)
    stream_rows = a.stream_rows if a.stream_rows is not None else (200000 if a.quick else 3000000)
    through_walsender = a.walsender if a.walsender is not None else not a.quick

    version = psql("SELECT version()")
    outflow_so = subprocess.run(["pg_config", "--pkglibdir"], capture_output=True, text=True).stdout.strip()
    print(f"# outflow benchmark: {version.split(',')[0]}; {os.cpu_count()} CPUs; "
          f"mixed rows {rows}, {rounds} rounds; command: bench/run.sh {' '.join(sys.argv[1:])}")
    print(f"# outflow library: {outflow_so}/outflow.so, "
          f"modified {time.strftime('%Y-%m-%d %H:%M', time.gmtime(os.path.getmtime(outflow_so + '/outflow.so')))} UTC")
    print("# times: median seconds of pg_logical_slot_peek_(binary_)changes over the same WAL range"
          + (", on-CPU time of the peeking backend (--cpu-time)" if a.cpu_time else ", wall clock"))
    if through_walsender:
        print("# and through the replication protocol (--walsender): median on-CPU seconds of the walsender "
              "streaming that range to pg_recvlogical")
    wm = psql("SHOW work_mem", env=measure_env(a.work_mem))
    print(f"# work_mem of the measuring sessions: {wm}" + ("" if a.work_mem else " (server default)"))
    print()
    psql_script(SETUP)
    if through_walsender:
        psql_script(walsender.SETUP)
    raw = {}
    started = time.time()
    for wname, (prep, work) in workloads(rows).items():
        if a.only and wname not in a.only:
            continue
        tag = wname.split()[0]
        res, ws = run_workload(tag, prep, work, rounds, not a.verbose, a.work_mem, through_walsender)
        raw[wname] = res
        print(fmt_table(wname, res), flush=True)
        if ws:
            raw.setdefault("walsender", {})[wname] = walsender.as_json(ws)
            print(walsender.fmt_table(wname, ws, READERS), flush=True)
    if not a.only or "initial copy" in a.only:
        raw["initial copy"] = copy_bench(rows, rounds)
    if mem_rows > 0:
        mem = memory_test(mem_rows, not a.no_wal2json_v1)
        print(f"#### walsender peak memory: one transaction of {mem_rows} rows through pg_recvlogical, "
              "logical_decoding_work_mem = 64MB")
        print()
        print("| reader | seconds | peak RSS (VmHWM) MB |")
        print("|---|---:|---:|")
        for name, secs, peak in mem:
            # A stream shorter than the sampling interval leaves no sample.
            print(f"| {name} | {secs:.1f} | {peak:.0f} |" if peak else f"| {name} | {secs:.1f} | n/a |")
        print()
        raw["memory"] = mem
    if stream_rows > 0:
        st = streaming.streaming_test(stream_rows, psql, stream_peak)
        print(streaming.fmt(st), flush=True)
        raw["streaming"] = st
    ws_part = f" (the walsender measure: {WALL['walsender']:.0f} s)" if "walsender" in WALL else ""
    print(f"# total {time.time() - started:.0f} s{ws_part}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(raw, f, indent=1)


if __name__ == "__main__":
    main()
