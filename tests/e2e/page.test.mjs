// The web page in a real headless Chromium against the real keymint binary
// (one server with a fresh data directory, one browser, a context per test).
// Run by run.sh through CTest; screenshots of every dialog at desktop and
// phone width go to $KEYMINT_E2E_OUTPUT.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const ADMIN_EMAIL = 'admin@example.com';
const ADMIN_PASSWORD = 'admin-password-for-tests';
const NAME_MESSAGE =
  "name must be 2-255 characters of lowercase letters, digits, '-' and '_', start with a letter and end with a " +
  'letter or digit';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const output = process.env.KEYMINT_E2E_OUTPUT;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let server;
let browser;
let base;
let userCount = 0;
let adminToken;

// ------------------------------------------------------------- the server

function startKeymint() {
  const scratch = mkdtempSync(join(process.env.TMPDIR || tmpdir(), 'keymint-e2e-'));
  const child = spawn(
    process.env.KEYMINT_BINARY,
    ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(scratch, 'data'), '--keys-dir', join(scratch, 'keys')],
    {
      cwd: scratch,
      env: {
        PATH: process.env.PATH,
        TMPDIR: process.env.TMPDIR || '/tmp',
        KEYMINT_ADMIN_EMAIL: ADMIN_EMAIL,
        KEYMINT_ADMIN_PASSWORD: ADMIN_PASSWORD,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`keymint did not listen within 30 s:\n${seen}`)), 30000);
    child.stderr.on('data', (chunk) => {
      seen += chunk;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(seen);
      if (match && !server) {
        clearTimeout(timer);
        resolve({ child, scratch, url: `http://127.0.0.1:${match[1]}` });
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`keymint exited (${code}) before listening:\n${seen}`)));
  });
}

