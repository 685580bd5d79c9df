#!/usr/bin/env python3
"""wall_check.py: checks the wall between C++ and PostgreSQL's error handling.

PostgreSQL raises errors with longjmp, which skips C++ destructors. The rule
(README, "The C++/PostgreSQL wall"): no object with a destructor may be alive
in a frame that a PostgreSQL error would unwind through.

  wall_check.py objects POSTGRES_BINARY FILE.o...
      The rule, checked on the compiled objects (x86-64 ELF). g++ assumes an
      extern "C" function may throw, so every call made while an object with
      a destructor is alive gets a cleanup landing pad in the function's
      exception table (.gcc_except_table, found through .eh_frame). For every
      call whose call-site entry has a landing pad running a cleanup, the
      callee must not reach PostgreSQL: a function the postgres binary
      exports, an indirect call (unknown target) in an object that uses
      PostgreSQL, or one of our functions that (transitively) calls such a
      thing. A direct call to PostgreSQL in a noexcept region (no call-site
      entry: the table shows no destructors there) is flagged too. Each violation is printed with the call chain down to
      PostgreSQL. (An object that references no PostgreSQL symbol is pure
      C++: its function pointers, std::function and virtual calls are taken
      to lead to C++ code; pure C++ files include no PostgreSQL header.)

  wall_check.py includes FILE.cpp...
      pg.h's include order, checked on the sources: includes are expanded
      in order (our own headers, once each), and after the first PostgreSQL
      header no C++ or third-party header (an angle-bracket include without
      ".h") may appear that was not already included before it: the server
      headers define macros (Max, Min, _, printf...) that break them. The
      first PostgreSQL header must be postgres.h (through pg.h).

Exit status: 0 clean, 1 violations found, 2 cannot check (bad input).
"""

import os
import re
import struct
import subprocess
import sys
from collections import defaultdict

# ---------------------------------------------------------------- ELF reading


