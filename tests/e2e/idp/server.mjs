// A local OpenID Provider that behaves like Logto, for the end-to-end tests.
//
// Run: IDP_CONFIG='{"port": 3001, "clients": [...], "accounts": {...}}' node server.mjs
// (tests start it through tests/support/oidc_idp.py `running_idp`).
//
// IDP_CONFIG (a JSON string):
//   port                   int, required; listens on 127.0.0.1 only
//   clients                [{client_id, client_secret, redirect_uris: [...],
//                            post_logout_redirect_uris: [...]}]
//   accounts               {"alice": {"name": "Alice Example", "email": "alice@example.com"}, ...}
//                          any other key of an account (picture, phone_number, ...) is
//                          passed through as a claim
//   rotate_refresh_tokens  bool, default false: true rotates the refresh token on every use
//   id_token_ttl           seconds, default 3600
//   access_token_ttl       seconds, default 3600
//
// Like Logto: issuer http://127.0.0.1:PORT/oidc, discovery at
// /oidc/.well-known/openid-configuration, authorization /oidc/auth, token /oidc/token,
// userinfo /oidc/me, jwks /oidc/jwks, end session /oidc/session/end; ID tokens signed
// with an EC P-384 key (ES384) generated at startup; PKCE (S256) required; confidential
// clients authenticate with client_secret_post; offline_access (with prompt=consent)
// yields a refresh token.
//
// The dev login form (oidc-provider's devInteractions, read from
// node_modules/oidc-provider/lib/actions/interaction.js and lib/views/*.js):
//   1. GET /oidc/auth?... answers 303 to /oidc/interaction/<uid> and sets the
//      `_interaction` / `_interaction_resume` cookies (path-scoped; keep a cookie jar).
//   2. GET /oidc/interaction/<uid> shows the "Sign-in" page: one
//      <form method="post" action="http://127.0.0.1:PORT/oidc/interaction/<uid>">
//      with fields `prompt` (hidden, value "login"), `login` (text) and `password`.
//      The password is NOT checked (any value, even empty, is accepted server-side;
//      only the HTML marks it required); `login` becomes the account id, i.e. the
//      `sub`, and any login is accepted (accounts only add name/email).
//   3. POST it -> 303 to /oidc/auth/<uid> (resume) -> 303 to a new
//      /oidc/interaction/<uid2> showing the "Authorize" (consent) page: a form posting to
//      /oidc/interaction/<uid2> with only the hidden field `prompt=consent` and a
//      "Continue" button. Consent is asked on every sign-in here because the SDK always
//      sends prompt=consent.
//   4. POST it -> 303 to /oidc/auth/<uid2> -> 303 to redirect_uri?code=...&state=...&iss=...
//   Each page also has a "[ Cancel ]" link (GET /oidc/interaction/<uid>/abort), which
//   ends the flow with error=access_denied at the redirect_uri.
//
// RP-initiated logout (the Logto SDK sends client_id + post_logout_redirect_uri, no
// id_token_hint): GET /oidc/session/end renders `logoutSource` below, which is the
// provider's own form (action /oidc/session/end/confirm, hidden `xsrf`) plus a hidden
// `logout=yes` and an inline script that submits it on load, so no user click is needed
// and the page has no button. The POST destroys the IdP session (and revokes the grants)
// and answers 303 to the post_logout_redirect_uri. oidc-provider sets no
// Content-Security-Policy header, so the inline script needs no nonce; if a CSP with
// script-src were ever added, the script's sha256 is appended to it (like
// oidc-provider's own form_post page does). Without an IdP session, oidc-provider
// itself auto-posts the confirm form (form_post page) and redirects the same way.
//
// Test hooks, outside /oidc:
//   GET /__test__/authorization-requests  JSON list, one object per GET /oidc/auth
//                                         (the initial request, not the /oidc/auth/<uid>
//                                         resumes): its query parameters (a repeated
//                                         parameter gives a list)
//   GET /__test__/requests                JSON {"discovery": n, "jwks": n, "token": n,
//                                         "userinfo": n, "authorization": n,
//                                         "end_session": n, "grant_errors": n,
//                                         "by_path": {path: n}}
//   POST /__test__/reset                  empties both (the test helper calls it once the
//                                         IdP is ready, so its readiness probe is not counted)
//   POST /__test__/rotate-keys            signs with a new key from now on, the old one still
//                                         in /oidc/jwks; JSON {"kids": [new, old]}
//
// Prints exactly one line `IDP_READY <issuer>` on stdout once listening. oidc-provider's
// own notices go to stdout too (console.info); warnings and errors go to stderr.

