#!/usr/bin/env bash
# Re-vendors GraphiQL and React from the npm registry at the versions below, and rewrites
# SHA256SUMS (checked by a unit test of `scelle-api`). Bump a version here, run this, and
# the new file names in api/src/http/graphiql.rs.
set -euo pipefail
GRAPHIQL=3.8.3
REACT=18.3.1
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null
for p in graphiql-$GRAPHIQL react-$REACT react-dom-$REACT; do mkdir "$p"; tar xzf "$p.tgz" -C "$p"; done
cp "graphiql-$GRAPHIQL/package/graphiql.min.js" "$here/graphiql-$GRAPHIQL.min.js"
cp "graphiql-$GRAPHIQL/package/graphiql.min.css" "$here/graphiql-$GRAPHIQL.min.css"
cp "react-$REACT/package/umd/react.production.min.js" "$here/react-$REACT.min.js"
cp "react-dom-$REACT/package/umd/react-dom.production.min.js" "$here/react-dom-$REACT.min.js"
cp "graphiql-$GRAPHIQL/package/LICENSE" "$here/LICENSE.graphiql"
cp "react-$REACT/package/LICENSE" "$here/LICENSE.react"
cd "$here"
sha256sum "graphiql-$GRAPHIQL.min.js" "graphiql-$GRAPHIQL.min.css" "react-$REACT.min.js" "react-dom-$REACT.min.js" > SHA256SUMS
