-- The Redis function library "hscale" (loaded by library.ts as one library: this file, then
-- kv.lua, leadership.lua, changes.lua and tiles.lua, each registering its own functions).
-- This part: the keys every part uses, the shared constants and helpers.
--
-- Every key-value operation of the slaves runs as one of these functions, inside the leader's
-- Redis, so that the checks below and the change they guard happen atomically.
--
-- Internal keys start with a NUL byte: user keys may not contain control characters, so the two
-- can never collide, and listings never see internal keys (they read the index, not the keyspace).
--   FENCE   hash: "epoch" = the leader epoch this Redis serves; "w:<writer>" = the lowest
--           generation a writer (a slave, as the LB names it) may still write with.
--   INDEX   sorted set of every user key (score 0): listings in byte order.
--   EXPIRY  sorted set: user keys with a TTL, scored by when they expire (ms), for the sweep.
--   VERSIONS hash: user key -> its version (1 at its first write, +1 at each write). An entry
--           counts only while its key exists: a key that expired or was deleted is at version 0.
--   CHANGES stream: one entry per change of a user key (k = key, v = version, then d = the value,
--           o = "omitted" for a value over CHANGE_VALUE_MAX bytes, or x = "deleted" / "expired"),
--           the last CHANGES_KEEP or so: what GET /watch streams,
--           from the data itself, so every LB and slave sees the same history after a failover.
--   OPS     sorted set of the op buckets that exist; OPS:<b> hash, op id -> result of a write
--           applied in the 10 s bucket b. A retried write looks there to learn whether its first
--           attempt was applied, so that a retry never applies twice. The sweep keeps the newest
--           OP_KEEP_BUCKETS + 1 buckets.
--
-- Eviction (EVICTION=lru runs Redis with maxmemory-policy volatile-lru): only keys with a TTL can
-- be evicted. Every user key has one (a key stored without a TTL gets FOREVER_S, reported as "no
-- TTL"), and so do cached map tiles; no other internal key has one: the fences, the index and the
-- op results, on which the guarantees rest, are never evicted; an evicted user key is simply gone
-- (a listing prunes its index entry when it meets it, as for an expired key). The LB stops caching
-- tiles when the leader's Redis is over 90% of its bound (lb-image/src/render/tile-cache.ts).

-- With maxmemory reached and EVICTION=none, Redis refuses hs_write_v3 (a set) with an OOM error: the
-- client gets 507 store_full. Everything that only removes data, or writes a few bytes the
-- guarantees need (fences, promotion), still runs: allow-oom.
-- Functions whose arguments changed between versions carry a version in their name: a slave and a
-- library of different versions (during a rolling update) then fail loudly ("function not found",
-- which the slave reports as the leader's failure), never misread each other's arguments.

-- Longer than the LB ever works on one client request (3 x REQUEST_TIMEOUT_MS + LEADER_WAIT_MS,
-- at most 25 s: lb-image/src/settings.ts): an op result is kept for the newest OP_KEEP_BUCKETS + 1
-- buckets, 40 to 50 s of this leader's writes, counted in buckets rather than by its clock (a new
-- leader's clock may run ahead of the old one's).
local OP_BUCKET_MS = 10000
local OP_KEEP_BUCKETS = 4
-- Twice the longest TTL a client may ask for (MAX_TTL_S, which library.ts sets from the TypeScript
-- MAX_TTL_SECONDS, the one definition): a key with more has none of its own.
local FOREVER_S = 2 * MAX_TTL_S

-- About this many changes are kept for watchers that resume (MAXLEN ~: Redis trims whole nodes).
local CHANGES_KEEP = 10000
-- Values up to this size travel in the change stream; a bigger one is named only (a watcher reads
-- it): the stream then costs at most about CHANGES_KEEP x CHANGE_VALUE_MAX bytes, never a second
-- copy of the big values a full store is made of.
local CHANGE_VALUE_MAX = 1024

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function op_bucket(ops, b) return ops .. ':' .. b end

-- The result of op_id if a write with that id was applied and is still recorded. Every bucket the
-- sweep has not dropped is read (a handful), not the ones this Redis's clock points at: a new
-- leader's clock may differ from the old one's.
local function find_op(ops, op_id)
  for _, b in ipairs(redis.call('ZRANGE', ops, 0, -1)) do
    local r = redis.call('HGET', op_bucket(ops, b), op_id)
    if r then return r end
  end
  return nil
end

local function record_op(ops, op_id, result, now)
  local b = math.floor(now / OP_BUCKET_MS)
  redis.call('HSET', op_bucket(ops, b), op_id, result)
  redis.call('ZADD', ops, b, b)
end

-- A TTL as clients see it: -1 for none (FOREVER_S is not one of theirs).
local function client_ttl(ttl)
  if ttl > MAX_TTL_S then return -1 end
  return ttl
end

-- The version of key: 0 when it does not exist. A key written before versions existed counts as 1.
local function version_of(versions, key)
  if redis.call('EXISTS', key) == 0 then return 0 end
  return tonumber(redis.call('HGET', versions, key) or '1')
end

-- Appends a change for watchers: the new value, or (value nil) why the key is gone.
local function log_change(changes, key, version, value, gone)
  if value and #value > CHANGE_VALUE_MAX then
    redis.call('XADD', changes, 'MAXLEN', '~', CHANGES_KEEP, '*', 'k', key, 'v', version, 'o', '1')
  elseif value then
    redis.call('XADD', changes, 'MAXLEN', '~', CHANGES_KEEP, '*', 'k', key, 'v', version, 'd', value)
  else
    redis.call('XADD', changes, 'MAXLEN', '~', CHANGES_KEEP, '*', 'k', key, 'v', 0, 'x', gone)
  end
end

-- Forgets a user key that is already gone from the keyspace (expired or evicted): its index,
-- expiry and version entries, and tells watchers.
local function forget_key(index, expiry, versions, changes, key)
  redis.call('ZREM', index, key)
  redis.call('ZREM', expiry, key)
  if redis.call('HDEL', versions, key) == 1 then log_change(changes, key, 0, nil, 'expired') end
end

-- nil when this Redis serves epoch, else the error reply to return. Once its cluster promised a
-- newer epoch to an election ("promised", hs_freeze), nothing of the older one is served here.
local function wrong_epoch(fence, epoch)
  local f = redis.call('HMGET', fence, 'epoch', 'promised')
  local have, promised = f[1], f[2]
  if have == epoch then
    if promised and tonumber(promised) > tonumber(epoch) then
      return redis.error_reply('HSEPOCH this redis promised epoch ' .. promised .. ' to an election, the request is for epoch ' .. epoch)
    end
    return nil
  end
  if not have then
    return redis.error_reply('HSNOEPOCH this redis serves no epoch (it restarted or was never promoted)')
  end
  return redis.error_reply('HSEPOCH this redis serves epoch ' .. have .. ', the request is for epoch ' .. epoch)
end
