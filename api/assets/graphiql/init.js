// Scelle's GraphiQL, on the GraphQL endpoint of the server that served this page.
// Loaded as a file (the page's Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  var fetcher = GraphiQL.createFetcher({ url: new URL("/graphql", window.location.href).toString() });
  var defaultQuery = [
    "# Scelle GraphQL API. Sign in, then put the access token in the Headers tab below:",
    '#   { "Authorization": "Bearer <accessToken>" }',
    "# Headers stay in this browser's local storage; refresh tokens are better kept out of it.",
    "",
    "mutation SignIn {",
    '  login(input: { email: "you@example.com", password: "your password" }) {',
    "    accessToken",
    "    accessTokenExpiresAt",
    "  }",
    "}",
    "",
    "query Me {",
    "  me { email }",
    "}",
    "",
  ].join("\n");
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultHeaders: '{\n  "Authorization": "Bearer "\n}',
      shouldPersistHeaders: true,
      defaultEditorToolsVisibility: "headers",
    })
  );
})();
