#!/bin/sh
# Prints the redis.conf lines that set up Redis' users, each with the password in $REDIS_PASSWORD
# (read from the environment, never from the command line, where `ps` would show it):
#
#   default   the operator (`docker exec <cluster> redis-cli`): every command
#   app       the slaves' key-value traffic: the functions of the library (cluster-image/src/store)
#             and only the commands they run, plus INFO and WAIT for write acknowledgement; no
#             CONFIG, FLUSHALL, FLUSHDB, DEBUG, SHUTDOWN, MODULE, ACL, KEYS, MONITOR, ...
#   control   the slave's control of its own Redis: follow a leader, be promoted, load the library
#   repl      a follower's replication connection to the leader (masteruser)
#
# Used by cluster-entrypoint.sh, the integration tests and the by-hand setup in the README:
#   REDIS_PASSWORD=... cluster-image/redis-auth-conf.sh > auth.conf
#   redis-server cluster-image/redis.conf --include auth.conf ...
set -eu
# shellcheck source=/dev/null
. "$(dirname "$0")/redis-conf-quote.sh"
if [ -z "${REDIS_PASSWORD:-}" ]; then
  echo "redis-auth-conf: REDIS_PASSWORD must be set" >&2
  exit 64
fi
# The commands the library's functions run (redis.call): ACL rules apply inside functions too.
data='+del +exists +get +hget +hset +pexpire +pttl +set +time +ttl +zadd +zrangebylex +zrangebyscore +zrem'
# node-redis also sends CLIENT SETINFO to a Redis 7.2 or newer when it connects, and ignores a
# refusal; Redis 7.0 (Debian 12) does not know the command, so it cannot be listed here.
client='+ping'
pass=$(redis_conf_quote ">$REDIS_PASSWORD")
masterauth=$(redis_conf_quote "$REDIS_PASSWORD")
# On its own line so that set -e stops here if quoting failed.
if [ "$pass" = '""' ] || [ "$masterauth" = '""' ]; then
  echo "redis-auth-conf: could not quote REDIS_PASSWORD" >&2
  exit 70
fi
echo "user default on $pass ~* &* +@all"
echo "user app on $pass ~* resetchannels -@all $client +fcall +fcall_ro +info +wait $data"
echo "user control on $pass ~* resetchannels -@all $client +info +role +replicaof +function|load +fcall $data"
echo "user repl on $pass resetchannels -@all +ping +psync +replconf"
echo "masteruser repl"
echo "masterauth $masterauth"
