#!/bin/sh
# Runs once, when the postgres container initialises its data directory, after 01-schema.sql and
# 02-cdc.sql: gives the indexer role the password from the environment (.env), never from a file in git.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v pw="$INDEXER_PASSWORD" <<'SQL'
ALTER ROLE discord_indexer PASSWORD :'pw';
SQL
