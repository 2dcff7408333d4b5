#!/bin/sh
# One-time preparation of a server for compose.yaml, run from the repository with sudo:
#
#   sudo sh deploy/prepare.sh
#
# Makes the secrets (never overwriting one that exists), the backup folder and .env. The
# containers run as fixed users, and compose mounts secret files with the host's owner and
# mode, so each secret is owned by the one user that reads it: the app (uid 10001, the
# Dockerfile's `jejaring`) and PostgreSQL (uid 999 in the postgres image).
set -eu
cd "$(dirname "$0")/.."
APP_UID=10001
DB_UID=999

random() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

umask 077
mkdir -p secrets
if [ ! -s secrets/secret_key ]; then
    random >secrets/secret_key
    echo "made secrets/secret_key"
fi
if [ ! -s secrets/db_password ]; then
    random >secrets/db_password
    echo "made secrets/db_password"
fi
if [ ! -s secrets/database_url ]; then
    # Hex only, so the password needs no escaping inside the address.
    printf 'postgres://jejaring:%s@db:5432/jejaring\n' "$(cat secrets/db_password)" >secrets/database_url
    echo "made secrets/database_url"
fi
if [ ! -e secrets/email_password ]; then
    # Empty until the office's mail relay needs a password: write it here.
    : >secrets/email_password
    echo "made secrets/email_password (empty: put the mail relay's password in it if it has one)"
fi
chown "$APP_UID" secrets/secret_key secrets/database_url secrets/email_password
chown "$DB_UID" secrets/db_password
chmod 0400 secrets/secret_key secrets/database_url secrets/db_password secrets/email_password

mkdir -p backups
chown "$APP_UID" backups
chmod 0700 backups

if [ ! -f .env ]; then
    umask 022
    cp deploy/compose.env.example .env
    echo "made .env: set JEJARING_DOMAIN (and ACME_EMAIL) there"
fi
echo "ready: docker compose --profile https up -d --build"
