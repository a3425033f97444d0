import { createHash } from 'node:crypto';

/**
 * Applies a chunk of one view's records atomically (Redis runs a script without interleaving).
 * The update rules mirror bucket-stats.ts addRecord; the field names mirror key-layout.ts.
 *
 * KEYS[1] = meta hash, KEYS[2..] = slab hashes.
 * ARGV = allowedLatenessMs, ttlMs, sourceWatermarkMs or '', fieldCount,
 *        fieldCount × (fieldName, flags), then per record:
 *        keyIndex, recordId, timeMs, bucketIndex, value_1 .. value_fieldCount.
 * Returns { applied, duplicate, late, watermark or nil }.
 *
 * A record already present (r:<id>) is skipped before anything else, so a replay changes
 * nothing and is not miscounted as late. A record is late when older than the watermark,
 * min(max − lateness, source watermark), which never moves back: what the watermark has passed
 * can never change (readers rely on it), and a partition the source watermark waits for (one
 * catching up behind the others) loses nothing. Numbers are written with %.17g, which round-trips
 * every double exactly.
 */
export const APPLY_SCRIPT = `
local function fmt(x) return string.format('%.17g', x) end
local function has(flags, flag) return string.find(flags, flag, 1, true) ~= nil end
local lateness = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local sourceWatermark = tonumber(ARGV[3])
local fieldCount = tonumber(ARGV[4])
local names, flags = {}, {}
local anyLast = false
for f = 1, fieldCount do
  names[f] = ARGV[3 + 2 * f]
  flags[f] = ARGV[4 + 2 * f]
  if has(flags[f], 'l') then anyLast = true end
end
local maxRaw = redis.call('HGET', KEYS[1], 'max')
local maxTime = nil
if maxRaw then maxTime = tonumber(maxRaw) end
local previous = tonumber(redis.call('HGET', KEYS[1], 'wm') or '')
-- The watermark as of now: it never moves back, and never passes the source watermark.
local function watermarkFor(maxT)
  local candidate = maxT - lateness
  if sourceWatermark ~= nil and sourceWatermark < candidate then candidate = sourceWatermark end
  if previous ~= nil and previous > candidate then candidate = previous end
  return candidate
end
local applied, duplicate, late = 0, 0, 0
local touched = {}
local stride = 4 + fieldCount
local i = 5 + 2 * fieldCount
while i <= #ARGV do
  local key = KEYS[tonumber(ARGV[i])]
  local id = ARGV[i + 1]
  local t = tonumber(ARGV[i + 2])
  local b = ARGV[i + 3]
  if redis.call('HEXISTS', key, 'r:' .. id) == 1 then
    duplicate = duplicate + 1
  elseif maxTime ~= nil and t < watermarkFor(maxTime) then
    late = late + 1
  else
    local get = { 'c:' .. b, 't:' .. b }
    for f = 1, fieldCount do
      local n = names[f]
      get[#get + 1] = 's:' .. n .. ':' .. b
      get[#get + 1] = 'n:' .. n .. ':' .. b
      get[#get + 1] = 'x:' .. n .. ':' .. b
      get[#get + 1] = 'l:' .. n .. ':' .. b
    end
    local current = redis.call('HMGET', key, unpack(get))
    local count = tonumber(current[1]) or 0
    local lastTime = tonumber(current[2])
    local newer = lastTime == nil or t > lastTime
    local tie = lastTime ~= nil and t == lastTime
    local set = { 'r:' .. id, b, 'c:' .. b, fmt(count + 1) }
    if anyLast and newer then
      set[#set + 1] = 't:' .. b
      set[#set + 1] = fmt(t)
    end
    for f = 1, fieldCount do
      local v = tonumber(ARGV[i + 3 + f])
      local n = names[f]
      local base = 2 + 4 * (f - 1)
      if has(flags[f], 's') then
        set[#set + 1] = 's:' .. n .. ':' .. b
        set[#set + 1] = fmt((tonumber(current[base + 1]) or 0) + v)
      end
      if has(flags[f], 'n') then
        local m = tonumber(current[base + 2])
        if m == nil or v < m then
          set[#set + 1] = 'n:' .. n .. ':' .. b
          set[#set + 1] = fmt(v)
        end
      end
      if has(flags[f], 'x') then
        local m = tonumber(current[base + 3])
        if m == nil or v > m then
          set[#set + 1] = 'x:' .. n .. ':' .. b
          set[#set + 1] = fmt(v)
        end
      end
      if has(flags[f], 'l') then
        local l = tonumber(current[base + 4])
        if newer or (tie and (l == nil or v > l)) then
          set[#set + 1] = 'l:' .. n .. ':' .. b
          set[#set + 1] = fmt(v)
        end
      end
    end
    redis.call('HSET', key, unpack(set))
    touched[key] = true
    applied = applied + 1
    if maxTime == nil or t > maxTime then maxTime = t end
  end
  i = i + stride
end
for key, _ in pairs(touched) do redis.call('PEXPIRE', key, ttl) end
local watermark = nil
if maxTime ~= nil then
  redis.call('HSET', KEYS[1], 'max', fmt(maxTime))
  watermark = watermarkFor(maxTime)
  if previous == nil or watermark > previous then redis.call('HSET', KEYS[1], 'wm', fmt(watermark)) end
  redis.call('PEXPIRE', KEYS[1], ttl)
end
if watermark == nil then return { applied, duplicate, late } end
return { applied, duplicate, late, fmt(watermark) }
`;

export const APPLY_SCRIPT_SHA1 = createHash('sha1').update(APPLY_SCRIPT).digest('hex');