import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import * as http from 'node:http';

import Provider from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';

function fail(message) {
  console.error(`idp: ${message}`);
  process.exit(2);
}

let config;
try {
  config = JSON.parse(process.env.IDP_CONFIG ?? '');
} catch (err) {
  fail(`IDP_CONFIG must be a JSON string: ${err.message}`);
}
if (!config || typeof config !== 'object') fail('IDP_CONFIG must be a JSON object');
if (!Number.isInteger(config.port) || config.port <= 0) fail('IDP_CONFIG.port must be a positive integer');
if (!Array.isArray(config.clients)) fail('IDP_CONFIG.clients must be a list');

const HOST = '127.0.0.1';
const MOUNT = '/oidc';
const ORIGIN = `http://${HOST}:${config.port}`;
const ISSUER = `${ORIGIN}${MOUNT}`;
const ACCOUNTS = config.accounts ?? {};
const ROTATE_REFRESH_TOKENS = Boolean(config.rotate_refresh_tokens);
const ID_TOKEN_TTL = config.id_token_ttl ?? 3600;
const ACCESS_TOKEN_TTL = config.access_token_ttl ?? 3600;

// Signing key: EC P-384 / ES384, new at every start (Logto's default key type). POST
// /__test__/rotate-keys signs with a new one from then on, the old one still published (as
// Logto's key rotation does).
function newSigningKey() {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  return {
    ...privateKey.export({ format: 'jwk' }),
    alg: 'ES384',
    use: 'sig',
    kid: randomBytes(12).toString('base64url'),
  };
}
let signingKeys = [newSigningKey()];
const cookieKeys = [randomBytes(32).toString('base64url')];

const clients = config.clients.map((client) => ({
  client_id: client.client_id,
  client_secret: client.client_secret,
  redirect_uris: client.redirect_uris ?? [],
  post_logout_redirect_uris: client.post_logout_redirect_uris ?? [],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_post',
  id_token_signed_response_alg: 'ES384',
}));

async function findAccount(_ctx, id) {
  const { name, email, ...rest } = ACCOUNTS[id] ?? {};
  return {
    accountId: id,
    async claims() {
      const claims = {
        ...rest,
        sub: id,
        username: id,
        name: name ?? id,
      };
      if (email !== undefined) {
        claims.email = email;
        claims.email_verified = rest.email_verified ?? true;
      }
      return claims;
    },
  };
}

function scriptHash(script) {
  return `'sha256-${createHash('sha256').update(script).digest('base64')}'`;
}

// Ends the IdP session without asking: the provider's form plus logout=yes, posted on load.
async function logoutSource(ctx, form) {
  const script = "document.getElementById('op.logoutForm').submit();";
  const csp = ctx.response.get('content-security-policy');
  if (csp && /(^|;)\s*script-src\s/.test(csp)) {
    ctx.set('content-security-policy', csp.replace(/(^|;)(\s*script-src\s[^;]*)/, `$1$2 ${scriptHash(script)}`));
  }
  const autoForm = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
  ctx.body = `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>Signing out</title></head>
<body>
${autoForm}
<script>${script}</script>
</body>
</html>`;
}

async function postLogoutSuccessSource(ctx) {
  ctx.body = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Signed out</title></head><body><h1>Signed out</h1></body></html>';
}

