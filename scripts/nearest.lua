-- wrk script: nearest k=10 around random points of the province of Siena.
-- Each wrk thread draws its own points (seeded from its number, so runs repeat): with one
-- seed for all, the threads asked for the same points at nearly the same time, and the
-- second found the first one's tree nodes and listings still in cache.
local count = 0
setup = function(thread)
  count = count + 1
  thread:set("seed", 42 + count)
end
init = function()
  math.randomseed(seed)
end
request = function()
  local lat = 42.80 + math.random() * 0.74
  local lon = 10.92 + math.random() * 1.06
  return wrk.format("GET", string.format("/api/services/nearest?lat=%.5f&lon=%.5f&k=10", lat, lon))
end
