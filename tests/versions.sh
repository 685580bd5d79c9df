#!/bin/bash
# Builds and tests outflow on other PostgreSQL majors, each in a Debian chroot
# that has that major's server, headers and the test dependencies:
#   13 bullseye, 15 bookworm, 17 trixie, 18 sid, 19 experimental
# For each major it prepares the chroot (or reuses a ready one), copies this
# tree in, and runs tests/run_all.sh there (build with -Werror, unit tests,
# every pg_regress suite, the isolation specs, TAP with the oracle and, where
# that major has wal2json, the wal2json differential). Mounts are removed and servers
# left in a chroot are stopped whatever happens.
#
#   tests/versions.sh [MAJOR ...]           default: 13 17 18 19 (15 is the host's)
#   tests/versions.sh --prepare [MAJOR ...] only make the chroots ready
#   tests/versions.sh --shell MAJOR         a shell in that chroot, tree at /build/outflow
#   tests/versions.sh --exec MAJOR CMD...   run CMD in that chroot, in a fresh copy of the tree
# OUTFLOW_CHROOTS (default /var/tmp/outflow-chroots) holds the chroots;
# OUTFLOW_CHROOT_TAG=x keeps a private set (pg17-x, ...) for parallel work.
# Ends with "N passed, M failed" (one count per major).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
base=${OUTFLOW_CHROOTS:-/var/tmp/outflow-chroots}
mirror=${OUTFLOW_MIRROR:-http://deb.debian.org/debian}
tag=${OUTFLOW_CHROOT_TAG:+-$OUTFLOW_CHROOT_TAG}

[ "$(id -u)" = 0 ] || { echo "versions.sh: run as root (it makes chroots and mounts in them)" >&2; exit 1; }

# suite_of MAJOR: the Debian suite that packages it.
suite_of() {
	case $1 in
	13) echo bullseye ;; 15) echo bookworm ;; 17) echo trixie ;;
	18) echo sid ;; 19) echo experimental ;;
	*) echo "versions.sh: no Debian suite packages PostgreSQL $1 (13, 15, 17, 18, 19 are)" >&2; return 1 ;;
	esac
}

# wal2json_of MAJOR: the wal2json package of that major, if Debian has one.
wal2json_of() {
	case $1 in 13|15|17|18) echo "postgresql-$1-wal2json" ;; esac
}

# The packages a chroot gets (besides the server's); their list is part of
# the ready marker, so that changing it rebuilds the chroots.
common_packages="build-essential nlohmann-json3-dev libgtest-dev libipc-run-perl python3 rsync util-linux procps"

