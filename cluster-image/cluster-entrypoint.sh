#!/bin/sh
# Writes Redis' users and passwords, and its memory bound, into a config file only redis can read
# (not on a command line, where `ps` would show them), then hands over to supervisord.
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
random_password() { od -An -tx1 -N24 /dev/urandom | tr -d ' \n'; }
# Two passwords made afresh at every start: the operator's (root only: the redis-cli wrapper reads
# it) and the slave's hold on its own Redis (supervisord passes it to the slave in its
# environment). No other cluster knows either, so none can reconfigure or flush this Redis.
random_password > /run/redis-operator-password
REDIS_CONTROL_PASSWORD=$(random_password)
export REDIS_CONTROL_PASSWORD
# A previous start of this container (Kubernetes keeps /run across restarts) left the directory to
# redis: take it back first (CHOWN is the one capability that can, without DAC_OVERRIDE).
if [ -d /run/hscale ]; then
  chown root:root /run/hscale
  chmod 0700 /run/hscale
  if [ -e /run/hscale/redis.conf ]; then chown root:root /run/hscale/redis.conf; fi
fi
mkdir -p /run/hscale
{
  echo "include /etc/redis/cluster.conf"
  echo "port ${REDIS_PORT:-6379}"
} > /run/hscale/redis.conf
# Redis' users (operator, app, control, replication), each with the password, every byte escaped.
# Appended on its own line so that set -e stops here if it fails.
REDIS_OPERATOR_PASSWORD=$(cat /run/redis-operator-password) "$(dirname "$0")/redis-auth-conf.sh" >> /run/hscale/redis.conf
# Its memory bound and eviction policy (MAX_MEMORY, EVICTION): a bad value stops the container here.
"$(dirname "$0")/redis-memory-conf.sh" >> /run/hscale/redis.conf
# In this order: the container keeps only CHOWN, SETUID, SETGID and KILL (compose, k8s), so root
# can change a file's mode only while it owns it, and write into a directory only while it owns it.
chown redis:redis /run/hscale/redis.conf
chmod 0750 /run/hscale
chown redis:redis /run/hscale
exec "$@"
