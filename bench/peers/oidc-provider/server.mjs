// Benchmark peer for keymint: oidc-provider (OpenID Certified) issuing RS256 JWT access tokens
// through the OAuth 2.0 client-credentials grant. See README.md in this folder.
//
//   node server.mjs [--port N] [--clients FILE | --clients-count N --clients-out FILE]
//                   [--ttl SECONDS]
//
// Prints exactly one line on stdout, `listening on http://127.0.0.1:PORT`, once the socket
// accepts connections. Diagnostics (oidc-provider's own start-up warnings) go to stderr.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';

const HOST = '127.0.0.1';
const RESOURCE = 'urn:keymint:bench';
const SCOPE = 'api';

function usage(msg) {
  if (msg) process.stderr.write(`server.mjs: ${msg}\n`);
  process.stderr.write('usage: node server.mjs [--port N] [--clients FILE | --clients-count N --clients-out FILE]'
    + ' [--ttl SECONDS]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {
    port: 0, clients: undefined, clientsCount: undefined, clientsOut: undefined, ttl: 3600,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const next = () => {
      if (eq > 0) return a.slice(eq + 1);
      i += 1;
      if (i >= argv.length) usage(`${name} needs a value`);
      return argv[i];
    };
    const int = (v, min) => {
      if (!/^\d+$/.test(v) || Number(v) < min) usage(`${name}: not an integer >= ${min}: ${v}`);
      return Number(v);
    };
    switch (name) {
      case '--port': opts.port = int(next(), 0); if (opts.port > 65535) usage('--port out of range'); break;
      case '--clients': opts.clients = next(); break;
      case '--clients-count': opts.clientsCount = int(next(), 1); break;
      case '--clients-out': opts.clientsOut = next(); break;
      case '--ttl': opts.ttl = int(next(), 1); break;
      case '-h': case '--help': usage(); break;
      default: usage(`unknown argument: ${a}`);
    }
  }
  const generating = opts.clientsCount !== undefined || opts.clientsOut !== undefined;
  if (generating && (opts.clientsCount === undefined || opts.clientsOut === undefined)) {
    usage('--clients-count and --clients-out go together');
  }
  if (generating && opts.clients) usage('give either --clients or --clients-count/--clients-out');
  if (!generating && !opts.clients) usage('give --clients FILE or --clients-count N --clients-out FILE');
  return opts;
}

// `clientId,secret` per line; blank lines and lines starting with # are skipped.
function readClients(file) {
  const out = [];
  const seen = new Set();
  fs.readFileSync(file, 'utf8').split(/\r?\n/).forEach((line, n) => {
    const s = line.trim();
    if (!s || s.startsWith('#')) return;
    const comma = s.indexOf(',');
    if (comma <= 0 || comma === s.length - 1) throw new Error(`${file}:${n + 1}: expected clientId,secret`);
    const id = s.slice(0, comma);
    const secret = s.slice(comma + 1);
    if (seen.has(id)) throw new Error(`${file}:${n + 1}: duplicate client id ${id}`);
    seen.add(id);
    out.push([id, secret]);
  });
  if (!out.length) throw new Error(`${file}: no clients`);
  return out;
}

function generateClients(count, file) {
  const out = [];
  for (let i = 0; i < count; i += 1) {
    out.push([`bench-${crypto.randomBytes(12).toString('hex')}`, crypto.randomBytes(32).toString('base64url')]);
  }
  fs.writeFileSync(file, out.map(([id, secret]) => `${id},${secret}\n`).join(''), { mode: 0o600 });
  return out;
}

const opts = parseArgs(process.argv.slice(2));
let clientPairs;
try {
  clientPairs = opts.clients ? readClients(opts.clients) : generateClients(opts.clientsCount, opts.clientsOut);
} catch (err) {
  process.stderr.write(`server.mjs: ${err.message}\n`);
  process.exit(2);
}

// RSA-2048 signing key, made fresh at every start; served (public part) at /jwks.
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingJwk = privateKey.export({ format: 'jwk' });
{
  // kid = RFC 7638 thumbprint, as keymint does.
  const { e, kty, n } = signingJwk;
  signingJwk.kid = crypto.createHash('sha256').update(JSON.stringify({ e, kty, n })).digest('base64url');
}
signingJwk.use = 'sig';
signingJwk.alg = 'RS256';

// Imported after argument checks so that a usage error prints nothing from the library.
const { default: Provider, errors } = await import('oidc-provider');

const configuration = {
  clients: clientPairs.map(([clientId, secret]) => ({
    client_id: clientId,
    client_secret: secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    // oidc-provider 9 treats client_secret_basic and client_secret_post as interchangeable for
    // a secret-based client: either way of sending the secret is accepted (both at once is 400).
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  jwks: { keys: [signingJwk] },
  // Cookies are only used by the interactive (browser) flows, which are not reachable here;
  // a key is set anyway so the library does not fall back to an insecure default.
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  clientBasedCORS: () => false,
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: false },
    revocation: { enabled: false },
    resourceIndicators: {
      enabled: true,
      // A plain `grant_type=client_credentials` request (no `resource` param) gets this resource,
      // so its access token is a JWT for RESOURCE.
      defaultResource: async () => RESOURCE,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (ctx, resourceIndicator) => {
        if (resourceIndicator !== RESOURCE) throw new errors.InvalidTarget();
        return {
          scope: SCOPE,
          audience: RESOURCE,
          accessTokenTTL: opts.ttl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  ttl: {
    // Same value the resource server returns; set explicitly so the library's
    // "you SHOULD change ttl.ClientCredentials" notice is never printed on the first request.
    ClientCredentials: (ctx, token) => token.resourceServer?.accessTokenTTL || opts.ttl,
  },
};

// Listen first (port 0 = ephemeral) so the issuer can carry the real port, then attach the provider.
let handler = (req, res) => { res.statusCode = 503; res.end(); };
const server = http.createServer((req, res) => handler(req, res));
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.requestTimeout = 0;

await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(opts.port, HOST, () => { server.off('error', reject); resolve(); });
});
const { port } = server.address();

const provider = new Provider(`http://${HOST}:${port}`, configuration);
provider.proxy = false;
// Koa logs unhandled (5xx) errors to stderr; nothing is logged for normal or 4xx requests.
provider.on('server_error', (ctx, err) => { process.stderr.write(`server_error: ${err?.stack || err}\n`); });
handler = provider.callback();

process.stdout.write(`listening on http://${HOST}:${port}\n`);

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  server.closeIdleConnections?.();
  // Keep-alive connections in the middle of a request get a moment to finish, then are cut.
  setTimeout(() => { server.closeAllConnections?.(); }, 2000).unref();
  setTimeout(() => { process.stderr.write(`server.mjs: forced exit after ${signal}\n`); process.exit(0); }, 5000).unref();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