# mount_chroot DIR / umount_chroot DIR: what a server needs inside. The
# chroot gets a /dev of its own (a tmpfs with the few device nodes a build and
# a server use, its own devpts and shm), never the host's /dev: nothing done
# in or to the chroot can touch the host's devices. Mounts are private.
mount_chroot() {
	local d=$1
	mountpoint -q "$d/proc" || mount -t proc proc "$d/proc"
	if ! mountpoint -q "$d/dev"; then
		mount -t tmpfs -o mode=755,size=16m outflow-dev "$d/dev"
		mknod -m 666 "$d/dev/null" c 1 3; mknod -m 666 "$d/dev/zero" c 1 5
		mknod -m 666 "$d/dev/full" c 1 7; mknod -m 666 "$d/dev/random" c 1 8
		mknod -m 666 "$d/dev/urandom" c 1 9; mknod -m 666 "$d/dev/tty" c 5 0
		ln -s /proc/self/fd "$d/dev/fd"; ln -s /proc/self/fd/0 "$d/dev/stdin"
		ln -s /proc/self/fd/1 "$d/dev/stdout"; ln -s /proc/self/fd/2 "$d/dev/stderr"
		mkdir -p "$d/dev/pts" "$d/dev/shm"
		mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$d/dev/pts" && ln -s pts/ptmx "$d/dev/ptmx"
		mount -t tmpfs -o mode=1777,size=2g shm "$d/dev/shm"
	fi
	mount --make-rprivate "$d/dev" 2>/dev/null || true
	cp /etc/resolv.conf "$d/etc/resolv.conf" 2>/dev/null || true
}
umount_chroot() {
	local d=$1 p
	# servers or consumers a failed run left behind
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$d" ] && kill -9 "${p#/proc/}" 2>/dev/null
	done
	sleep 0.2
	for m in dev/shm dev/pts dev proc; do
		while mountpoint -q "$d/$m"; do umount "$d/$m" 2>/dev/null || umount -l "$d/$m" || break; done
	done
	return 0
}
# remove_chroot DIR: deletes a chroot, but never through a mount point.
remove_chroot() {
	local d=$1
	umount_chroot "$d"
	if grep -q " $d/" /proc/self/mounts; then
		echo "versions.sh: $d still has mounts; not removing it" >&2
		return 1
	fi
	rm -rf --one-file-system "$d"
}
MOUNTED=()
cleanup() { for d in "${MOUNTED[@]}"; do umount_chroot "$d"; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# in_chroot DIR CMD...: runs a command in the chroot with a clean environment.
in_chroot() {
	local d=$1; shift
	chroot "$d" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive CI="${CI:-}" OUTFLOW_IN_CHROOT=1 "$@"
}

# prepare MAJOR: makes (or reuses) the chroot of a major; prints its path last.
prepare() {
	local major=$1 suite boot d pkgs marker
	suite=$(suite_of "$major") || return 1
	d=$base/pg$major$tag
	pkgs="postgresql-$major postgresql-server-dev-$major $(wal2json_of "$major") $common_packages"
	marker="$suite: $pkgs"
	case $suite in bookworm|trixie) marker="$suite+updates: $pkgs" ;; esac
	if [ -f "$d/.outflow-ready" ] && [ "$(cat "$d/.outflow-ready")" = "$marker" ]; then
		echo "$d"; return 0
	fi
	# a private set starts as a copy of the shared chroot when that one is ready
	local shared=$base/pg$major
	if [ -n "$tag" ] && [ -f "$shared/.outflow-ready" ] && [ "$(cat "$shared/.outflow-ready")" = "$marker" ]; then
		echo "== copying $shared to $d" >&2
		remove_chroot "$d" || return 1
		cp -a --one-file-system "$shared" "$d" && mkdir -p "$d/proc" "$d/dev" && { echo "$d"; return 0; }
	fi
	echo "== preparing $d (PostgreSQL $major from $suite)" >&2
	remove_chroot "$d" || return 1
	mkdir -p "$base"
	boot=$suite; [ "$suite" = experimental ] && boot=sid
	command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null || return 1
	debootstrap --variant=minbase "$boot" "$d" "$mirror" >"$base/pg$major$tag.debootstrap.log" 2>&1 ||
		{ tail -20 "$base/pg$major$tag.debootstrap.log" >&2; return 1; }
	case $suite in
	experimental) echo "deb $mirror experimental main" >"$d/etc/apt/sources.list.d/experimental.list" ;;
	bookworm|trixie) # a supported stable suite: its point-release and security updates too (the newest minor;
		# bullseye's security archive here lists packages it cannot serve, and 13 has no newer minor)
		printf 'deb %s %s-updates main\ndeb %s-security %s-security main\n' "$mirror" "$suite" "$mirror" "$suite" \
			>"$d/etc/apt/sources.list.d/updates.list" ;;
	esac
	# no services started by package scripts, no "main" cluster
	printf '#!/bin/sh\nexit 101\n' >"$d/usr/sbin/policy-rc.d"; chmod 755 "$d/usr/sbin/policy-rc.d"
	mkdir -p "$d/etc/postgresql-common"
	echo "create_main_cluster = false" >"$d/etc/postgresql-common/createcluster.conf"
	# experimental: only the server's packages from there, the rest from sid
	[ "$suite" = experimental ] && pkgs="${pkgs//-$major /-$major/experimental } libpq5/experimental libpq-dev/experimental"
	# (prepare runs in a subshell: it unmounts what it mounted itself, whatever happens)
	mount_chroot "$d"
	install_packages "$d" "$pkgs" "$base/pg$major$tag.apt.log"
	local rc=$?
	umount_chroot "$d"
	[ $rc = 0 ] || return 1
	echo "$marker" >"$d/.outflow-ready"
	echo "$d"
}

