#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests of the PostgreSQL store (issue 15), on 127.0.0.1.
#
#   eval "$(bash Scripts/test-postgres.sh start DIR)"   initdb into DIR, start it on a free port, print
#                                                       the exports (EMC_TEST_POSTGRES_URL, …_CLUSTER)
#   bash Scripts/test-postgres.sh restart DIR           pg_ctl restart (the tests' database restart)
#   bash Scripts/test-postgres.sh stop DIR              stop it (DIR is left for the caller to remove)
#
# As root, the cluster runs as the `postgres` user (initdb refuses root). Trust authentication on
# loopback only: for tests, never for a real database. The tests create and drop their own databases.
set -euo pipefail
command=${1:?usage: test-postgres.sh start|restart|stop DIR}
dir=${2:?usage: test-postgres.sh start|restart|stop DIR}

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
    echo "test-postgres: PostgreSQL is not installed (apt-get install -y postgresql)" >&2
    exit 3
fi
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" --auth=trust --username=postgres --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 300
CONF
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "export EMC_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
    echo "export EMC_TEST_POSTGRES_CLUSTER=$dir"
    ;;
restart)
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -m fast restart >/dev/null
    ;;
stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -w -t 60 -m fast stop >/dev/null || true
    ;;
*)
    echo "usage: test-postgres.sh start|restart|stop DIR" >&2
    exit 2
    ;;
esac
