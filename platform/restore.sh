#!/usr/bin/env bash
# Restore a backup made by platform/backup.sh into a database and a media directory.
#
#   platform/restore.sh --database-url postgres://user:pw@host:5432/aiplus \
#     --media-root /app/var/media --yes /backups/aiplus-20261126T020000Z.dump
#
#   DUMP                 the .dump file; its -media.tar.gz and .sha256 beside it are
#                        used when present (or give --media FILE, or --no-media)
#   --database-url URL   target database (default: DATABASE_URL); it must exist,
#                        e.g. `createdb aiplus_restored`. Its tables are dropped and
#                        recreated from the dump (pg_restore --clean --if-exists), in
#                        one transaction: on any error nothing changes.
#   --media-root DIR     where the media files go (default: MEDIA_ROOT, else
#                        var/media); files of the archive overwrite those there,
#                        other files stay
#   --yes                do not ask for confirmation (needed without a terminal)
#
# Stop the web, worker and beat processes first (or restore into a new database and
# point DATABASE_URL at it), then run `manage.py migrate` if the code is newer than
# the backup.
set -euo pipefail

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
fail() { echo "restore.sh: $*" >&2; exit 1; }

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="${DATABASE_URL:-}"
MEDIA_DIR="${MEDIA_ROOT:-$ROOT/var/media}"
MEDIA_ARCHIVE=""
WITH_MEDIA=1
ASSUME_YES=0
DUMP=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --database-url) TARGET="${2:?}"; shift 2 ;;
    --media-root) MEDIA_DIR="${2:?}"; shift 2 ;;
    --media) MEDIA_ARCHIVE="${2:?}"; shift 2 ;;
    --no-media) WITH_MEDIA=0; shift ;;
    -y | --yes) ASSUME_YES=1; shift ;;
    -*) fail "unknown option $1 (see --help)" ;;
    *) [ -z "$DUMP" ] || fail "one dump at a time"; DUMP="$1"; shift ;;
  esac
done

[ -n "$DUMP" ] || { usage >&2; exit 2; }
[ -f "$DUMP" ] || fail "$DUMP: no such file"
[ -n "$TARGET" ] || fail "give --database-url (or set DATABASE_URL) for the target database"
case "$TARGET" in
  postgres://* | postgresql://*) ;;
  pgsql://* | psql://* | postgis://*) TARGET="postgresql://${TARGET#*://}" ;;
  *) fail "the target is not a PostgreSQL URL" ;;
esac
PG_RESTORE="${PG_BINDIR:+$PG_BINDIR/}pg_restore"
command -v "$PG_RESTORE" >/dev/null || fail "$PG_RESTORE not found (install postgresql-client or set PG_BINDIR)"

BASE="${DUMP%.dump}"
if [ "$WITH_MEDIA" = 1 ] && [ -z "$MEDIA_ARCHIVE" ]; then
  [ -f "$BASE-media.tar.gz" ] || fail "no $BASE-media.tar.gz beside the dump (give --media FILE or --no-media)"
  MEDIA_ARCHIVE="$BASE-media.tar.gz"
fi

if [ -f "$BASE.sha256" ]; then
  (cd "$(dirname "$DUMP")" && sha256sum --check --quiet "$(basename "$BASE").sha256") \
    || fail "checksums in $BASE.sha256 do not match: the backup is damaged"
fi
"$PG_RESTORE" --list "$DUMP" >/dev/null || fail "$DUMP is not a pg_dump custom-format archive"

# The target without its password, for the question below.
SHOWN="$(printf '%s' "$TARGET" | sed -E 's#://([^:@/]*):[^@/]*@#://\1:***@#')"
if [ "$ASSUME_YES" != 1 ]; then
  [ -t 0 ] || fail "refusing to overwrite $SHOWN without --yes"
  printf 'Replace every table of %s%s with %s? [y/N] ' "$SHOWN" \
    "$([ "$WITH_MEDIA" = 1 ] && printf ' and the files in %s' "$MEDIA_DIR")" "$DUMP"
  read -r answer
  case "$answer" in y | Y | yes) ;; *) fail "nothing restored" ;; esac
fi

"$PG_RESTORE" --clean --if-exists --no-owner --no-privileges --single-transaction \
  --exit-on-error --no-password --dbname="$TARGET" "$DUMP"
echo "restore.sh: database restored into $SHOWN"

if [ "$WITH_MEDIA" = 1 ]; then
  mkdir -p "$MEDIA_DIR"
  tar --extract --gzip --file="$MEDIA_ARCHIVE" --directory="$MEDIA_DIR" --no-same-owner
  echo "restore.sh: media restored into $MEDIA_DIR"
fi
