-- wrk script: createInvoice(issue: true) with 3 lines, as scelle-bench sends it (buyer one of 50,
-- product one of 20, a separator); counts the answers that are not SEALED.
-- TOKEN=<access token> wrk -t2 -c16 -d15s -s bench/scripts/issue.lua http://127.0.0.1:8080/graphql
local token = os.getenv("TOKEN")
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"query":"mutation($i: InvoiceInput!) { createInvoice(input: $i, issue: true) { id number certification { status } } }","variables":{"i":{"buyerName":"Client %d","buyerTaxNo":"FR%011d","positions":[{"name":"Service %d","tax":"20","priceNet":"120.50","quantity":"3"},{"name":"Livraison","tax":"5.5","priceGross":"9.99"},{"name":"Remise","kind":"TEXT_SEPARATOR"}]}}}', n % 50, n % 50, n % 20)
  return wrk.format("POST", "/graphql", {["Content-Type"]="application/json", ["Authorization"]="Bearer " .. token}, body)
end
local bad = 0
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, "SEALED") then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("not sealed or errors: %d\n", bad))
end
