-- Part of the "hscale" library (shared.lua says how it is put together).
-- Epochs and fences: what makes a deposed leader harmless.

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

redis.register_function{ function_name = 'hs_fence', callback = raise_fence, flags = { 'allow-oom' } }
redis.register_function{ function_name = 'hs_promote', callback = promote, flags = { 'allow-oom' } }
redis.register_function{ function_name = 'hs_freeze', callback = freeze, flags = { 'allow-oom' } }
redis.register_function{ function_name = 'hs_beat', callback = beat, flags = { 'allow-oom' } }
