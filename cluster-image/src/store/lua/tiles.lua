-- Part of the "hscale" library (shared.lua says how it is put together).
-- The explorer's map tile cache.

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

redis.register_function('hs_tile_put', tile_put)
redis.register_function{ function_name = 'hs_tile_get', callback = tile_get, flags = { 'no-writes' } }
