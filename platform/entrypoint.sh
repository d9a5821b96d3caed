#!/bin/sh
# Wait for PostgreSQL, apply migrations (web only), then run the given command.
set -e

if [ -n "$DATABASE_URL" ]; then
  python - <<'PY'
import os, sys, time
import psycopg
url = os.environ["DATABASE_URL"]
for attempt in range(60):
    try:
        psycopg.connect(url, connect_timeout=2).close()
        sys.exit(0)
    except psycopg.OperationalError:
        time.sleep(1)
sys.exit("database not reachable")
PY
fi

if [ "${RUN_MIGRATIONS:-0}" = "1" ]; then
  python manage.py migrate --noinput
fi

exec "$@"
