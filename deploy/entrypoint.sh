#!/bin/sh
# Jejaring's one start script: the container image's ENTRYPOINT, and the same script outside a
# container (tests/test_deploy.py runs it on a temporary SQLite database, since this machine's
# CI has no container runtime). docs/deploy.md explains every role and variable.
#
#   entrypoint.sh web [serve options]   wait for the database, `jejaring setup` (migrations,
#                                       reference data, collectstatic), then `jejaring serve`
#   entrypoint.sh worker [options]      wait for the migrations, then `jejaring worker`
#   entrypoint.sh scheduler             `jejaring remind` daily at REMIND_AT (default 06:00),
#                                       and `jejaring backup` daily at BACKUP_AT when set
#   entrypoint.sh backup [options]      `jejaring backup --output $BACKUP_DIR` once
#   entrypoint.sh manage COMMAND ...    any `jejaring` command (createsuperuser, restore, …)
#   entrypoint.sh health [PATH]         exit 0 when http://127.0.0.1:PORT/PATH answers 200
#
# Secrets are read from files only (SECRET_KEY_FILE, DATABASE_URL_FILE): a secret in the
# environment shows in `docker inspect`, /proc and crash reports. The messages here are for
# the operator and in English; the `jejaring` commands speak Indonesian themselves.
set -eu

JEJARING="${JEJARING:-jejaring}"
PYTHON="${PYTHON:-python3}"
BACKUP_DIR="${BACKUP_DIR:-/backups}"
DB_WAIT_SECONDS="${DB_WAIT_SECONDS:-60}"
MIGRATIONS_WAIT_SECONDS="${MIGRATIONS_WAIT_SECONDS:-900}"
# Local time for the scheduler; the settings' TIME_ZONE is the product's (Asia/Jakarta).
TZ="${TZ:-${TIME_ZONE:-Asia/Jakarta}}"
export TZ

say() { printf 'jejaring-entrypoint: %s\n' "$*" >&2; }
fail() {
    say "$*"
    exit 64
}

# A secret must come from NAME_FILE, a readable, non-empty file; NAME itself must be unset.
secret_from_file() {
    name=$1
    eval "plain=\${$name:-}"
    eval "file=\${${name}_FILE:-}"
    if [ -n "$plain" ]; then
        fail "$name is set in the environment. Put it in a file readable only by the service and set ${name}_FILE to its path instead."
    fi
    if [ -z "$file" ]; then
        fail "${name}_FILE is not set. Set it to the path of a file holding $name (docs/deploy.md, \"Secrets\")."
    fi
    if [ ! -r "$file" ] || [ ! -s "$file" ]; then
        fail "${name}_FILE names $file, which is missing, unreadable or empty."
    fi
}

check_secrets() {
    secret_from_file SECRET_KEY
    # The database address holds the password, except SQLite's (a path, no secret) and a
    # PostgreSQL address without one (peer or PGPASSFILE authentication).
    if [ -n "${DATABASE_URL_FILE:-}" ]; then
        secret_from_file DATABASE_URL
    else
        case "${DATABASE_URL:-}" in
        *://*:*@*) fail "DATABASE_URL holds a password. Put the address in a file and set DATABASE_URL_FILE instead." ;;
        "") fail "Neither DATABASE_URL_FILE nor DATABASE_URL is set." ;;
        esac
    fi
}

# Retry COMMAND until it succeeds or SECONDS pass; then its own message is shown.
retry() {
    what=$1
    seconds=$2
    shift 2
    deadline=$(($(date +%s) + seconds))
    until "$@" >/dev/null 2>&1; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            say "gave up waiting for $what after $seconds s:"
            "$@" >&2 || exit $?
        fi
        sleep 2
    done
}

database_answers() {
    "$JEJARING" shell -v 0 -c "from django.db import connection; connection.ensure_connection()"
}

wait_for_database() { retry "the database" "$DB_WAIT_SECONDS" database_answers; }
# The worker and scheduler start beside the web role, which migrates (the first set-up of a
# national database takes minutes): wait for it.
wait_for_migrations() {
    retry "the migrations (the web role applies them)" "$MIGRATIONS_WAIT_SECONDS" \
        "$JEJARING" migrate --check
}

