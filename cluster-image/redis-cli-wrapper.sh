#!/bin/sh
# `docker exec <cluster> redis-cli ...` works without typing the password: redis-cli reads
# REDISCLI_AUTH, set here from the container's REDIS_PASSWORD.
if [ -n "${REDIS_PASSWORD_FILE:-}" ] && [ -z "${REDIS_PASSWORD:-}" ]; then
  REDIS_PASSWORD=$(cat "$REDIS_PASSWORD_FILE")
fi
REDISCLI_AUTH="${REDISCLI_AUTH:-${REDIS_PASSWORD:-}}" exec /usr/bin/redis-cli -p "${REDIS_PORT:-6379}" "$@"
