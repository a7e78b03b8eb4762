-- Part of the "hscale" library (shared.lua says how it is put together).
-- The key-value functions: writes (set, delete, incr), reads, listings and the sweep.

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

redis.register_function('hs_write_v3', write)
redis.register_function{ function_name = 'hs_delete_v3', callback = delete, flags = { 'allow-oom' } }
redis.register_function{ function_name = 'hs_get_v2', callback = get, flags = { 'no-writes' } }
redis.register_function{ function_name = 'hs_get_many_v2', callback = get_many, flags = { 'no-writes' } }
redis.register_function{ function_name = 'hs_list_v2', callback = list, flags = { 'allow-oom' } }
redis.register_function{ function_name = 'hs_sweep_v3', callback = sweep, flags = { 'allow-oom' } }
