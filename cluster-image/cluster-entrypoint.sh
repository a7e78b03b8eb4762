#!/bin/sh
# Writes the Redis password into a config file only redis can read (not on a command line,
# where `ps` would show it), then hands over to supervisord.
set -eu
if [ -n "${REDIS_PASSWORD_FILE:-}" ]; then
  REDIS_PASSWORD=$(cat "$REDIS_PASSWORD_FILE")
  export REDIS_PASSWORD
fi
if [ -z "${REDIS_PASSWORD:-}" ]; then
  echo "cluster-entrypoint: REDIS_PASSWORD (or REDIS_PASSWORD_FILE) must be set" >&2
  exit 64
fi
umask 077
mkdir -p /run/hscale
{
  echo "include /etc/redis/cluster.conf"
  echo "port ${REDIS_PORT:-6379}"
} > /run/hscale/redis.conf
# Redis' users (operator, app, control, replication), each with the password, every byte escaped.
# Appended on its own line so that set -e stops here if it fails.
"$(dirname "$0")/redis-auth-conf.sh" >> /run/hscale/redis.conf
# In this order: the container keeps only CHOWN, SETUID, SETGID and KILL (compose, k8s), so root
# can change a file's mode only while it owns it, and write into a directory only while it owns it.
chown redis:redis /run/hscale/redis.conf
chmod 0750 /run/hscale
chown redis:redis /run/hscale
exec "$@"
