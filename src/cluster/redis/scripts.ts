// The Lua scripts that make the cluster's shared decisions atomic. Times come from Redis's own clock (TIME),
// so nodes with skewed clocks still agree on which lease has run out.

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: nodes. ARGV: node, lease ms. Returns 1 when the node was not a member (first join or reaped). */
export const HEARTBEAT = `${NOW}
return redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])`;

/**
 * Removes one node from the cluster: its routes and claims go, its clients' wills become orphans due after
 * their delay. Shared by the reaper (dead nodes) and by a node leaving or restarting (itself).
 */
const RETIRE = `local function retire(node, now, prefix, channel)
  redis.call('ZREM', KEYS[1], node)
  redis.call('DEL', prefix .. 'routes:' .. node)
  for _, id in ipairs(redis.call('SMEMBERS', prefix .. 'claims:' .. node)) do
    local owner = redis.call('GET', prefix .. 'client:' .. id)
    if owner and string.sub(owner, 1, #node + 1) == node .. '|' then redis.call('DEL', prefix .. 'client:' .. id) end
  end
  redis.call('DEL', prefix .. 'claims:' .. node)
  local wills = redis.call('HGETALL', prefix .. 'wills:' .. node)
  for i = 1, #wills, 2 do
    local value = wills[i + 1]
    local cut = string.find(value, '|', 1, true)
    local delay = tonumber(string.sub(value, 1, cut - 1))
    redis.call('ZADD', KEYS[2], now + delay * 1000, wills[i])
    redis.call('HSET', KEYS[3], wills[i], string.sub(value, cut + 1))
  end
  redis.call('DEL', prefix .. 'wills:' .. node)
  redis.call('PUBLISH', channel, 'gone' .. '\\0' .. node)
end`;

/**
 * KEYS: nodes, wills-due, wills-orphan. ARGV: prefix, channel, node to retire now ('' = none).
 * Retires every node whose lease ran out, then takes up to 100 due wills. Returns {retired nodes, [id, will]...}:
 * one caller gets each will, so it is published exactly once.
 */
export const REAP = `${NOW}
${RETIRE}
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[3] ~= '' then table.insert(gone, ARGV[3]) end
for _, node in ipairs(gone) do retire(node, now, ARGV[1], ARGV[2]) end
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)) do
  redis.call('ZREM', KEYS[2], id)
  local will = redis.call('HGET', KEYS[3], id)
  redis.call('HDEL', KEYS[3], id)
  if will then
    table.insert(out, id)
    table.insert(out, will)
  end
end
return {gone, out}`;

/**
 * KEYS: client, claims of this node, wills-due, wills-orphan. ARGV: "node|token", clientId.
 * Takes the id (a newer connection always wins), cancels an orphaned will waiting for its delay
 * [MQTT-3.1.3-9], returns the previous holder.
 */
export const CLAIM = `local old = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('HDEL', KEYS[4], ARGV[2])
return old`;

/** KEYS: client, claims of this node. ARGV: "node|token", clientId, "node|". Only the holder releases. */
export const RELEASE = `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[2])
elseif not v or string.sub(v, 1, #ARGV[3]) ~= ARGV[3] then
  redis.call('SREM', KEYS[2], ARGV[2])
end
return 1`;

/** KEYS: client, claims of this node. ARGV: "node|token", clientId. Re-claims after a rejoin if still free. */
export const RECLAIM = `if redis.call('SET', KEYS[1], ARGV[1], 'NX') then redis.call('SADD', KEYS[2], ARGV[2]) end
return 1`;
