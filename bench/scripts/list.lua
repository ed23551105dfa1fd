-- wrk script: the same GraphQL request again and again.
-- TOKEN=<access token> BODY='{"query":"{ invoices(perPage: 50) { items { id } } }"}' \
--   wrk -t1 -c4 -d10s --latency -s bench/scripts/list.lua http://127.0.0.1:8080/graphql
local token = os.getenv("TOKEN")
local body = os.getenv("BODY")
request = function()
  return wrk.format("POST", "/graphql", {["Content-Type"]="application/json", ["Authorization"]="Bearer " .. token}, body)
end
