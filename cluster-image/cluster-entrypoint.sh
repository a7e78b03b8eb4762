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
install -d -o redis -g redis -m 0750 /run/hscale
umask 077
{
  echo "include /etc/redis/cluster.conf"
  echo "port ${REDIS_PORT:-6379}"
  printf 'requirepass %s\nmasterauth %s\n' "$(redis_conf_quote "$REDIS_PASSWORD")" "$(redis_conf_quote "$REDIS_PASSWORD")"
} > /run/hscale/redis.conf
chown redis:redis /run/hscale/redis.conf
exec "$@"