async function renderError(ctx, out) {
  ctx.type = 'html';
  const rows = Object.entries(out)
    .map(([key, value]) => `<p><strong>${key}</strong>: ${String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</p>`)
    .join('\n');
  ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>oops! something went wrong</title></head><body><h1>oops! something went wrong</h1>${rows}</body></html>`;
}

// A provider is built for a set of keys; rotating builds a new one over the same state: one
// in-memory store (oidc-provider's own adapter) for every provider this process builds.
const sharedAdapter = createMemoryAdapter();

function newProvider(keys) {
const provider = new Provider(ISSUER, {
  adapter: sharedAdapter,
  clients,
  findAccount,
  jwks: { keys },
  cookies: { keys: cookieKeys },
  claims: {
    openid: ['sub'],
    profile: ['name', 'username', 'picture'],
    email: ['email', 'email_verified'],
    phone: ['phone_number', 'phone_number_verified'],
  },
  scopes: ['openid', 'offline_access', 'profile', 'email', 'phone'],
  // Logto puts the profile claims into the ID token too.
  conformIdTokenClaims: false,
  // Logto-specific authorization parameters (accepted, not acted upon).
  extraParams: ['interaction_mode', 'first_screen', 'direct_sign_in'],
  clientDefaults: {
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'ES384',
  },
  enabledJWA: {
    idTokenSigningAlgValues: ['ES384'],
    userinfoSigningAlgValues: ['ES384'],
  },
  pkce: { required: () => true },
  rotateRefreshToken: () => ROTATE_REFRESH_TOKENS,
  routes: {
    authorization: '/auth',
    token: '/token',
    userinfo: '/me',
    jwks: '/jwks',
    end_session: '/session/end',
  },
  ttl: {
    AccessToken: () => ACCESS_TOKEN_TTL,
    IdToken: () => ID_TOKEN_TTL,
    AuthorizationCode: () => 60,
    Interaction: () => 3600,
    Session: () => 14 * 24 * 3600,
    Grant: () => 14 * 24 * 3600,
    RefreshToken: () => 14 * 24 * 3600,
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    userinfo: { enabled: true },
    revocation: { enabled: true },
  },
  clientBasedCORS: () => false,
  renderError,
});

// Refused token requests (a reused rotated refresh token among them), for /__test__/requests.
provider.on('grant.error', () => { grantErrors += 1; });

for (const event of ['server_error', 'authorization.error', 'grant.error', 'end_session.error', 'userinfo.error', 'jwks.error', 'discovery.error', 'interaction.error']) {
  provider.on(event, (ctx, err) => {
    const error = err ?? ctx;
    const detail = error?.error_description ? ` (${error.error_description})` : '';
    console.error(`idp: ${event}: ${error?.message ?? error}${detail}`);
    if (event === 'server_error' && error?.stack) console.error(error.stack);
  });
}

return provider;
}

let grantErrors = 0;
let callback = newProvider(signingKeys).callback();

const authorizationRequests = [];
const ROUTE_NAMES = {
  [`${MOUNT}/.well-known/openid-configuration`]: 'discovery',
  [`${MOUNT}/jwks`]: 'jwks',
  [`${MOUNT}/token`]: 'token',
  [`${MOUNT}/me`]: 'userinfo',
  [`${MOUNT}/auth`]: 'authorization',
  [`${MOUNT}/session/end`]: 'end_session',
};
const counts = Object.fromEntries(Object.values(ROUTE_NAMES).map((name) => [name, 0]));
const countsByPath = {};

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, ORIGIN);
  const { pathname } = url;

  if (pathname === '/__test__/authorization-requests' && req.method === 'GET') {
    sendJson(res, 200, authorizationRequests);
    return;
  }
  if (pathname === '/__test__/requests' && req.method === 'GET') {
    sendJson(res, 200, { ...counts, grant_errors: grantErrors, by_path: countsByPath });
    return;
  }

  if (pathname === '/__test__/rotate-keys' && req.method === 'POST') {
    signingKeys = [newSigningKey(), ...signingKeys].slice(0, 2);
    callback = newProvider(signingKeys).callback();
    sendJson(res, 200, { kids: signingKeys.map((key) => key.kid) });
    return;
  }

  if (pathname === '/__test__/reset' && req.method === 'POST') {
    authorizationRequests.length = 0;
    for (const key of Object.keys(counts)) counts[key] = 0;
    grantErrors = 0;
    for (const key of Object.keys(countsByPath)) delete countsByPath[key];
    res.writeHead(204).end();
    return;
  }

  if (pathname !== MOUNT && !pathname.startsWith(`${MOUNT}/`)) {
    sendJson(res, 404, { error: 'not_found', path: pathname });
    return;
  }

  const name = ROUTE_NAMES[pathname];
  if (name) counts[name] += 1;
  countsByPath[pathname] = (countsByPath[pathname] ?? 0) + 1;

  if (name === 'authorization' && req.method === 'GET') {
    const params = {};
    for (const [key, value] of url.searchParams) {
      if (key in params) {
        params[key] = [].concat(params[key], value);
      } else {
        params[key] = value;
      }
    }
    authorizationRequests.push(params);
  }

  // Mount like connect/express do: oidc-provider (lib/helpers/oidc_context.js urlFor)
  // takes the mount path as the part of req.originalUrl before req.url, so every URL it
  // builds (discovery, form actions, redirects) carries /oidc.
  req.originalUrl = req.url;
  const rest = req.url.slice(MOUNT.length);
  req.url = rest.startsWith('/') ? rest : `/${rest}`;
  callback(req, res);
});

server.on('error', (err) => fail(`cannot listen on ${HOST}:${config.port}: ${err.message}`));

server.listen(config.port, HOST, () => {
  process.stdout.write(`IDP_READY ${ISSUER}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
  });
}
