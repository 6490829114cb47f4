#!/usr/bin/env bash
# pg.sh start|stop|url|createdb DIR: a throwaway PostgreSQL server for the tests
# (issue 22), in DIR, on a free loopback port, reachable only from this
# machine (trust authentication on 127.0.0.1, no other listener).
#
#   eval "$(scripts/pg.sh start /tmp/inpctl-pg)"   # exports INPCTL_TEST_PG
#   scripts/pg.sh stop /tmp/inpctl-pg
#
# It finds initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin, and installs
# Debian's postgresql package when neither has them (as root, on Debian or
# Ubuntu). PostgreSQL refuses to run as root: as root, the server runs as
# the postgres user (created by the Debian package) and DIR belongs to it.
set -euo pipefail
cmd=${1:?usage: pg.sh start|stop|url DIR}
dir=${2:?usage: pg.sh start|stop|url DIR, or createdb URL NAME}

find_bin() {
	local b
	if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
		dirname "$(readlink -f "$(command -v initdb)")"
		return
	fi
	for b in /usr/lib/postgresql/*/bin; do
		if [ -x "$b/initdb" ]; then echo "$b"; return; fi
	done
	return 1
}

bin=$(find_bin || true)
if [ -z "$bin" ] && [ "$cmd" = start ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "pg.sh: installing Debian's postgresql (initdb not found)" >&2
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; } >&2
		bin=$(find_bin)
	else
		echo "pg.sh: PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)" >&2
		exit 1
	fi
fi

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case $cmd in
start)
	mkdir -p "$dir"
	if [ "$(id -u)" = 0 ]; then
		# The server runs as postgres (the Debian package creates it; a
		# machine with the binaries but not the user gets one).
		id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" --shell /usr/sbin/nologin postgres
		chown postgres: "$dir"
	fi
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; exit 1; }
	fi
	# A free port: let the kernel pick one, then give it to the server.
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + RANDOM % 20000)))
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=on -c max_connections=200" start >&2 ||
		{ cat "$dir/server.log" >&2; exit 1; }
	echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable" >"$dir/url"
	echo "export INPCTL_TEST_PG='$(cat "$dir/url")'"
	;;
stop)
	[ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
	;;
url)
	cat "$dir/url"
	;;
createdb)
	# pg.sh createdb URL NAME: an empty database NAME on the server of URL
	# (dropped first if it exists); prints its URL.
	name=${3:?usage: pg.sh createdb URL NAME}
	base=$dir
	PGOPTIONS='-c client_min_messages=warning' "$bin/dropdb" --if-exists --force --maintenance-db="$base" "$name" >&2
	"$bin/createdb" --maintenance-db="$base" "$name" >&2
	echo "$base" | sed -E "s#^(postgres(ql)?://[^/]+)/[^?]*#\1/$name#"
	;;
*)
	echo "usage: pg.sh start|stop|url|createdb DIR [NAME]" >&2
	exit 2
	;;
esac