class Elf:
    """The sections, symbols and relocations of one relocatable ELF64 object."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.data = f.read()
        d = self.data
        if d[:4] != b"\x7fELF" or d[4] != 2 or d[5] != 1:
            raise ValueError(f"{path}: not a little-endian ELF64 object")
        machine, = struct.unpack_from("<H", d, 0x12)
        if machine != 62:
            raise ValueError(f"{path}: not x86-64 (e_machine {machine})")
        shoff, = struct.unpack_from("<Q", d, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 0x3A)
        self.sections = []
        for i in range(shnum):
            (name, stype, flags, addr, off, size, link, info, align,
             entsize) = struct.unpack_from("<IIQQQQIIQQ", d, shoff + i * shentsize)
            self.sections.append(dict(name_off=name, type=stype, off=off, size=size,
                                      link=link, info=info, entsize=entsize))
        strtab = self.sections[shstrndx]
        for s in self.sections:
            s["name"] = self._cstr(strtab["off"] + s["name_off"])
        self.by_name = {s["name"]: i for i, s in enumerate(self.sections)}
        self._read_symbols()
        self._read_relocations()

    def _cstr(self, off):
        end = self.data.index(b"\0", off)
        return self.data[off:end].decode()

    def _read_symbols(self):
        self.symbols = []
        for s in self.sections:
            if s["type"] != 2:  # SHT_SYMTAB
                continue
            names = self.sections[s["link"]]["off"]
            for i in range(s["size"] // 24):
                name, info, other, shndx, value, size = struct.unpack_from(
                    "<IBBHQQ", self.data, s["off"] + i * 24)
                self.symbols.append(dict(name=self._cstr(names + name), bind=info >> 4,
                                         type=info & 15, shndx=shndx, value=value, size=size))

    def _read_relocations(self):
        """relocs[section index][offset] = (symbol, addend)."""
        self.relocs = defaultdict(dict)
        for s in self.sections:
            if s["type"] != 4:  # SHT_RELA
                continue
            for i in range(s["size"] // 24):
                off, info, addend = struct.unpack_from("<QQq", self.data, s["off"] + i * 24)
                self.relocs[s["info"]][off] = (self.symbols[info >> 32], addend)

    def section_bytes(self, name):
        s = self.sections[self.by_name[name]]
        return self.data[s["off"]:s["off"] + s["size"]]

    def functions(self):
        """(section index, start, size, name, is_local) of each defined function."""
        out = []
        for sym in self.symbols:
            if sym["type"] == 2 and 0 < sym["shndx"] < 0xFF00:  # STT_FUNC
                out.append((sym["shndx"], sym["value"], sym["size"], sym["name"], sym["bind"] == 0))
        return out


def leb(d, p, signed):
    """The LEB128 number at d[p] (sign-extended when signed) and the offset after it."""
    result = shift = 0
    while True:
        b = d[p]
        p += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            if signed and b & 0x40:
                result -= 1 << shift
            return result, p


def uleb(d, p):
    return leb(d, p, False)


def sleb(d, p):
    return leb(d, p, True)


def reloc_target(elf, section, off):
    """(section index, offset) a relocated pointer field points to."""
    sym, addend = elf.relocs[section][off]
    return sym["shndx"], sym["value"] + addend


# ------------------------------------------------------- exception tables


def fdes_with_lsda(elf):
    """(text section, start, length, LSDA section, LSDA offset) of each FDE with an LSDA."""
    if ".eh_frame" not in elf.by_name:
        return []
    eh = elf.by_name[".eh_frame"]
    d = elf.section_bytes(".eh_frame")
    cies = {}
    out = []
    p = 0
    while p < len(d):
        length, = struct.unpack_from("<I", d, p)
        if length == 0:
            break
        if length == 0xFFFFFFFF:
            raise ValueError(f"{elf.path}: 64-bit .eh_frame entries are not supported")
        start = p + 4
        cie_ptr, = struct.unpack_from("<I", d, start)
        body = start + 4
        if cie_ptr == 0:
            cies[p] = parse_cie(elf, d, body)
        else:
            cie = cies[start - cie_ptr]
            if cie["lsda_enc"] is not None:
                text, begin = reloc_target(elf, eh, body)
                pc_range, = struct.unpack_from("<I", d, body + 4)
                aug_len, q = uleb(d, body + 8)
                if aug_len:
                    if cie["lsda_enc"] & 0x0F not in (0x0B, 0x03):
                        raise ValueError(f"{elf.path}: LSDA encoding {cie['lsda_enc']:#x} not supported")
                    if q in elf.relocs[eh]:
                        lsda_sec, lsda_off = reloc_target(elf, eh, q)
                        if not elf.sections[lsda_sec]["name"].startswith(".gcc_except_table"):
                            raise ValueError(f"{elf.path}: LSDA outside .gcc_except_table")
                        out.append((text, begin, pc_range, lsda_sec, lsda_off))
        p = start + length
    return out


def parse_cie(elf, d, p):
    version = d[p]
    p += 1
    end = d.index(b"\0", p)
    aug = d[p:end].decode()
    p = end + 1
    _, p = uleb(d, p)  # code alignment
    _, p = sleb(d, p)  # data alignment
    if version == 1:
        p += 1
    else:
        _, p = uleb(d, p)
    lsda_enc = None
    if aug.startswith("z"):
        _, p = uleb(d, p)
        for c in aug[1:]:
            if c == "L":
                lsda_enc = d[p]
                p += 1
            elif c == "R":
                if d[p] != 0x1B:
                    raise ValueError(f"{elf.path}: FDE encoding {d[p]:#x} not supported")
                p += 1
            elif c == "P":
                enc = d[p]
                p += 1 + {0x00: 8, 0x03: 4, 0x0B: 4, 0x1B: 4, 0x9B: 4}[enc]
            elif c in "SB":
                pass
            else:
                raise ValueError(f"{elf.path}: CIE augmentation {aug!r} not supported")
    return dict(lsda_enc=lsda_enc)


def read_encoded(d, p, enc):
    if enc == 0x01:
        return uleb(d, p)
    if enc == 0x03:
        return struct.unpack_from("<I", d, p)[0], p + 4
    if enc == 0x0B:
        return struct.unpack_from("<i", d, p)[0], p + 4
    raise ValueError(f"call-site encoding {enc:#x} not supported")


def call_sites(elf, lsda_sec, lsda_off):
    """(start, length, cleanup) relative to the FDE's start of each call-site
    entry; cleanup when its landing pad runs a cleanup (destructors): action 0
    with a landing pad, or an action chain with a 0 (cleanup) filter."""
    sec = elf.sections[lsda_sec]
    d = elf.data[sec["off"]:sec["off"] + sec["size"]]
    p = lsda_off
    if d[p] != 0xFF:
        raise ValueError(f"{elf.path}: LSDA with an explicit LPStart is not supported")
    p += 1
    ttype_enc = d[p]
    p += 1
    if ttype_enc != 0xFF:
        _, p = uleb(d, p)
    cs_enc = d[p]
    p += 1
    cs_len, p = uleb(d, p)
    table_end = p + cs_len
    actions = table_end
    out = []
    while p < table_end:
        start, p = read_encoded(d, p, cs_enc)
        length, p = read_encoded(d, p, cs_enc)
        pad, p = read_encoded(d, p, cs_enc)
        action, p = uleb(d, p)
        cleanup = pad != 0 and (action == 0 or chain_has_cleanup(d, actions + action - 1))
        out.append((start, length, cleanup))
    return out


def chain_has_cleanup(d, p):
    for _ in range(1000):
        type_filter, q = sleb(d, p)
        if type_filter == 0:
            return True
        nxt, _ = sleb(d, q)
        if nxt == 0:
            return False
        p = q + nxt
    raise ValueError("action chain does not end")


# ---------------------------------------------------------- disassembly

INSN = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$")
SECTION = re.compile(r"^Disassembly of section (\S+):")
PREFIXES = {"notrack", "bnd", "ds", "cs", "rex", "rex.W", "data16", "addr32"}


def calls(elf):
    """(section index, address, return address, kind, operand) of every call
    and jump, from objdump. kind is "call" or "jmp"."""
    text = subprocess.run(["objdump", "-d", "-w", "--no-show-raw-insn", elf.path],
                          check=True, capture_output=True, text=True).stdout
    out = []
    section = None
    insns = []
    for line in text.splitlines():
        m = SECTION.match(line)
        if m:
            section = elf.by_name[m.group(1)]
            insns.append((section, None, None, None))
            continue
        m = INSN.match(line)
        if m and section is not None:
            mnem, ops = m.group(2), m.group(3)
            while mnem in PREFIXES and ops:  # "notrack jmp *%rax", "bnd call ..."
                mnem, _, ops = ops.partition(" ")
                ops = ops.strip()
            insns.append((section, int(m.group(1), 16), mnem, ops))
    for i, (sec, addr, mnem, ops) in enumerate(insns):
        if addr is None or not (mnem.startswith("call") or mnem.startswith("jmp")):
            continue
        nxt = insns[i + 1] if i + 1 < len(insns) else None
        ret = nxt[1] if nxt and nxt[0] == sec and nxt[1] is not None else elf.sections[sec]["size"]
        out.append((sec, addr, ret, "call" if mnem.startswith("call") else "jmp", ops))
    return out


# ------------------------------------------------------------ the check


class Program:
    """Our functions across all objects, what each calls, and which reach PostgreSQL."""

    def __init__(self, objects, pg_exports):
        self.pg = pg_exports
        self.elves = [Elf(o) for o in objects]
        self.globals = {}                 # name -> node
        self.locals = {}                  # (object, name) of each local function
        self.edges = defaultdict(set)     # node -> callees (node, external name, or "*indirect*")
        self.covered = []                 # (node, object, address, callee, why) under a cleanup or noexcept
        for elf in self.elves:
            for sec, start, size, name, local in elf.functions():
                node = self._node(elf, name, local)
                if not local:
                    self.globals.setdefault(name, node)
        for elf in self.elves:
            self._scan(elf)
        self._solve()

    def _node(self, elf, name, local):
        name = name[:-5] if name.endswith(".cold") else name
        return (elf.path, name) if local else name

    def _resolve(self, elf, name, local):
        base = name[:-5] if name.endswith(".cold") else name
        if (elf.path, base) in self.locals:
            return (elf.path, base)
        if base in self.globals:
            return base
        return (elf.path, base) if local else base

    def _scan(self, elf):
        uses_pg = any(sym["shndx"] == 0 and sym["name"] in self.pg for sym in elf.symbols)
        funcs = defaultdict(list)
        for sec, start, size, name, local in elf.functions():
            funcs[sec].append((start, size, name, local))
            if local and not name.endswith(".cold"):
                self.locals[(elf.path, name)] = True
        for sec in funcs:
            funcs[sec].sort()

        def function_at(sec, addr):
            best = None
            for start, size, name, local in funcs.get(sec, []):
                if start <= addr and (addr < start + size or (size == 0 and addr == start)):
                    best = (name, local)
            return best

        ranges = defaultdict(list)     # section -> call-site ranges with a cleanup
        listed = defaultdict(list)     # section -> every call-site range
        fdes = defaultdict(list)       # section -> ranges of functions with an LSDA
        for text, begin, length, lsda_sec, lsda in fdes_with_lsda(elf):
            fdes[text].append((begin, begin + length))
            for start, n, cleanup in call_sites(elf, lsda_sec, lsda):
                listed[text].append((begin + start, begin + start + n))
                if cleanup:
                    ranges[text].append((begin + start, begin + start + n))

        def inside(spans, sec, pc):
            return any(a <= pc < b for a, b in spans[sec])

        for sec, addr, ret, kind, ops in calls(elf):
            owner = function_at(sec, addr)
            if owner is None:
                continue
            node = self._resolve(elf, owner[0], owner[1])
            callee = self._callee(elf, sec, addr, ret, ops, function_at)
            if callee == "*indirect*" and not uses_pg:
                callee = None  # a pure C++ object: its pointers and vtables lead to C++
            if callee is None:
                continue  # a jump inside the function
            self.edges[node].add(callee)
            if kind != "call":
                continue
            if inside(ranges, sec, ret - 1):
                self.covered.append((node, elf.path, addr, callee, "cleanup", sec))
            elif (callee in self.pg and inside(fdes, sec, ret - 1)
                  and not inside(listed, sec, ret - 1)):
                # a call to PostgreSQL (which g++ takes to throw) with no
                # call-site entry: a noexcept region, whose destructors the
                # table does not show. (Calls to our own functions or
                # through pointers have no entry when the callee is
                # noexcept, so only direct calls to PostgreSQL tell.)
                self.covered.append((node, elf.path, addr, callee, "noexcept", sec))

    def _callee(self, elf, sec, addr, ret, ops, function_at):
        """What a call or jump goes to: a node, an external name, "*indirect*", or None."""
        rel = [(o, t) for o, t in elf.relocs[sec].items() if addr < o < ret]
        if rel:
            off, (sym, addend) = rel[0]
            if sym["shndx"] == 0:
                return sym["name"]           # defined elsewhere
            if sym["type"] == 3:             # section symbol: resolve the address
                target = function_at(sym["shndx"], sym["value"] + addend + (ret - off))
            else:
                target = (sym["name"], sym["bind"] == 0)
            if target is None:
                return None
            here = function_at(sec, addr)
            if not ops.startswith("*") and here and target[0] == here[0]:
                return None
            return self._resolve(elf, *target)
        if ops.startswith("*"):
            return "*indirect*"
        m = re.match(r"([0-9a-f]+)\b", ops)
        if not m:
            return None
        target = function_at(sec, int(m.group(1), 16))
        here = function_at(sec, addr)
        if target is None or (here and target[0] == here[0]):
            return None
        return self._resolve(elf, *target)

    def _is_ours(self, callee):
        return isinstance(callee, tuple) or callee in self.globals

    def _solve(self):
        """via[node] = the callee through which node reaches PostgreSQL."""
        self.via = {}
        changed = True
        while changed:
            changed = False
            for node, callees in self.edges.items():
                if node in self.via:
                    continue
                for c in sorted(callees, key=str):
                    if self.reaches(c):
                        self.via[node] = c
                        changed = True
                        break

    def reaches(self, callee):
        if callee == "*indirect*":
            return True
        if self._is_ours(callee):
            node = callee if isinstance(callee, tuple) else self.globals[callee]
            return node in self.via
        return callee in self.pg

    def chain(self, callee):
        out = [callee]
        seen = set()
        while self._is_ours(out[-1]) and out[-1] not in seen:
            seen.add(out[-1])
            node = out[-1] if isinstance(out[-1], tuple) else self.globals[out[-1]]
            out.append(self.via[node])
        return out

    def violations(self):
        found = {}
        sections = {elf.path: elf.sections for elf in self.elves}
        for node, path, addr, callee, why, sec in self.covered:
            if self.reaches(callee):
                where = source_line(path, sections[path][sec]["name"], addr)
                found.setdefault((path, name_of(node), str(callee)),
                                 (where, why, self.chain(callee)))
        return found


def source_line(path, section, addr):
    """file:line of an address when the object has line tables, else the address."""
    out = subprocess.run(["addr2line", "-e", path, "-j", section, f"{addr:#x}"],
                         capture_output=True, text=True).stdout.strip()
    if out and not out.startswith("??") and not out.split(" (")[0].endswith(":?"):
        return out.split(" (")[0]
    return f"{os.path.basename(path)} {section}+{addr:#x}"


def name_of(node):
    return node[1] if isinstance(node, tuple) else node


def demangle(names):
    out = subprocess.run(["c++filt"], input="\n".join(names), capture_output=True,
                         text=True, check=True).stdout.splitlines()
    return dict(zip(names, out))


def pg_exports(binary):
    text = subprocess.run(["nm", "-D", "--defined-only", binary], check=True,
                          capture_output=True, text=True).stdout
    names = {line.split()[-1].split("@")[0] for line in text.splitlines() if line.strip()}
    if "errstart" not in names:
        raise ValueError(f"{binary}: does not export errstart: not a postgres binary")
    return names


def check_objects(binary, objects):
    prog = Program(objects, pg_exports(binary))
    found = prog.violations()
    names = set()
    for (path, fn, _), (addr, why, chain) in found.items():
        names.add(fn)
        names.update(name_of(c) for c in chain)
    pretty = demangle(sorted(names))
    for (path, fn, _), (where, why, chain) in sorted(found.items()):
        steps = " -> ".join(pretty.get(name_of(c), name_of(c)) for c in chain)
        what = ("a destructor is alive across a call" if why == "cleanup" else
                "a noexcept region (destructors not visible) makes a call")
        print(f"{where}: in {pretty[fn]}: {what} that reaches PostgreSQL: {steps}")
    print(f"wall_check: {len(objects)} objects, {len(prog.covered)} calls under a cleanup "
          f"or noexcept, {len(found)} reach PostgreSQL")
    if not prog.covered:
        print("wall_check: no call under a cleanup at all: built without exception tables?")
        return 2
    return 1 if found else 0


# ------------------------------------------------------------- includes

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def check_includes(sources):
    bad = 0
    for src in sources:
        state = dict(seen=set(), pg=None, errors=[])
        expand(src, src, state)
        for e in state["errors"]:
            print(e)
        bad += len(state["errors"])
    print(f"wall_check includes: {len(sources)} sources, {bad} out of order")
    return 1 if bad else 0


def expand(src, path, state):
    with open(path) as f:
        lines = f.readlines()
    for n, line in enumerate(lines, 1):
        m = INCLUDE.match(line)
        if not m:
            continue
        kind, name = m.groups()
        where = f"{path}:{n}"
        if kind == '"':
            local = os.path.normpath(os.path.join(os.path.dirname(path), name))
            if os.path.exists(local):
                if local not in state["seen"]:
                    state["seen"].add(local)
                    expand(src, local, state)
                continue
            if state["pg"] is None:
                state["pg"] = f"{where} ({name})"
                if name != "postgres.h":
                    state["errors"].append(
                        f"{src}: \"{name}\" included at {where} before postgres.h: "
                        f"include pg.h first, which includes postgres.h")
            continue
        if name in state["seen"]:
            continue
        if state["pg"] is not None and not name.endswith(".h"):
            state["errors"].append(
                f"{src}: <{name}> included at {where} after the PostgreSQL headers "
                f"(first at {state['pg']}): include it before them (pg.h)")
        state["seen"].add(name)


def main(argv):
    try:
        if len(argv) >= 3 and argv[1] == "objects":
            return check_objects(argv[2], argv[3:])
        if len(argv) >= 2 and argv[1] == "includes":
            return check_includes(argv[2:])
    except (ValueError, KeyError, OSError, subprocess.CalledProcessError) as e:
        print(f"wall_check: cannot check: {e}", file=sys.stderr)
        return 2
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