before(async () => {
  server = await startKeymint();
  base = server.url;
  browser = await chromium.launch({
    executablePath: process.env.KEYMINT_CHROMIUM,
    headless: true,
    args: ['--no-sandbox'], // root on CI: Chromium refuses its sandbox
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    await exited;
    rmSync(server.scratch, { recursive: true, force: true });
  }
});

// ----------------------------------------------------------- API, like curl

async function call(method, path, token, body) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function passwordToken(email, password) {
  const answer = await call('POST', '/api/v1/token', null, { grantType: 'password', username: email, password });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.accessToken;
}

// RFC 6749 client credentials, client_secret_post: the status only.
async function clientCredentials(clientId, clientSecret) {
  const response = await fetch(`${base}/api/v2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
  });
  await response.text();
  return response.status;
}

// A fresh user (so tests share nothing): {email, password}.
async function newUser() {
  adminToken ??= await passwordToken(ADMIN_EMAIL, ADMIN_PASSWORD); // one slow KDF for the whole run
  const admin = adminToken;
  const email = `person${++userCount}@example.com`;
  const created = await call('POST', '/api/v1/users', admin, { email, roles: ['L1 researcher'] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return { email, password: created.body.tempPassword };
}

// --------------------------------------------------------------- the page

// A page in its own context; fails the test on a CSP violation or a script error.
async function openPage(t) {
  const context = await browser.newContext({ viewport: DESKTOP });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  t.after(async () => {
    await context.close();
    assert.deepEqual(problems, []);
  });
  await page.goto(`${base}/`);
  return page;
}

async function signIn(page, email, password) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'SIGN IN', exact: true }).click();
  await page.getByRole('heading', { name: 'Access keys', level: 1 }).waitFor();
}

// The open dialog (the top one when two are stacked).
const dialog = (page) => page.getByRole('dialog').last();
const dialogButton = (page, name) => dialog(page).getByRole('button', { name, exact: true });

// A value the open dialog shows once (a read-only text box with a copy button).
const shown = (page, label) => dialog(page).getByRole('textbox', { name: label, exact: true }).inputValue();

// The page at desktop and at phone width, into the output folder.
async function screenshot(page, name) {
  for (const [suffix, size] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(output, `${name}-${suffix}.png`) });
  }
  await page.setViewportSize(DESKTOP);
}

async function createKeyInPage(page, name) {
  await page.getByRole('button', { name: '+ ACCESS KEY', exact: true }).click();
  await dialog(page).getByLabel('Name').fill(name);
  await dialogButton(page, 'CREATE').click();
  await dialog(page).getByRole('heading', { name: 'Access key created' }).waitFor();
  return {
    clientId: await shown(page, 'Client ID'),
    clientSecret: await shown(page, 'Client secret'),
  };
}

async function checkAccessibility(page, where) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const found = result.violations.map((v) => `${where}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target).join(' ')}`);
  assert.deepEqual(found, []);
}

// ------------------------------------------------------------------ tests

test('a person signs in, creates a key, uses its secret, regenerates it and deletes it', async (t) => {
  const user = await newUser();
  const page = await openPage(t);
  await screenshot(page, 'sign-in');
  await signIn(page, user.email, user.password);
  await page.getByText('You have no access keys yet').waitFor();
  await screenshot(page, 'keys-empty');

  await page.getByRole('button', { name: '+ ACCESS KEY', exact: true }).click();
  await dialog(page).getByLabel('Name').fill('ci-pipeline');
  await screenshot(page, 'dialog-new-key');
  await dialogButton(page, 'CREATE').click();
  await dialog(page).getByText('The client secret is shown only now').waitFor();
  await screenshot(page, 'dialog-key-created');
  const clientId = await shown(page, 'Client ID');
  const secret = await shown(page, 'Client secret');
  assert.equal(await clientCredentials(clientId, secret), 200);
  await dialog(page).getByRole('button', { name: 'Copy client secret' }).click();
  await dialog(page).getByRole('button', { name: 'Copy client secret' }).getByText('COPIED').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
  await dialogButton(page, 'DONE').click();

  const row = page.getByRole('row').filter({ hasText: 'ci-pipeline' });
  await row.getByText(clientId).waitFor();
  await screenshot(page, 'keys-table');

  await row.getByRole('button', { name: 'Regenerate client secret' }).click();
  await dialog(page).getByText('The old secret stops working at once').waitFor();
  await screenshot(page, 'dialog-regenerate');
  await dialogButton(page, 'REGENERATE').click();
  const fresh = await shown(page, 'New client secret');
  await screenshot(page, 'dialog-new-secret');
  await dialogButton(page, 'DONE').click();
  assert.equal(await clientCredentials(clientId, secret), 401);
  assert.equal(await clientCredentials(clientId, fresh), 200);

  await page.getByRole('button', { name: 'Delete ci-pipeline', exact: true }).click();
  await dialog(page).getByText('ci-pipeline').waitFor();
  await screenshot(page, 'dialog-delete');
  await dialogButton(page, 'DELETE').click();
  await page.getByText('You have no access keys yet').waitFor();
  assert.equal(await clientCredentials(clientId, fresh), 401);
});

test('the table lists keys newest first with their last login', async (t) => {
  const user = await newUser();
  const token = await passwordToken(user.email, user.password);
  const first = await call('POST', '/api/v1/access-keys', token, { name: 'older' });
  await call('POST', '/api/v1/access-keys', token, { name: 'newer' });
  assert.equal(await clientCredentials(first.body.clientId, first.body.clientSecret), 200);
  // lastLogin is written behind the token path, visible within a second (API.md §3).
  for (let i = 0; i < 40; ++i) {
    const listed = await call('GET', `/api/v1/access-keys/${first.body.id}`, token);
    if (listed.body.lastLogin !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const page = await openPage(t);
  await signIn(page, user.email, user.password);
  const rows = page.getByRole('row');
  await rows.filter({ hasText: 'older' }).waitFor();
  assert.match(await rows.nth(1).innerText(), /newer/);
  assert.match(await rows.nth(1).innerText(), /never/);
  assert.doesNotMatch(await rows.nth(2).innerText(), /never/);
});

test('a bad name gets the API rule and message next to the field', async (t) => {
  const user = await newUser();
  const token = await passwordToken(user.email, user.password);
  const answer = await call('POST', '/api/v1/access-keys', token, { name: 'Bad Name' });
  assert.equal(answer.status, 400);
  assert.equal(answer.body.message, NAME_MESSAGE); // the page says what the API says

  const page = await openPage(t);
  await signIn(page, user.email, user.password);
  await page.getByRole('button', { name: '+ ACCESS KEY', exact: true }).click();
  const name = dialog(page).getByLabel('Name');
  await name.fill('Bad Name');
  await dialogButton(page, 'CREATE').click();
  await dialog(page).getByText(NAME_MESSAGE).waitFor();
  assert.equal(await name.getAttribute('aria-invalid'), 'true');
  await screenshot(page, 'dialog-bad-name');
  const listed = await call('GET', '/api/v1/access-keys', token);
  assert.equal(listed.body.accessKeys.length, 0);
});

test('the 21st key shows the limit message', async (t) => {
  const user = await newUser();
  const token = await passwordToken(user.email, user.password);
  for (let i = 0; i < 20; ++i) {
    assert.equal((await call('POST', '/api/v1/access-keys', token, { name: `key-${i}` })).status, 201);
  }
  const page = await openPage(t);
  await signIn(page, user.email, user.password);
  await page.getByRole('button', { name: '+ ACCESS KEY', exact: true }).click();
  await dialog(page).getByLabel('Name').fill('one-too-many');
  await dialogButton(page, 'CREATE').click();
  await dialog(page).getByText('a user can have at most 20 access keys; delete one first').waitFor();
  await screenshot(page, 'dialog-limit');
});

test('a wrong password says so without saying which part was wrong', async (t) => {
  const user = await newUser();
  const page = await openPage(t);
  for (const [email, password] of [[user.email, 'not-the-password'], ['nobody@example.com', user.password]]) {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'SIGN IN', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password.' }).waitFor();
  }
});

test('a throttled sign-in says to wait', async (t) => {
  const user = await newUser();
  // throttle.username_burst (default 10) failed checks, then 429 with Retry-After until the
  // bucket refills (6 a minute): fail until keymint throttles, then sign in at once.
  const page = await openPage(t);
  let status = 401;
  for (let i = 0; i < 30 && status === 401; ++i) {
    const body = { grantType: 'password', username: user.email, password: 'wrong-password' };
    status = (await call('POST', '/api/v1/token', null, body)).status;
  }
  assert.equal(status, 429);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'SIGN IN', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: /Too many attempts\. Wait \d+ seconds, then try again\./ }).waitFor();
});

test('an ended session asks to sign in again and keeps what was typed', async (t) => {
  const user = await newUser();
  const page = await openPage(t);
  await signIn(page, user.email, user.password);
  await page.getByRole('button', { name: '+ ACCESS KEY', exact: true }).click();
  await dialog(page).getByLabel('Name').fill('typed-before-expiry');

  // A password change refuses every earlier token (API.md §9), as expiry does.
  const other = await passwordToken(user.email, user.password);
  const changed = await call('POST', '/api/v1/me/password', other, {
    currentPassword: user.password,
    newPassword: 'a-brand-new-password',
  });
  assert.equal(changed.status, 200);

  await dialogButton(page, 'CREATE').click();
  await page.getByRole('heading', { name: 'Your session has expired' }).waitFor();
  await screenshot(page, 'dialog-session-expired');
  await dialog(page).getByLabel('Password').fill('a-brand-new-password');
  await dialogButton(page, 'SIGN IN').click();
  await dialog(page).getByRole('heading', { name: 'Access key created' }).waitFor();
  const secret = await shown(page, 'Client secret');
  const clientId = await shown(page, 'Client ID');
  assert.equal(await clientCredentials(clientId, secret), 200);
  const token = await passwordToken(user.email, 'a-brand-new-password');
  const listed = await call('GET', '/api/v1/access-keys', token);
  assert.deepEqual(listed.body.accessKeys.map((key) => key.name), ['typed-before-expiry']);
});

test('when the token lapses the page says so before the next click', async (t) => {
  const user = await newUser();
  const context = await browser.newContext({ viewport: DESKTOP });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.clock.install();
  await page.goto(`${base}/`);
  await signIn(page, user.email, user.password);
  await page.clock.fastForward(3601 * 1000); // the default token lifetime, 3600 s
  await page.getByRole('heading', { name: 'Your session has expired' }).waitFor();
});

test('signing out forgets the token', async (t) => {
  const user = await newUser();
  const page = await openPage(t);
  await signIn(page, user.email, user.password);
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByRole('heading', { name: 'Sign in to keymint' }).waitFor();
  assert.equal(await page.getByRole('navigation').count(), 0);
  const stored = await page.evaluate(() => localStorage.length + sessionStorage.length + document.cookie.length);
  assert.equal(stored, 0);
});

test('a changed password signs in anew and the old one stops working', async (t) => {
  const user = await newUser();
  const page = await openPage(t);
  await signIn(page, user.email, user.password);
  await page.getByRole('button', { name: 'Password', exact: true }).click();
  await page.getByLabel('Current password').fill(user.password);
  await page.getByLabel('New password', { exact: true }).fill('another-password-1');
  await page.getByLabel('Repeat new password').fill('another-password-1');
  await page.getByRole('button', { name: 'CHANGE PASSWORD' }).click();
  await page.getByText('Your password has been changed.').waitFor();
  // The page's new session works: the keys view still loads.
  await page.getByRole('button', { name: 'Access keys', exact: true }).click();
  await page.getByText('You have no access keys yet').waitFor();
  await passwordToken(user.email, 'another-password-1');
});

test('an administrator filters every key, and creates and disables a service account', async (t) => {
  const user = await newUser();
  const token = await passwordToken(user.email, user.password);
  const key = (await call('POST', '/api/v1/access-keys', token, { name: 'shared-name' })).body;
  const page = await openPage(t);
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);

  await page.getByRole('button', { name: 'All access keys' }).click();
  await page.getByLabel('Owner').fill(user.email);
  await page.getByRole('button', { name: 'FILTER' }).click();
  const rows = page.getByRole('row');
  await rows.filter({ hasText: user.email }).waitFor();
  assert.equal(await rows.count(), 2); // the heading row and the one key
  await page.getByLabel('Owner').fill('');
  await page.getByLabel('Client ID').fill('no-such-client');
  await page.getByRole('button', { name: 'FILTER' }).click();
  await page.getByText('No access key matches.').waitFor();
  await page.getByLabel('Client ID').fill(key.clientId);
  await page.getByRole('button', { name: 'FILTER' }).click();
  await page.getByRole('button', { name: `Delete shared-name of ${user.email}` }).click();
  await dialogButton(page, 'DELETE').click();
  await page.getByText('No access key matches.').waitFor();
  assert.equal(await clientCredentials(key.clientId, key.clientSecret), 401);

  await page.getByRole('button', { name: 'Service accounts' }).click();
  await page.getByRole('button', { name: '+ SERVICE ACCOUNT' }).click();
  await dialog(page).getByLabel('Name').fill('nightly-export');
  await dialog(page).getByLabel('Viewer').check();
  await dialogButton(page, 'CREATE').click();
  await dialog(page).getByRole('heading', { name: 'Service account created' }).waitFor();
  await screenshot(page, 'dialog-service-account-created');
  const clientId = await shown(page, 'Client ID');
  const secret = await shown(page, 'Client secret');
  await dialogButton(page, 'DONE').click();
  assert.equal(await clientCredentials(clientId, secret), 200);
  await page.getByRole('button', { name: 'Disable nightly-export' }).click();
  await page.getByRole('row').filter({ hasText: 'nightly-export' }).getByText('Disabled').waitFor();
  assert.equal(await clientCredentials(clientId, secret), 401);

  await page.getByRole('button', { name: 'Users', exact: true }).click();
  await page.getByRole('button', { name: '+ USER' }).click();
  await dialog(page).getByLabel('Email').fill('made-in-page@example.com');
  await dialogButton(page, 'CREATE').click();
  const temporary = await shown(page, 'Temporary password');
  await screenshot(page, 'dialog-user-created');
  await dialogButton(page, 'DONE').click();
  await page.getByRole('row').filter({ hasText: 'made-in-page@example.com' }).waitFor();
  await passwordToken('made-in-page@example.com', temporary);
});

test('a person who is not an administrator sees no administration', async (t) => {
  const user = await newUser();
  const page = await openPage(t);
  await signIn(page, user.email, user.password);
  assert.equal(await page.getByRole('button', { name: 'Service accounts' }).count(), 0);
});

test('axe-core finds no accessibility violations', async (t) => {
  const user = await newUser();
  const token = await passwordToken(user.email, user.password);
  await call('POST', '/api/v1/access-keys', token, { name: 'for-axe' });
  const page = await openPage(t);
  await checkAccessibility(page, 'sign-in');
  await signIn(page, user.email, user.password);
  await page.getByRole('row').filter({ hasText: 'for-axe' }).waitFor();
  await checkAccessibility(page, 'keys table');
  await page.setViewportSize(PHONE);
  await checkAccessibility(page, 'keys table at phone width');
  await page.setViewportSize(DESKTOP);
  await page.getByRole('button', { name: '+ ACCESS KEY', exact: true }).click();
  await dialog(page).getByLabel('Name').fill('X');
  await dialogButton(page, 'CREATE').click();
  await dialog(page).getByText(NAME_MESSAGE).waitFor();
  await checkAccessibility(page, 'new-key dialog with an error');
  await dialog(page).getByLabel('Name').fill('second-key');
  await dialogButton(page, 'CREATE').click();
  await dialog(page).getByRole('heading', { name: 'Access key created' }).waitFor();
  await checkAccessibility(page, 'key-created dialog');
});

test('the page keeps working from the keyboard alone', async (t) => {
  const user = await newUser();
  const page = await openPage(t);
  await page.keyboard.type(user.email); // the email field has focus on load
  await page.keyboard.press('Tab');
  await page.keyboard.type(user.password);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Access keys', level: 1 }).waitFor();
  await page.getByRole('button', { name: '+ ACCESS KEY', exact: true }).focus();
  await page.keyboard.press('Enter');
  await page.keyboard.type('by-keyboard'); // the dialog focuses its Name field
  await page.keyboard.press('Enter');
  await dialog(page).getByRole('heading', { name: 'Access key created' }).waitFor();
  await page.keyboard.press('Escape');
  await page.getByRole('row').filter({ hasText: 'by-keyboard' }).waitFor();
});
