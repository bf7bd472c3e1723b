// A real OpenID provider for the tests: npm `oidc-provider` (version 8, for
// Node.js 20) on a loopback port, with one confidential client and its
// development login pages (any login name and password are accepted).
// Accounts: the login name is the subject; `claimsFor(login)` gives the
// claims (e-mail, email_verified, school, role) that go into the ID token.
// `discoveries()` counts how often its discovery document was fetched.

import http from 'node:http';
import net from 'node:net';
import Provider from 'oidc-provider';

/** A free TCP port on 127.0.0.1 (for a server that must be named before it starts). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startProvider({ port, clientId, clientSecret, redirectUri, claimsFor }) {
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    scopes: ['openid', 'email', 'tafelrunde'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], tafelrunde: ['school', 'role'] },
    // Scope claims into the ID token too (Tafelrunde reads the ID token).
    conformIdTokenClaims: false,
    pkce: { required: () => true, methods: ['S256'] },
    features: { devInteractions: { enabled: true } },
    findAccount: (ctx, sub) => ({ accountId: sub, claims: () => ({ sub, ...claimsFor(sub) }) }),
  });
  const callback = provider.callback();
  let discoveries = 0;
  const server = http.createServer((req, res) => {
    if (req.url.startsWith('/.well-known/openid-configuration')) discoveries += 1;
    callback(req, res);
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    discoveries: () => discoveries,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
