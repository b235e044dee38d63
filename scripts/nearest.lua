-- wrk script: nearest k=10 around random points of the province of Siena.
math.randomseed(42)
request = function()
  local lat = 42.80 + math.random() * 0.74
  local lon = 10.92 + math.random() * 1.06
  return wrk.format("GET", string.format("/api/services/nearest?lat=%.5f&lon=%.5f&k=10", lat, lon))
end