# install_packages DIR PACKAGES LOG: apt in the (mounted) chroot.
install_packages() {
	local d=$1 pkgs=$2 log=$3
	# sid and experimental Release files may carry a Valid-Until in the past here
	in_chroot "$d" apt-get -o Acquire::Check-Valid-Until=false update -qq >&2 || return 1
	in_chroot "$d" apt-get install -y -qq --no-install-recommends $pkgs >"$log" 2>&1 ||
		{ tail -20 "$log" >&2; return 1; }
	in_chroot "$d" apt-get clean
}

# enter MAJOR: prepares and mounts the chroot of a major and copies this tree
# to /build/outflow in it (without build products); sets CHROOT.
enter() {
	local major=$1
	CHROOT=$(prepare "$major" | tail -1) || return 1
	[ -f "$CHROOT/.outflow-ready" ] || return 1
	MOUNTED+=("$CHROOT"); mount_chroot "$CHROOT"
	rm -rf "$CHROOT/build/outflow"; mkdir -p "$CHROOT/build"
	rsync -a --exclude .git --exclude tmp_check --exclude '*.o' --exclude '*.so' --exclude '*.d' \
		--exclude results --exclude 'regression.*' --exclude 'tests/unit/unit_tests*' \
		--exclude tests/tools/stream_check "$root/" "$CHROOT/build/outflow/"
}

# run_major MAJOR: the whole suite of one major in its chroot.
run_major() {
	enter "$1" || return 1
	echo "== PostgreSQL $1 ($(in_chroot "$CHROOT" pg_config --version))"
	in_chroot "$CHROOT" bash /build/outflow/tests/run_all.sh --this-major
}

# The whole run is one function, read in full before it starts: editing this
# file while it runs cannot change what a running instance does.
main() {
	mode=run
	case ${1:-} in
	--prepare) mode=prepare; shift ;;
	--shell) mode=shell; shift ;;
	--exec) mode=exec; shift ;;
	esac
	majors=("$@")
	[ ${#majors[@]} -gt 0 ] || majors=(13 17 18 19)

	if [ "$mode" = shell ] || [ "$mode" = exec ]; then
		[ ${#majors[@]} -gt 0 ] || { echo "usage: versions.sh --$mode MAJOR [CMD...]" >&2; exit 2; }
		enter "${majors[0]}" || exit 1
		if [ "$mode" = shell ]; then
			in_chroot "$CHROOT" TERM="${TERM:-dumb}" bash -c 'cd /build/outflow && exec bash -i'
		else
			in_chroot "$CHROOT" bash -c 'cd /build/outflow && "$@"' exec "${majors[@]:1}"
		fi
		exit
	fi

	passed=0; failed=0; failures=()
	for major in "${majors[@]}"; do
		start=$SECONDS
		if [ "$mode" = prepare ]; then
			prepare "$major" >/dev/null && ok=1 || ok=0
		else
			run_major "$major" && ok=1 || ok=0
		fi
		echo "== PostgreSQL $major: $([ $ok = 1 ] && echo passed || echo FAILED) in $((SECONDS - start)) s"
		if [ $ok = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$major"); fi
	done
	echo
	[ ${#failures[@]} -gt 0 ] && echo "failed majors: ${failures[*]}"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
main "$@"
