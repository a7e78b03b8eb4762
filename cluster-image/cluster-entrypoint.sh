#!/bin/sh
# Writes the Redis password into a config file only redis can read (not on a command line,
# where `ps` would show it), then hands over to supervisord.
set -eu
# shellcheck source=/dev/null
. "$(dirname "$0")/redis-conf-quote.sh"
if [ -n "${REDIS_PASSWORD_FILE:-}" ]; then
  REDIS_PASSWORD=$(cat "$REDIS_PASSWORD_FILE")
  export REDIS_PASSWORD
fi
if [ -z "${REDIS_PASSWORD:-}" ]; then
  echo "cluster-entrypoint: REDIS_PASSWORD (or REDIS_PASSWORD_FILE) must be set" >&2
  exit 64
fi
# On its own line, so that set -e stops here if quoting fails (it would not inside printf's arguments).
quoted=$(redis_conf_quote "$REDIS_PASSWORD")
if [ "$quoted" = '""' ]; then
  echo "cluster-entrypoint: could not quote REDIS_PASSWORD for redis.conf" >&2
  exit 70
fi
umask 077
mkdir -p /run/hscale
{
  echo "include /etc/redis/cluster.conf"
  echo "port ${REDIS_PORT:-6379}"
  printf 'requirepass %s\nmasterauth %s\n' "$quoted" "$quoted"
} > /run/hscale/redis.conf
# In this order: the container keeps only CHOWN, SETUID, SETGID and KILL (compose, k8s), so root
# can change a file's mode only while it owns it, and write into a directory only while it owns it.
chown redis:redis /run/hscale/redis.conf
chmod 0750 /run/hscale
chown redis:redis /run/hscale
exec "$@"