# "HH:MM" → minutes after midnight; refuses anything else.
minutes_of() {
    case "$1" in
    [0-1][0-9]:[0-5][0-9] | 2[0-3]:[0-5][0-9]) ;;
    *) fail "$2 must be a time of day as HH:MM (24-hour), not \"$1\"." ;;
    esac
    echo $((1${1%%:*} * 60 + 1${1##*:} - 6100))
}

# Run JOB (remind/backup) once a day at or after AT. The last day it ran is kept in
# SCHEDULER_STATE_DIR, so a restart does not run it again that day; a scheduler started after
# AT (a power cut overnight) catches up at once.
run_if_due() {
    job=$1
    at=$2
    shift 2
    today=$(date +%Y-%m-%d)
    now=$((1$(date +%H) * 60 + 1$(date +%M) - 6100))
    state="$SCHEDULER_STATE_DIR/last-$job"
    last=$(cat "$state" 2>/dev/null || true)
    if [ "$now" -ge "$at" ] && [ "$last" != "$today" ]; then
        say "running the daily $job ($today)"
        if "$@"; then
            say "daily $job done"
        else
            say "daily $job FAILED (exit $?); next attempt tomorrow"
        fi
        echo "$today" >"$state.tmp" && mv "$state.tmp" "$state"
    fi
}

# Checked before waiting for anything, so a mistyped time stops the scheduler at once.
read_schedule() {
    remind_at=$(minutes_of "${REMIND_AT:-06:00}" REMIND_AT)
    backup_at=""
    if [ -n "${BACKUP_AT:-}" ]; then
        backup_at=$(minutes_of "$BACKUP_AT" BACKUP_AT)
    fi
}

scheduler() {
    SCHEDULER_STATE_DIR="${SCHEDULER_STATE_DIR:-$BACKUP_DIR}"
    mkdir -p "$SCHEDULER_STATE_DIR"
    # `sleep` in the background and `wait`, so a stop signal is handled at once.
    trap 'kill "$sleeper" 2>/dev/null || true; say "scheduler stopped"; exit 0' TERM INT
    sleeper=""
    say "scheduler: reminders daily at ${REMIND_AT:-06:00}${BACKUP_AT:+, backups daily at $BACKUP_AT} ($TZ)"
    while :; do
        if [ -n "$backup_at" ]; then
            run_if_due backup "$backup_at" "$JEJARING" backup --output "$BACKUP_DIR" --prune
        fi
        # Safe to run twice a day: every reminder carries a key and goes out once.
        run_if_due remind "$remind_at" "$JEJARING" remind
        sleep "${SCHEDULER_TICK_SECONDS:-30}" &
        sleeper=$!
        wait "$sleeper" || true
    done
}

health() {
    path=${1:-healthz}
    # The Host header must be one Django accepts: the first of ALLOWED_HOSTS.
    host=$(printf '%s' "${ALLOWED_HOSTS:-localhost}" | cut -d, -f1 | sed 's/^\.//; s/^\*$/localhost/')
    bind=${JEJARING_BIND:-127.0.0.1:8000}
    exec "$PYTHON" - "http://127.0.0.1:${bind##*:}/${path#/}" "$host" <<'PY'
import sys
import urllib.request

url, host = sys.argv[1], sys.argv[2]
request = urllib.request.Request(url, headers={"Host": host, "X-Forwarded-Proto": "https"})
try:
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:  # noqa: BLE001
    sys.stderr.write(f"{url}: {exc}\n")
    sys.exit(1)
PY
}

role=${1:-}
[ $# -gt 0 ] && shift
case "$role" in
web)
    check_secrets
    wait_for_database
    if [ "${JEJARING_SETUP:-true}" = true ]; then
        # Migrations, catalogues, regions, reference data and collectstatic: idempotent, so
        # every start (and so every upgrade) brings the database and static files up to date.
        "$JEJARING" setup ${JEJARING_PROVINCES:+--provinces "$JEJARING_PROVINCES"}
    fi
    exec "$JEJARING" serve "$@"
    ;;
worker)
    check_secrets
    wait_for_database
    wait_for_migrations
    exec "$JEJARING" worker "$@"
    ;;
scheduler)
    read_schedule
    check_secrets
    wait_for_database
    wait_for_migrations
    scheduler
    ;;
backup)
    check_secrets
    wait_for_database
    exec "$JEJARING" backup --output "$BACKUP_DIR" "$@"
    ;;
manage)
    [ $# -gt 0 ] || fail "manage needs a command, e.g. \`manage createsuperuser\`."
    check_secrets
    exec "$JEJARING" "$@"
    ;;
health)
    health "$@"
    ;;
*)
    fail "unknown role \"$role\": use web, worker, scheduler, backup, manage COMMAND… or health [PATH]."
    ;;
esac
