#!/bin/sh
# `docker exec <cluster> redis-cli ...` works without typing a password: redis-cli reads
# REDISCLI_AUTH, set here to the operator's password (the default user's, made by the entrypoint
# at start and readable by root only), or else to the container's REDIS_PASSWORD.
if [ -z "${REDISCLI_AUTH:-}" ] && [ -r /run/redis-operator-password ]; then
  REDISCLI_AUTH=$(cat /run/redis-operator-password)
fi
if [ -n "${REDIS_PASSWORD_FILE:-}" ] && [ -z "${REDIS_PASSWORD:-}" ]; then
  REDIS_PASSWORD=$(cat "$REDIS_PASSWORD_FILE")
fi
REDISCLI_AUTH="${REDISCLI_AUTH:-${REDIS_PASSWORD:-}}" exec /usr/bin/redis-cli -p "${REDIS_PORT:-6379}" "$@"
