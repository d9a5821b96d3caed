#!/usr/bin/env bash
# Back up the platform: the PostgreSQL database (pg_dump, custom format) and the
# uploaded attachments (a tarball of MEDIA_ROOT). Restore with platform/restore.sh.
#
#   DATABASE_URL=postgres://user:pw@host:5432/aiplus MEDIA_ROOT=/app/var/media \
#     platform/backup.sh /backups
#
# Writes, in OUTPUT_DIR (default: ./backups):
#   aiplus-<UTC time>.dump           the database (pg_restore reads it)
#   aiplus-<UTC time>-media.tar.gz   the media files
#   aiplus-<UTC time>.sha256         checksums of both (restore.sh checks them)
# and prints the path of the .dump. Files appear only once complete.
#
# The database is dumped first, then the media: every attachment the dump refers to
# was on disk before the tarball was made. pg_dump reads one consistent snapshot
# while the site keeps running. Needs pg_dump of the server's major version or newer
# (PG_BINDIR=/usr/lib/postgresql/15/bin picks a particular one).
set -euo pipefail

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
case "${1:-}" in -h | --help) usage; exit 0 ;; esac

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUTPUT_DIR="${1:-backups}"
MEDIA_ROOT="${MEDIA_ROOT:-$ROOT/var/media}"
PG_DUMP="${PG_BINDIR:+$PG_BINDIR/}pg_dump"

fail() { echo "backup.sh: $*" >&2; exit 1; }

[ -n "${DATABASE_URL:-}" ] || fail "set DATABASE_URL to the PostgreSQL database to back up"
# django-environ accepts several schemes for PostgreSQL; libpq only these two.
case "$DATABASE_URL" in
  postgres://* | postgresql://*) URL="$DATABASE_URL" ;;
  pgsql://* | psql://* | postgis://*) URL="postgresql://${DATABASE_URL#*://}" ;;
  *) fail "DATABASE_URL is not a PostgreSQL URL (SQLite: copy the file while the site is stopped)" ;;
esac
command -v "$PG_DUMP" >/dev/null || fail "$PG_DUMP not found (install postgresql-client or set PG_BINDIR)"

mkdir -p "$OUTPUT_DIR"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
BASE="$OUTPUT_DIR/aiplus-$STAMP"
[ ! -e "$BASE.dump" ] || fail "$BASE.dump exists already"
PARTIAL="$BASE.partial"
trap 'rm -f "$PARTIAL.dump" "$PARTIAL-media.tar.gz"' EXIT

"$PG_DUMP" --format=custom --compress=6 --no-password --file="$PARTIAL.dump" --dbname="$URL"

if [ -d "$MEDIA_ROOT" ]; then
  tar --create --gzip --file="$PARTIAL-media.tar.gz" --directory="$MEDIA_ROOT" .
else
  echo "backup.sh: MEDIA_ROOT $MEDIA_ROOT does not exist; the media archive is empty" >&2
  EMPTY="$(mktemp -d)"
  tar --create --gzip --file="$PARTIAL-media.tar.gz" --directory="$EMPTY" .
  rmdir "$EMPTY"
fi

mv "$PARTIAL.dump" "$BASE.dump"
mv "$PARTIAL-media.tar.gz" "$BASE-media.tar.gz"
(cd "$OUTPUT_DIR" && sha256sum "aiplus-$STAMP.dump" "aiplus-$STAMP-media.tar.gz") >"$BASE.sha256"
echo "$BASE.dump"
