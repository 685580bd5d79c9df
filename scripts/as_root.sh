# as_root.sh: sourced first by the README's commands (scripts/demo.sh,
# tests/run_all.sh). They install packages, make chroots and run servers as
# the postgres user, so they run as root: as root directly (no sudo needed,
# which a fresh machine often lacks); otherwise again through sudo if there
# is one, or not at all, saying how.
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo --preserve-env=CI,OUTFLOW_MAJORS,OUTFLOW_CHROOTS,KEEP_CLUSTERS "$0" "$@"
	fi
	echo "$(basename "$0"): run as root (for example: su -c '$0${*:+ $*}'); it installs packages and runs test servers as the postgres user" >&2
	exit 1
fi
