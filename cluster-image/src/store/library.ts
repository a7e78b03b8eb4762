// The Redis function library the slaves run in the leader's Redis (loaded by the leader's slave at
// every promotion; replicated to the followers with the data). See the comments in the Lua.
export const LIBRARY_NAME = 'hscale';
export const LIBRARY = String.raw`#!lua name=hscale
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

-- Longer than the LB ever works on one client request (3 x REQUEST_TIMEOUT_MS + LEADER_WAIT_MS,
-- at most 25 s: lb-image/src/settings.ts): an op result is kept for the newest OP_KEEP_BUCKETS + 1
-- buckets, 40 to 50 s of this leader's writes, counted in buckets rather than by its clock (a new
-- leader's clock may run ahead of the old one's).
local OP_BUCKET_MS = 10000
local OP_KEEP_BUCKETS = 4
-- Twice the longest TTL a client may ask for (MAX_TTL_S): a key with more has none of its own.
local MAX_TTL_S = 315360000
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

-- Answers of a write (and what a retry of it answers): {code, version, value}. code: 1 = set or
-- incremented (value = the new integer, as text), or for a delete the number of keys deleted;
-- NO_MATCH = if_version was not the key's version (version = its current one); NOT_INTEGER and
-- OVERFLOW = an increment of a value that is no integer, or past the 64-bit range.
local NO_MATCH, NOT_INTEGER, OVERFLOW = -1, -2, -3

-- KEYS: fence, index, expiry, key, ops, versions, changes
-- ARGV: epoch, writer, generation, retry ('1' or ''), 'set' | 'del' | 'incr', value (for incr the
-- signed amount), ttl seconds ('' = none), op id, if_version ('' = any)
local function write(keys, args)
  local fence, index, expiry, key, ops, versions, changes = keys[1], keys[2], keys[3], keys[4], keys[5], keys[6], keys[7]
  local op_id = args[8]
  local epoch, writer, gen, retry, op = args[1], args[2], tonumber(args[3]), args[4], args[5]
  local err = wrong_epoch(fence, epoch)
  if err then return err end
  local floor = tonumber(redis.call('HGET', fence, 'w:' .. writer) or '0')
  if gen < floor then return redis.error_reply('HSFENCED ' .. floor) end

  local now = now_ms()
  if retry == '1' then
    local done = find_op(ops, op_id)
    if done then
      -- Applied by an earlier attempt: answer what it did. Recording it again is a write, so the
      -- WAIT that follows also covers the earlier attempt's place in the replication stream.
      record_op(ops, op_id, done, now)
      local answer = cjson.decode(done)
      -- Recorded by the library before versions (a bare count), during a rolling update.
      if type(answer) == 'number' then return { answer, 0 } end
      return answer
    end
  end
  local version = version_of(versions, key)
  -- A key that expired (or was evicted) and was not swept yet: watchers learn it first.
  if version == 0 and redis.call('HDEL', versions, key) == 1 then log_change(changes, key, 0, nil, 'expired') end
  -- Compare-and-set: refused, nothing changes, nothing is recorded (running it again is one effect).
  if args[9] ~= '' and tonumber(args[9]) ~= version then return { NO_MATCH, version } end
  local result
  if op == 'set' then
    local ttl = tonumber(args[7])
    if ttl then
      redis.call('SET', key, args[6], 'EX', ttl)
      redis.call('ZADD', expiry, now + ttl * 1000, key)
    else
      redis.call('SET', key, args[6], 'EX', FOREVER_S)
      redis.call('ZREM', expiry, key)
    end
    redis.call('ZADD', index, 0, key)
    redis.call('HSET', versions, key, version + 1)
    log_change(changes, key, version + 1, args[6])
    result = { 1, version + 1 }
  elseif op == 'incr' then
    -- INCRBY keeps the key's TTL and works on 64-bit integers; the new value is read back as text
    -- (a Lua number is a double: it would round values past 2^53).
    local r = redis.pcall('INCRBY', key, args[6])
    if type(r) == 'table' and r.err then
      if string.find(r.err, 'overflow', 1, true) then return { OVERFLOW, version } end
      return { NOT_INTEGER, version }
    end
    if version == 0 then
      redis.call('EXPIRE', key, FOREVER_S)
      redis.call('ZREM', expiry, key)
      redis.call('ZADD', index, 0, key)
    end
    local value = redis.call('GET', key)
    redis.call('HSET', versions, key, version + 1)
    log_change(changes, key, version + 1, value)
    result = { 1, version + 1, value }
  else
    local n = redis.call('DEL', key)
    redis.call('ZREM', index, key)
    redis.call('ZREM', expiry, key)
    redis.call('HDEL', versions, key)
    if n == 1 then log_change(changes, key, 0, nil, 'deleted') end
    result = { n, 0 }
  end
  -- A delete that removed nothing changed nothing: running it again is the same single effect, so
  -- it needs no record (and deletes, allowed when the store is full, then add nothing to it).
  if not (op == 'del' and result[1] == 0 and retry ~= '1') then record_op(ops, op_id, cjson.encode(result), now) end
  return result
end

-- The same for a delete, which must work when the store is full (it makes room): registered with
-- allow-oom, so it refuses to set anything.
local function delete(keys, args)
  if args[5] ~= 'del' then return redis.error_reply('ERR hs_delete_v3 only deletes') end
  return write(keys, args)
end

-- KEYS: fence, key, versions   ARGV: epoch   ->  {value, ttl seconds or -1, version} or nil
local function get(keys, args)
  local err = wrong_epoch(keys[1], args[1])
  if err then return err end
  local value = redis.call('GET', keys[2])
  if not value then return nil end
  return { value, client_ttl(redis.call('TTL', keys[2])), version_of(keys[3], keys[2]) }
end

-- KEYS: fence, versions, key...   ARGV: epoch  ->  one {value, ttl seconds or -1, version} or nil
-- per key: the reads of a batch in one call.
local function get_many(keys, args)
  local err = wrong_epoch(keys[1], args[1])
  if err then return err end
  local out = {}
  for i = 3, #keys do
    local value = redis.call('GET', keys[i])
    if value then
      out[i - 2] = { value, client_ttl(redis.call('TTL', keys[i])), version_of(keys[2], keys[i]) }
    else
      out[i - 2] = false
    end
  end
  return out
end

-- KEYS: fence, index, expiry, versions, changes   ARGV: epoch, prefix, after ('' = from the start),
-- limit, with_versions ('1' or '') -> {keys..., next} and, with versions, each key's version after
-- next (in the keys' order): next is '' when the listing is complete, else the key to resume after.
-- Index entries whose key is gone (expired, or deleted outside these functions) are pruned.
local function list(keys, args)
  local fence, index, expiry, versions, changes = keys[1], keys[2], keys[3], keys[4], keys[5]
  local err = wrong_epoch(fence, args[1])
  if err then return err end
  local prefix, after, limit = args[2], args[3], tonumber(args[4])
  local max = '+'
  if prefix ~= '' then max = '(' .. prefix .. '\255' end -- no UTF-8 key contains the byte 0xFF
  local min = '[' .. prefix
  if after ~= '' then min = '(' .. after end
  local out, last = {}, nil
  local budget = limit * 4 + 1000 -- bounds the work of one call when most entries are stale
  while #out < limit and budget > 0 do
    local want = math.min(limit - #out + 16, budget)
    local batch = redis.call('ZRANGEBYLEX', index, min, max, 'LIMIT', 0, want)
    for _, k in ipairs(batch) do
      budget = budget - 1
      last = k
      if redis.call('EXISTS', k) == 1 then
        out[#out + 1] = k
        if #out == limit then break end
      else
        forget_key(index, expiry, versions, changes, k)
      end
    end
    if #batch < want then
      if #out < limit then last = nil end -- the range is exhausted
      break
    end
    min = '(' .. last
  end
  if last and #redis.call('ZRANGEBYLEX', index, '(' .. last, max, 'LIMIT', 0, 1) == 0 then last = nil end
  local n = #out
  out[n + 1] = last or ''
  if args[5] == '1' then
    for i = 1, n do out[n + 1 + i] = version_of(versions, out[i]) end
  end
  return out
end

-- KEYS: fence   ARGV: epoch, writer, generation: writes of writer below generation are refused.
local function raise_fence(keys, args)
  local err = wrong_epoch(keys[1], args[1])
  if err then return err end
  local field = 'w:' .. args[2]
  local have = tonumber(redis.call('HGET', keys[1], field) or '0')
  local want = tonumber(args[3])
  if want > have then redis.call('HSET', keys[1], field, want) end
  return math.max(want, have)
end

-- KEYS: fence   ARGV: epoch. Run by the leader's slave when its Redis becomes the leader of
-- epoch: from then on requests of older epochs are refused here. Writer fences belong to an
-- epoch, so they start afresh.
local function promote(keys, args)
  local have = tonumber(redis.call('HGET', keys[1], 'epoch') or '0')
  local want = tonumber(args[1])
  if have > want then
    return redis.error_reply('HSEPOCH this redis already serves epoch ' .. have .. ', newer than ' .. want)
  end
  if have < want then
    redis.call('DEL', keys[1])
    redis.call('HSET', keys[1], 'epoch', args[1])
  end
  return want
end

-- KEYS: fence   ARGV: epoch. Run when this cluster promises epoch to an election while its Redis is
-- a master: from then on it serves nothing of an older epoch (wrong_epoch), so a deposed leader
-- can neither acknowledge a write nor answer a read once a majority has promised.
local function freeze(keys, args)
  local promised = tonumber(redis.call('HGET', keys[1], 'promised') or '0')
  if tonumber(args[1]) > promised then redis.call('HSET', keys[1], 'promised', args[1]) end
  return 1
end

-- KEYS: fence, beat   ARGV: epoch. A write of nothing, sent after reads: the WAIT behind it returns
-- only once followers received it, that is, once they still followed this leader after the reads
-- (replicated-writer.ts: how a read is confirmed by a majority).
local function beat(keys, args)
  local err = wrong_epoch(keys[1], args[1])
  if err then return err end
  return redis.call('INCR', keys[2])
end

-- KEYS: index, expiry, ops, cursor, versions, changes
-- ARGV: max entries, scan ('1', 'restart' to begin a new pass, or '')
-- Drops op buckets older than OP_KEEP_BUCKETS, and index entries of keys whose TTL has passed (at
-- most max). With scan, also looks at the next max entries of the index, from where the last call
-- stopped (cursor), and drops those whose key is gone: evicted keys (EVICTION=lru) leave no other
-- trace. -> {expired entries handled, 1 when the scan reached the end of the index else 0}
local function sweep(keys, args)
  local now = now_ms()
  local index, expiry, ops, cursor, versions, changes = keys[1], keys[2], keys[3], keys[4], keys[5], keys[6]
  local max = tonumber(args[1])
  local stale = redis.call('ZRANGE', ops, 0, -(OP_KEEP_BUCKETS + 2))
  for _, b in ipairs(stale) do
    redis.call('UNLINK', op_bucket(ops, b))
    redis.call('ZREM', ops, b)
  end
  local due = redis.call('ZRANGEBYSCORE', expiry, '-inf', now, 'LIMIT', 0, max)
  for _, k in ipairs(due) do
    local pttl = redis.call('PTTL', k)
    if pttl == -2 then
      forget_key(index, expiry, versions, changes, k)
    elseif pttl == -1 then
      redis.call('ZREM', expiry, k)
    else
      redis.call('ZADD', expiry, now + pttl, k)
    end
  end
  local scan_done = 0
  if args[2] == 'restart' then redis.call('DEL', cursor) end
  if args[2] == '1' or args[2] == 'restart' then
    local from = redis.call('GET', cursor)
    local min = '-'
    if from then min = '(' .. from end
    local batch = redis.call('ZRANGEBYLEX', index, min, '+', 'LIMIT', 0, max)
    for _, k in ipairs(batch) do
      if redis.call('EXISTS', k) == 0 then forget_key(index, expiry, versions, changes, k) end
    end
    if #batch < max then
      redis.call('DEL', cursor)
      scan_done = 1
    else
      redis.call('SET', cursor, batch[#batch])
    end
  end
  return { #due, scan_done }
end

-- Stream ids "ms-seq" as two numbers (ms fits a double exactly).
local function id_before(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am < bm or (am == bm and as < bs)
end

-- KEYS: fence, changes   ARGV: epoch, after (a change id, or '' = from now), count
-- -> {'ok' | 'reset', position, entries}: the changes after "after" (at most count, XRANGE's
-- shape), position = the id to resume after. 'reset' when changes after "after" are no longer
-- all here (trimmed, or "after" is newer than this history): the watcher must list again, and
-- resume from position.
local function changes(keys, args)
  local err = wrong_epoch(keys[1], args[1])
  if err then return err end
  local stream, after = keys[2], args[2]
  local last, first, added, length = '0-0', nil, 0, 0
  if redis.call('EXISTS', stream) == 1 then
    local info = redis.call('XINFO', 'STREAM', stream)
    for i = 1, #info, 2 do
      local f, v = info[i], info[i + 1]
      if f == 'last-generated-id' then last = v
      elseif f == 'first-entry' and v then first = v[1]
      elseif f == 'entries-added' then added = tonumber(v)
      elseif f == 'length' then length = tonumber(v) end
    end
  end
  if after == '' then return { 'ok', last, {} } end
  -- Changes were trimmed (XADD MAXLEN counts them in entries-added, not in length): a position
  -- before the oldest one kept may have missed some.
  local trimmed = added > length and (not first or id_before(after, first))
  if not string.match(after, '^%d+%-%d+$') or id_before(last, after) or trimmed then
    return { 'reset', last, {} }
  end
  local entries = redis.pcall('XRANGE', stream, '(' .. after, '+', 'COUNT', tonumber(args[3]))
  if type(entries) == 'table' and entries.err then return { 'reset', last, {} } end
  local position = after
  if #entries > 0 then position = entries[#entries][1] end
  return { 'ok', position, entries }
end

-- Map tiles of the Mandelbrot explorer, a cache: TILE_PREFIX..id holds a tile's PNG with a TTL
-- (so EVICTION=lru may evict it too); TILES is a sorted set id -> when it was stored (ms), SIZES a
-- hash id -> bytes, with field "" = the sum. A tile evicted by Redis stays counted until its TTL
-- has passed: the sum errs on the side of fewer tiles, never of more memory.
local TILE_PREFIX = '\0hs:tile:'

local function forget_tile(tiles, sizes, id)
  local size = tonumber(redis.call('HGET', sizes, id)) or 0
  redis.call('ZREM', tiles, id)
  redis.call('HDEL', sizes, id)
  redis.call('HINCRBY', sizes, '', -size)
  redis.call('DEL', TILE_PREFIX .. id)
end

-- KEYS: fence, tiles, sizes, tile key   ARGV: epoch, id, png, ttl ms, cap bytes  ->  tiles dropped
local function tile_put(keys, args)
  local err = wrong_epoch(keys[1], args[1])
  if err then return err end
  local tiles, sizes, id, png = keys[2], keys[3], args[2], args[3]
  local ttl, cap, now = tonumber(args[4]), tonumber(args[5]), now_ms()
  if #png > cap then return 0 end
  local dropped = 0
  -- Tiles whose TTL has passed (a bounded number per call; each put clears some).
  for _, old in ipairs(redis.call('ZRANGEBYSCORE', tiles, '-inf', now - ttl, 'LIMIT', 0, 64)) do
    forget_tile(tiles, sizes, old)
    dropped = dropped + 1
  end
  if redis.call('HEXISTS', sizes, id) == 1 then forget_tile(tiles, sizes, id) end
  redis.call('SET', TILE_PREFIX .. id, png, 'PX', ttl)
  redis.call('ZADD', tiles, now, id)
  redis.call('HSET', sizes, id, #png)
  local total = redis.call('HINCRBY', sizes, '', #png)
  -- Over the cap: the oldest tiles go first.
  while total > cap do
    local oldest = redis.call('ZRANGE', tiles, 0, 0)[1]
    if not oldest then break end
    forget_tile(tiles, sizes, oldest)
    dropped = dropped + 1
    total = tonumber(redis.call('HGET', sizes, '')) or 0
  end
  return dropped
end

-- KEYS: fence, tile key   ARGV: epoch, id  ->  the PNG, or nil
local function tile_get(keys, args)
  local err = wrong_epoch(keys[1], args[1])
  if err then return err end
  return redis.call('GET', TILE_PREFIX .. args[2])
end

-- With maxmemory reached and EVICTION=none, Redis refuses hs_write_v2 (a set) with an OOM error: the
-- client gets 507 store_full. Everything that only removes data, or writes a few bytes the
-- guarantees need (fences, promotion), still runs: allow-oom.
-- Functions whose arguments changed between versions carry a version in their name: a slave and a
-- library of different versions (during a rolling update) then fail loudly ("function not found",
-- which the slave reports as the leader's failure), never misread each other's arguments.
redis.register_function('hs_write_v3', write)
redis.register_function{ function_name = 'hs_delete_v3', callback = delete, flags = { 'allow-oom' } }
redis.register_function{ function_name = 'hs_get_v2', callback = get, flags = { 'no-writes' } }
redis.register_function{ function_name = 'hs_get_many_v2', callback = get_many, flags = { 'no-writes' } }
redis.register_function{ function_name = 'hs_list_v2', callback = list, flags = { 'allow-oom' } }
redis.register_function{ function_name = 'hs_changes', callback = changes, flags = { 'no-writes' } }
redis.register_function{ function_name = 'hs_fence', callback = raise_fence, flags = { 'allow-oom' } }
redis.register_function{ function_name = 'hs_promote', callback = promote, flags = { 'allow-oom' } }
redis.register_function{ function_name = 'hs_freeze', callback = freeze, flags = { 'allow-oom' } }
redis.register_function{ function_name = 'hs_beat', callback = beat, flags = { 'allow-oom' } }
redis.register_function{ function_name = 'hs_sweep_v3', callback = sweep, flags = { 'allow-oom' } }
redis.register_function('hs_tile_put', tile_put)
redis.register_function{ function_name = 'hs_tile_get', callback = tile_get, flags = { 'no-writes' } }
`;
