#!/usr/bin/env bash
# make demo's year on PostgreSQL (make test-pg): the same script, with the
# books in a new database inpctl_demo on the server INPCTL_TEST_PG names.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${INPCTL_TEST_PG:?set INPCTL_TEST_PG (scripts/pg.sh start DIR prints it)}"
INPCTL_DB_URL=$(./scripts/pg.sh createdb "$INPCTL_TEST_PG" inpctl_demo)
export INPCTL_DB_URL
exec ./scripts/demo.sh
