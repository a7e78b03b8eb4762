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
# /run is root's: in Kubernetes it is an emptyDir, created world-writable and kept across restarts
# of the container, so a previous start's programs could have left anything there. Take it back and
# clear what this script writes (CHOWN is the one capability that can, without DAC_OVERRIDE).
chown root:root /run
chmod 0755 /run
rm -f /run/redis-operator-password
if [ -L /run/hscale ] || { [ -e /run/hscale ] && [ ! -d /run/hscale ]; }; then rm -f /run/hscale; fi
if [ -d /run/hscale ]; then
  chown root:root /run/hscale
  chmod 0700 /run/hscale
  rm -rf /run/hscale
fi
# Root's, readable by the redis group: redis owns nothing here, so nothing it could leave behind
# can stop the next start.
mkdir /run/hscale

random_password() {
  p=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
  if [ "${#p}" -ne 48 ]; then
    echo "cluster-entrypoint: could not make a random password" >&2
    exit 70
  fi
  printf '%s' "$p"
}
# Two passwords made afresh at every start: the operator's (root only: the redis-cli wrapper reads
# it) and the control user's, this slave's hold on its own Redis (supervisord passes it on in the
# environment). No other cluster knows either, so none can reconfigure or flush this Redis.
operator_password=$(random_password)
(set -C && printf '%s' "$operator_password" > /run/redis-operator-password)
REDIS_CONTROL_PASSWORD=$(random_password)
export REDIS_CONTROL_PASSWORD
{
  echo "include /etc/redis/cluster.conf"
  echo "port ${REDIS_PORT:-6379}"
} > /run/hscale/redis.conf
# Redis' users (operator, app, control, replication), each with the password, every byte escaped.
# Appended on its own line so that set -e stops here if it fails.
REDIS_OPERATOR_PASSWORD=$operator_password "$(dirname "$0")/redis-auth-conf.sh" >> /run/hscale/redis.conf
# Its memory bound and eviction policy (MAX_MEMORY, EVICTION): a bad value stops the container here.
"$(dirname "$0")/redis-memory-conf.sh" >> /run/hscale/redis.conf
chgrp redis /run/hscale/redis.conf /run/hscale
chmod 0640 /run/hscale/redis.conf
chmod 0750 /run/hscale
exec "$@"
