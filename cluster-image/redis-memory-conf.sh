#!/bin/sh
# Prints the redis.conf lines that bound Redis' memory, from two settings in the environment:
#
#   MAX_MEMORY  auto (default): 40% of the container's memory limit (of the machine's memory when
#               the container has none), which leaves room for the slave, its render thread,
#               replication buffers, and a follower's copy of the data while it re-syncs (/tmp);
#               or a size from 64mb to 1024gb: 268435456, 256mb, 2gb (as in redis.conf: kb, mb,
#               gb are powers of 1024; k, m, g powers of 1000)
#   EVICTION    none (default): a full store refuses writes (507 store_full), evicts nothing
#               lru: the least recently used keys make room (Redis' volatile-lru: only user keys
#               and cached map tiles have a TTL, so only they are evicted; see
#               cluster-image/src/store/library.ts)
#
# Used by cluster-entrypoint.sh and the integration tests.
set -eu
eviction=${EVICTION:-none}
case $eviction in
  none) policy=noeviction ;;
  lru) policy=volatile-lru ;;
  *) echo "redis-memory-conf: EVICTION must be none or lru (got \"$eviction\")" >&2; exit 64 ;;
esac

# The container's memory limit (cgroup v2, else v1), or the machine's memory.
memory_limit() {
  total=0
  while read -r name value _; do
    if [ "$name" = MemTotal: ]; then total=$((value * 1024)); fi
  done < /proc/meminfo
  limit=$total
  for file in /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes; do
    [ -r "$file" ] || continue
    value=$(cat "$file")
    case $value in '' | *[!0-9]*) ;; *) if [ "$value" -lt "$limit" ]; then limit=$value; fi ;; esac
    break
  done
  echo "$limit"
}

max=$(printf '%s' "${MAX_MEMORY:-auto}" | tr '[:upper:]' '[:lower:]')
bad_size() {
  echo "redis-memory-conf: MAX_MEMORY must be auto or a size from 64mb to 1024gb, such as 256mb, 2gb or 268435456 (got \"${MAX_MEMORY:-auto}\"${limit_note:-})" >&2
  exit 64
}
if [ "$max" = auto ]; then
  bytes=$(($(memory_limit) * 2 / 5))
  limit_note=": 40% of this container's memory limit is $bytes bytes; give the container at least 160mb"
else
  # A number (without leading zeros, which the shell would read as octal) and a unit.
  number=${max%%[!0-9]*}
  unit=${max#"$number"}
  number=$(printf '%s' "$number" | sed 's/^0*//')
  case $unit in
    '' | b) scale=1 digits=13 ;;
    k) scale=1000 digits=10 ;;
    kb) scale=1024 digits=10 ;;
    m) scale=1000000 digits=7 ;;
    mb) scale=1048576 digits=7 ;;
    g) scale=1000000000 digits=4 ;;
    gb) scale=1073741824 digits=4 ;;
    *) bad_size ;;
  esac
  # Few enough digits that the product cannot overflow (at most 1024gb is allowed anyway).
  if [ -z "$number" ] || [ "${#number}" -gt "$digits" ]; then bad_size; fi
  bytes=$((number * scale))
fi
# The replication backlog (16mb) counts against maxmemory in Redis 7.0: below 64mb little is left.
if [ "$bytes" -lt 67108864 ] || [ "$bytes" -gt 1099511627776 ]; then bad_size; fi
echo "maxmemory $bytes"
echo "maxmemory-policy $policy"
# A full store must still replicate: a follower's output buffer may hold 64 MiB of writes while it
# re-syncs (more for a minute: it is cut off and syncs again), and the backlog lets a follower that
# was away briefly catch up without a full copy.
echo "client-output-buffer-limit replica 64mb 16mb 60"
echo "repl-backlog-size 16mb"
