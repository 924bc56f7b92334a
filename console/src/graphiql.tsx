/**
 * The GraphQL IDE the gateway serves on a browser's GET /graphql (GRAPHQL_IDE): GraphiQL from npm,
 * bundled here (Monaco's workers included), so it works on a machine without internet. Queries and
 * mutations go over HTTP; subscriptions over graphql-ws on the same path, signed in with the headers
 * given in the IDE's headers editor (`authorization: Bearer …` or `x-api-key`).
 */
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './graphiql.css';
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createClient } from 'graphql-ws';
import { createRoot } from 'react-dom/client';

const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;

/** One fetcher (and graphql-ws connection) per set of headers: the socket signs in once, when it opens. */
const fetchers = new Map<string, Fetcher>();
const fetcher: Fetcher = (params, opts) => {
  const headers = (opts?.headers ?? {}) as Record<string, string>;
  const key = JSON.stringify(headers);
  let f = fetchers.get(key);
  if (!f) {
    const header = (name: string) =>
      Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1] as string | undefined;
    const authorization = header('authorization');
    const apiKey = header('x-api-key');
    f = createGraphiQLFetcher({
      url: '/graphql',
      wsClient: createClient({
        url: wsUrl,
        connectionParams: { ...(authorization ? { authorization } : {}), ...(apiKey ? { apiKey } : {}) },
        lazy: true,
      }),
    });
    fetchers.set(key, f);
  }
  return f(params, opts);
};

createRoot(document.getElementById('graphiql')!).render(
  <GraphiQL
    fetcher={fetcher}
    defaultQuery={
      '# Sign in with `mutation { login(email: "…", password: "…") { accessToken } }`,\n# then put the token in the headers below.\n{\n  stations(first: 5) {\n    edges { node { id name address } }\n  }\n}\n'
    }
  />,
);
