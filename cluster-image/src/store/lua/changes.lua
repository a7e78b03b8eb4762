-- Part of the "hscale" library (shared.lua says how it is put together).
-- The change stream, read by watchers (GET /watch) and blocking reads.

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

redis.register_function{ function_name = 'hs_changes', callback = changes, flags = { 'no-writes' } }
