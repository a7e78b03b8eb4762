#!/bin/sh
# Prints the redis.conf lines that set up Redis' users. Passwords come from the environment, never
# from the command line, where `ps` would show them:
#
#   default   the operator (`docker exec <cluster> redis-cli`): every command.
#             REDIS_OPERATOR_PASSWORD: in the image, random per container, readable by root only
#   app       the slaves' key-value traffic: the functions of the library (cluster-image/src/store)
#             and only the commands they run, plus INFO and WAIT for write acknowledgement; no
#             CONFIG, FLUSHALL, FLUSHDB, DEBUG, SHUTDOWN, MODULE, ACL, KEYS, MONITOR, ...
#             REDIS_PASSWORD, shared by every cluster (a slave uses the leader's Redis)
#   control   the slave's control of its own Redis: follow a leader, be promoted, load the library,
#             set the replication password of an epoch (CONFIG SET masterauth, ACL SETUSER repl).
#             REDIS_CONTROL_PASSWORD: in the image, random per container (only its slave knows it)
#   repl      a follower's replication connection to the leader (masteruser). REDIS_PASSWORD at
#             boot; a leader's slave sets its epoch's password (cluster-image/src/replication-password.ts)
#
# Without REDIS_OPERATOR_PASSWORD or REDIS_CONTROL_PASSWORD (the tests, a setup by hand), those
# users take REDIS_PASSWORD too.
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
# The commands the library's functions run (redis.call, redis.pcall): ACL rules apply inside functions too.
# The app user also runs XREAD itself: a slave's change feed waits on the change stream (change-feed.ts).
data='+del +exists +expire +get +hdel +hexists +hget +hincrby +hmget +hset +incr +incrby +pttl +set +time +ttl +unlink +xadd +xinfo +xrange +zadd +zrange +zrangebylex +zrangebyscore +zrem'
# node-redis also sends CLIENT SETINFO and CLIENT MAINT_NOTIFICATIONS when it connects, and ignores
# a refusal; Redis 7.0 (Debian 12) knows neither, so they cannot be listed here.
client='+ping'
# Each on its own line, so that set -e stops here if quoting failed.
pass=$(redis_conf_quote ">$REDIS_PASSWORD")
operator=$(redis_conf_quote ">${REDIS_OPERATOR_PASSWORD:-$REDIS_PASSWORD}")
control=$(redis_conf_quote ">${REDIS_CONTROL_PASSWORD:-$REDIS_PASSWORD}")
masterauth=$(redis_conf_quote "$REDIS_PASSWORD")
for quoted in "$pass" "$operator" "$control" "$masterauth"; do
  if [ "$quoted" = '""' ]; then
    echo "redis-auth-conf: could not quote a password" >&2
    exit 70
  fi
done
echo "user default on $operator ~* &* +@all"
echo "user app on $pass ~* resetchannels -@all $client +fcall +fcall_ro +info +wait +xread $data"
echo "user control on $control ~* resetchannels -@all $client +info +role +replicaof +function|load +fcall +config|set +acl|setuser $data"
echo "user repl on $pass resetchannels -@all +ping +psync +replconf"
echo "masteruser repl"
echo "masterauth $masterauth"
