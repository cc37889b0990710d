// Functional check of a running peer, plus an optional rough throughput probe.
//   node check.mjs URL CLIENTS_FILE [--load SECONDS] [--conns N]
// Checks: a Basic-auth `grant_type=client_credentials` request gets a 200 with an RS256 `at+jwt`
// whose signature verifies against URL/jwks; the same through client_secret_post; a wrong secret
// gets 401 invalid_client. With --load, N keep-alive connections POST token requests for SECONDS
// and the tokens/s is printed (a sanity figure only: the real measurement is the load generator's).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';

const [base, clientsFile, ...rest] = process.argv.slice(2);
if (!base || !clientsFile) {
  console.error('usage: node check.mjs URL CLIENTS_FILE [--load SECONDS] [--conns N]');
  process.exit(2);
}
let loadSeconds = 0;
let conns = 16;
for (let i = 0; i < rest.length; i += 2) {
  if (rest[i] === '--load') loadSeconds = Number(rest[i + 1]);
  else if (rest[i] === '--conns') conns = Number(rest[i + 1]);
  else { console.error(`unknown argument ${rest[i]}`); process.exit(2); }
}

const clients = fs.readFileSync(clientsFile, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))
  .map((l) => { const i = l.indexOf(','); return [l.slice(0, i), l.slice(i + 1)]; });
const basic = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const tokenUrl = `${base}/token`;

let failures = 0;
function check(cond, what) {
  console.log(`${cond ? 'ok  ' : 'FAIL'} ${what}`);
  if (!cond) failures += 1;
}

async function post(body, headers = {}) {
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

const jwks = await (await fetch(`${base}/jwks`)).json();
function verify(token) {
  const [h, p, s] = token.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const claims = JSON.parse(Buffer.from(p, 'base64url'));
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  const valid = !!jwk && crypto.verify('sha256', Buffer.from(`${h}.${p}`),
    crypto.createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(s, 'base64url'));
  return { header, claims, valid };
}

const [id, secret] = clients[0];
{
  const r = await post('grant_type=client_credentials', { authorization: basic(id, secret) });
  check(r.status === 200 && r.json.token_type === 'Bearer', `basic auth: 200 Bearer (got ${r.status})`);
  const { header, claims, valid } = verify(r.json.access_token);
  console.log(`     header ${JSON.stringify(header)}`);
  console.log(`     claims ${JSON.stringify(claims)}`);
  console.log(`     expires_in ${r.json.expires_in}`);
  check(header.alg === 'RS256' && header.typ === 'at+jwt', 'alg RS256, typ at+jwt');
  check(valid, 'signature verifies against /jwks');
  check(claims.client_id === id && claims.exp - claims.iat === r.json.expires_in, 'client_id and exp - iat = expires_in');
}
{
  const r = await post(new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret }).toString());
  check(r.status === 200 && verify(r.json.access_token).valid, `client_secret_post: 200 and valid (got ${r.status})`);
}
{
  const r = await post('grant_type=client_credentials', { authorization: basic(id, `${secret}x`) });
  check(r.status === 401 && r.json.error === 'invalid_client', `wrong secret: 401 invalid_client (got ${r.status} ${r.json.error})`);
}
{
  const r = await post('grant_type=client_credentials', { authorization: basic(`${id}-unknown`, secret) });
  check(r.status === 401 && r.json.error === 'invalid_client', `unknown client: 401 invalid_client (got ${r.status} ${r.json.error})`);
}

if (loadSeconds > 0) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: conns });
  const url = new URL(tokenUrl);
  const body = 'grant_type=client_credentials';
  const auths = clients.map(([i, s]) => basic(i, s));
  let ok = 0;
  let bad = 0;
  const end = Date.now() + loadSeconds * 1000;
  const one = (auth) => new Promise((resolve) => {
    const req = http.request({
      agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length, authorization: auth },
    }, (res) => { res.resume(); res.on('end', () => { if (res.statusCode === 200) ok += 1; else bad += 1; resolve(); }); });
    req.on('error', () => { bad += 1; resolve(); });
    req.end(body);
  });
  const started = Date.now();
  await Promise.all(Array.from({ length: conns }, async (_, c) => {
    for (let n = c; Date.now() < end; n += conns) await one(auths[n % auths.length]);
  }));
  const secs = (Date.now() - started) / 1000;
  console.log(`load: ${conns} connections, ${secs.toFixed(1)} s, ${ok} tokens (${(ok / secs).toFixed(0)}/s), ${bad} non-200`);
  agent.destroy();
  if (bad) failures += 1;
}

console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
