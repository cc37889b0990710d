// The access-keys page: the user guide's flow (seed 003) over keymint's public
// REST API only, so that everything here can also be done with curl.
//
// The bearer token lives in this module's memory for the life of the tab: never
// in localStorage, sessionStorage or a cookie, so no other script or tab can
// read it and closing the tab ends the session. All text from the server goes
// into the DOM as text nodes (never as HTML).

// The API's rule and message for a name (API.md §4), shown next to the field
// before the request is sent; the server checks again and has the last word.
const NAME_RULE = /^[a-z][-_a-z0-9]*[a-z0-9]$/;
const NAME_MESSAGE =
  "name must be 2-255 characters of lowercase letters, digits, '-' and '_', start with a letter and end with a " +
  'letter or digit';

const session = { token: null, email: '', roles: [], timer: 0, renewing: null };

// ---------------------------------------------------------------- DOM helpers

function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const byId = (id) => document.getElementById(id);
let uniqueCounter = 0;
const uniqueId = (prefix) => `${prefix}-${++uniqueCounter}`;

function announce(text) {
  const status = byId('status');
  status.textContent = '';
  // A change the screen reader notices even when the same text repeats.
  setTimeout(() => {
    status.textContent = text;
  }, 50);
}

// The trash icon: drawn as SVG elements, since the CSP allows no inline markup styles.
function trashIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M9 3h6l1 2h4v2H4V5h4l1-2zm-3 6h12l-1 12H7L6 9zm4 2v8h2v-8h-2zm4 0v8h-2');
  svg.append(path);
  return svg;
}

function formatTime(value) {
  if (value === null || value === undefined) return 'never';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

// A labelled read-only value with a copy button: the Client ID and secrets.
function copyField(label, value, fieldName) {
  const id = uniqueId('copy');
  const input = h('input', { id, type: 'text', readonly: true, value, class: 'secret', spellcheck: 'false' });
  input.value = value;
  const button = h(
    'button',
    {
      type: 'button',
      class: 'quiet',
      'aria-label': `Copy ${fieldName}`,
      onclick: async () => {
        input.select();
        let copied = false;
        try {
          await navigator.clipboard.writeText(value);
          copied = true;
        } catch {
          // The Clipboard API needs a secure context (https or loopback).
          copied = document.execCommand && document.execCommand('copy');
        }
        announce(copied ? `${label} copied` : `Select the ${fieldName} and copy it`);
        button.textContent = copied ? 'COPIED' : 'COPY';
      },
    },
    'COPY',
  );
  return h('div', { class: 'field' }, h('label', { for: id }, label), h('div', { class: 'copy-row' }, input, button));
}

// ------------------------------------------------------------------- dialogs

// A modal <dialog>: the browser traps focus, Escape closes it, and focus
// returns to the opener. `build(view)` fills it; it is removed on close.
function openDialog(title, build) {
  const titleId = uniqueId('dialog-title');
  const body = h('div', { class: 'dialog-body' });
  const actions = h('div', { class: 'actions' });
  const dialog = h('dialog', { 'aria-labelledby': titleId }, h('h2', { id: titleId }, title), body, actions);
  const opener = document.activeElement;
  const view = {
    dialog,
    setTitle(text) {
      byId(titleId).textContent = text;
    },
    show(bodyNodes, actionButtons) {
      body.replaceChildren(...bodyNodes);
      actions.replaceChildren(...actionButtons);
      const first = body.querySelector('input:not([readonly]), select') || actions.querySelector('.primary');
      if (first) first.focus();
    },
    close() {
      dialog.close();
    },
  };
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener && opener.isConnected) opener.focus();
    if (view.afterClose) view.afterClose();
  });
  document.body.append(dialog);
  dialog.showModal();
  build(view);
  return view;
}

function button(label, onclick, options = {}) {
  return h('button', { type: options.submit ? 'submit' : 'button', class: options.primary ? 'primary' : 'quiet', onclick }, label);
}

function cancelButton(view) {
  return button('CANCEL', () => view.close());
}

// DONE, or Escape, closes the dialog and then runs `after` (a refresh).
function doneButton(view, after) {
  view.afterClose = after;
  return button('DONE', () => view.close(), { primary: true });
}

// A confirmation: `text` says what happens; `confirmLabel` runs `action`,
// whose result (if any) is what the dialog shows next.
function confirmDialog(title, text, confirmLabel, action) {
  openDialog(title, (view) => {
    const error = h('p', { class: 'error', role: 'alert' });
    const confirm = button(
      confirmLabel,
      async () => {
        confirm.disabled = true;
        try {
          await action(view);
        } catch (failure) {
          error.textContent = failure.message;
          confirm.disabled = false;
        }
      },
      { primary: true },
    );
    view.show([h('p', {}, text), error], [cancelButton(view), confirm]);
  });
}

// ----------------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, message, retryAfter) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

async function readError(response) {
  let message = `keymint answered ${response.status}`;
  try {
    const body = await response.json();
    if (body && typeof body.message === 'string') message = body.message;
    else if (body && typeof body.error_description === 'string') message = body.error_description;
  } catch {
    // Not JSON: keep the status line.
  }
  return new ApiError(response.status, message, response.headers.get('Retry-After'));
}

// One call to the management API. A 401 means the token has expired or was
// ended (a password change, say): the person signs in again on top of what
// they were doing, and the call is repeated, so nothing typed is lost.
async function api(method, path, body) {
  for (;;) {
    const headers = { Authorization: `Bearer ${session.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
    if (response.status === 401 && session.token) {
      await renewSession();
      continue;
    }
    if (!response.ok) throw await readError(response);
    if (response.status === 204) return null;
    return response.json();
  }
}

// The password grant (API.md §3). Resolves to {accessToken, expiresIn}.
async function passwordGrant(username, password) {
  const response = await fetch('/api/v1/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grantType: 'password', username, password }),
    cache: 'no-store',
    credentials: 'omit',
  });
  if (!response.ok) throw await readError(response);
  return response.json();
}

// What a person reads when a sign-in fails: never which part was wrong.
function signInMessage(failure) {
  if (failure.status === 401 || failure.status === 400) return 'Wrong email or password.';
  if (failure.status === 429) {
    const wait = failure.retryAfter ? ` ${failure.retryAfter} seconds` : ' a moment';
    return `Too many attempts. Wait${wait}, then try again.`;
  }
  if (failure.status === 503) return 'keymint is busy. Wait a moment, then try again.';
  if (failure instanceof ApiError) return failure.message;
  return 'keymint cannot be reached. Check the connection and try again.';
}

function claimsOf(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload));
  } catch {
    return {};
  }
}

function startSession(email, grant) {
  const claims = claimsOf(grant.accessToken);
  session.token = grant.accessToken;
  session.email = claims.preferred_username || email;
  session.roles = Array.isArray(claims.roles) ? claims.roles : [];
  clearTimeout(session.timer);
  // Say so as soon as the token lapses, rather than at the next click.
  const lifetime = Number(grant.expiresIn) > 0 ? Number(grant.expiresIn) : 3600;
  session.timer = setTimeout(() => renewSession().catch(() => {}), lifetime * 1000);
}

// The session-expired dialog; concurrent callers share one.
function renewSession() {
  if (session.renewing) return session.renewing;
  session.renewing = new Promise((resolve) => {
    openDialog('Your session has expired', (view) => {
      const emailId = uniqueId('renew-email');
      const passwordId = uniqueId('renew-password');
      const error = h('p', { class: 'error', role: 'alert' });
      const email = h('input', { id: emailId, type: 'email', autocomplete: 'username', value: session.email });
      email.value = session.email;
      const password = h('input', { id: passwordId, type: 'password', autocomplete: 'current-password' });
      const form = h(
        'form',
        {
          class: 'stack',
          novalidate: true,
          onsubmit: async (event) => {
            event.preventDefault();
            error.textContent = '';
            try {
              startSession(email.value.trim(), await passwordGrant(email.value.trim(), password.value));
              session.renewing = null;
              view.close();
              resolve();
            } catch (failure) {
              error.textContent = signInMessage(failure);
            }
          },
        },
        h('p', {}, 'Sign in again to continue. What you typed is kept.'),
        h('label', { for: emailId }, 'Email'),
        email,
        h('label', { for: passwordId }, 'Password'),
        password,
        error,
        h('div', { class: 'actions' }, button('SIGN OUT', signOut), button('SIGN IN', null, { primary: true, submit: true })),
      );
      // Escape would leave the page with a dead token: only the two buttons end this dialog.
      view.dialog.addEventListener('cancel', (event) => event.preventDefault());
      view.show([form], []);
      password.focus();
    });
  });
  return session.renewing;
}

function signOut() {
  // Forgetting the token is the whole of signing out: it is held nowhere else.
  session.token = null;
  clearTimeout(session.timer);
  window.location.reload();
}

// ------------------------------------------------------------- table helpers

// A table that reads as cards at phone width (app.css); `columns` are
// [heading, cell(row)] pairs and the last column holds the row's buttons.
function table(caption, columns, rows) {
  return h(
    'table',
    {},
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, columns.map(([heading]) => h('th', { scope: 'col' }, heading)))),
    h(
      'tbody',
      {},
      rows.map((row) =>
        h(
          'tr',
          {},
          columns.map(([heading, cell]) => h('td', { 'data-label': heading }, cell(row))),
        ),
      ),
    ),
  );
}

function iconButton(label, onclick) {
  return h('button', { type: 'button', class: 'icon', 'aria-label': label, title: label, onclick }, trashIcon());
}

function viewHeader(title, ...controls) {
  return h('div', { class: 'view-header' }, h('h1', { id: 'view-title' }, title), ...controls);
}

function loadFailure(failure) {
  return h('p', { class: 'error', role: 'alert' }, `Could not load: ${failure.message}`);
}

// A field with its error next to it, tied together for screen readers.
function labelledInput(label, attributes) {
  const id = uniqueId('field');
  const errorId = `${id}-error`;
  const input = h('input', { id, 'aria-describedby': errorId, ...attributes });
  const error = h('p', { id: errorId, class: 'error field-error' });
  const setError = (message) => {
    error.textContent = message || '';
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };
  return { node: h('div', { class: 'field' }, h('label', { for: id }, label), input, error), input, setError };
}

async function roleCheckboxes(selected = []) {
  const roles = await api('GET', '/api/v1/authorization/roles');
  const boxes = roles.map((role) => {
    const id = uniqueId('role');
    const box = h('input', { id, type: 'checkbox', value: role.name, checked: selected.includes(role.name) });
    return h('div', { class: 'check' }, box, h('label', { for: id }, role.name));
  });
  const fieldset = h('fieldset', {}, h('legend', {}, 'Roles'), boxes);
  const chosen = () => [...fieldset.querySelectorAll('input:checked')].map((box) => box.value);
  return { node: fieldset, chosen };
}

// ---------------------------------------------------------------- the views

const views = {
  keys: renderOwnKeys,
  password: renderPassword,
  'all-keys': renderAllKeys,
  users: renderUsers,
  'service-accounts': renderServiceAccounts,
};
let currentView = 'keys';

async function show(name) {
  currentView = name;
  for (const item of document.querySelectorAll('#nav button[data-view]')) {
    if (item.dataset.view === name) item.setAttribute('aria-current', 'page');
    else item.removeAttribute('aria-current');
  }
  const section = byId('view');
  section.setAttribute('aria-labelledby', 'view-title');
  await views[name](section);
}

const refresh = () => show(currentView);

async function renderOwnKeys(section) {
  const add = button('+ ACCESS KEY', openCreateKey, { primary: true });
  const header = viewHeader('Access keys', add);
  let keys;
  try {
    keys = (await api('GET', '/api/v1/access-keys')).accessKeys;
  } catch (failure) {
    section.replaceChildren(header, loadFailure(failure));
    return;
  }
  keys.sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
  const intro = h(
    'p',
    { class: 'hint' },
    'An access key is a client ID and a client secret for API integrations; its tokens carry your roles. ' +
      'You can have up to 20.',
  );
  if (keys.length === 0) {
    section.replaceChildren(
      header,
      intro,
      h('p', { class: 'empty card' }, 'You have no access keys yet. Click + ACCESS KEY to create your first one.'),
    );
    return;
  }
  section.replaceChildren(
    header,
    intro,
    table(
      'Your access keys, newest first',
      [
        ['Name', (key) => key.name],
        ['Client ID', (key) => h('code', {}, key.clientId)],
        ['Created', (key) => formatTime(key.createdAt)],
        ['Last login', (key) => formatTime(key.lastLogin)],
        [
          'Actions',
          (key) =>
            h(
              'div',
              { class: 'row-actions' },
              h('button', { type: 'button', class: 'quiet', 'aria-label': `Regenerate client secret of ${key.name}`, onclick: () => openRegenerateKey(key) }, 'Regenerate client secret'),
              iconButton(`Delete ${key.name}`, () => openDeleteKey(key, `/api/v1/access-keys/${encodeURIComponent(key.id)}`)),
            ),
        ],
      ],
      keys,
    ),
  );
}

function openCreateKey() {
  openDialog('New access key', (view) => {
    const name = labelledInput('Name', { type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: 255 });
    const hint = h('p', { class: 'hint' }, 'Lowercase letters, digits, - and _; for example ci-pipeline.');
    const error = h('p', { class: 'error', role: 'alert' });
    const submit = async (event) => {
      event.preventDefault();
      error.textContent = '';
      const value = name.input.value;
      if (!NAME_RULE.test(value) || value.length < 2 || value.length > 255) {
        name.setError(NAME_MESSAGE);
        name.input.focus();
        return;
      }
      name.setError('');
      try {
        const created = await api('POST', '/api/v1/access-keys', { name: value });
        view.setTitle('Access key created');
        view.show(
          [
            h('p', {}, `Access key ${created.name} is ready.`),
            copyField('Client ID', created.clientId, 'client ID'),
            copyField('Client secret', created.clientSecret, 'client secret'),
            h('p', { class: 'notice' }, 'The client secret is shown only now. Copy it and store it securely: it cannot be recovered, only regenerated.'),
          ],
          [doneButton(view, refresh)],
        );
      } catch (failure) {
        if (failure.status === 400 && failure.message.startsWith('name')) name.setError(failure.message);
        else if (failure.status === 409) name.setError(failure.message);
        else error.textContent = failure.message;
      }
    };
    const form = h('form', { novalidate: true, onsubmit: submit }, name.node, hint, error);
    const create = h('button', { type: 'button', class: 'primary', onclick: submit }, 'CREATE');
    view.show([form], [cancelButton(view), create]);
  });
}

function openRegenerateKey(key) {
  confirmDialog(
    'Regenerate client secret',
    `Regenerate the client secret of ${key.name}? The old secret stops working at once: anything that uses it can no longer get tokens.`,
    'REGENERATE',
    async (view) => {
      const { clientSecret } = await api('POST', `/api/v1/access-keys/${encodeURIComponent(key.id)}/secret`);
      view.setTitle('New client secret');
      view.show(
        [
          copyField('New client secret', clientSecret, 'new client secret'),
          h('p', { class: 'notice' }, 'The new client secret is shown only now. Copy it and store it securely.'),
        ],
        [doneButton(view, refresh)],
      );
    },
  );
}

function openDeleteKey(key, path) {
  confirmDialog('Delete access key', `Delete the access key ${key.name}? Its client ID and secret stop working at once.`, 'DELETE', async (view) => {
    await api('DELETE', path);
    view.close();
    announce(`Access key ${key.name} deleted`);
    await refresh();
  });
}

async function renderPassword(section) {
  const current = labelledInput('Current password', { type: 'password', autocomplete: 'current-password' });
  const next = labelledInput('New password', { type: 'password', autocomplete: 'new-password', minlength: 8 });
  const again = labelledInput('Repeat new password', { type: 'password', autocomplete: 'new-password' });
  const result = h('p', { role: 'status' });
  const submit = async (event) => {
    event.preventDefault();
    result.textContent = '';
    again.setError(next.input.value === again.input.value ? '' : 'The two new passwords differ.');
    if (next.input.value !== again.input.value) return;
    try {
      await api('POST', '/api/v1/me/password', { currentPassword: current.input.value, newPassword: next.input.value });
      // A password change ends every earlier token (API.md §9): sign in anew with the new one.
      startSession(session.email, await passwordGrant(session.email, next.input.value));
      for (const field of [current, next, again]) field.input.value = '';
      result.textContent = 'Your password has been changed.';
    } catch (failure) {
      next.setError(failure.message);
    }
  };
  section.replaceChildren(
    viewHeader('Password'),
    h(
      'form',
      { class: 'card', novalidate: true, onsubmit: submit },
      current.node,
      next.node,
      again.node,
      result,
      h('button', { type: 'submit', class: 'primary' }, 'CHANGE PASSWORD'),
    ),
  );
}

async function renderAllKeys(section, filters = { clientId: '', createdBy: '' }) {
  const clientId = labelledInput('Client ID', { type: 'search', value: filters.clientId });
  const owner = labelledInput('Owner', { type: 'search', value: filters.createdBy, placeholder: 'email' });
  clientId.input.value = filters.clientId;
  owner.input.value = filters.createdBy;
  const form = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      'aria-label': 'Filter access keys',
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        renderAllKeys(section, { clientId: clientId.input.value.trim(), createdBy: owner.input.value.trim() });
      },
    },
    clientId.node,
    owner.node,
    h('button', { type: 'submit', class: 'quiet' }, 'FILTER'),
  );
  const query = new URLSearchParams();
  if (filters.clientId) query.set('clientId', filters.clientId);
  if (filters.createdBy) query.set('createdBy', filters.createdBy);
  let keys;
  try {
    keys = (await api('GET', `/api/v1/administration/access-keys?${query}`)).accessKeys;
  } catch (failure) {
    section.replaceChildren(viewHeader('All access keys'), form, loadFailure(failure));
    return;
  }
  const rerender = () => renderAllKeys(section, filters);
  const list =
    keys.length === 0
      ? h('p', { class: 'empty card' }, 'No access key matches.')
      : table(
          'Every user\u2019s access keys',
          [
            ['Name', (key) => key.name],
            ['Client ID', (key) => h('code', {}, key.clientId)],
            ['Owner', (key) => key.createdBy],
            ['Created', (key) => formatTime(key.createdAt)],
            ['Last login', (key) => formatTime(key.lastLogin)],
            [
              'Actions',
              (key) =>
                iconButton(`Delete ${key.name} of ${key.createdBy}`, () =>
                  confirmDialog('Delete access key', `Delete the access key ${key.name} of ${key.createdBy}? Its client ID and secret stop working at once.`, 'DELETE', async (view) => {
                    await api('DELETE', `/api/v1/administration/access-keys/${encodeURIComponent(key.id)}`);
                    view.close();
                    announce(`Access key ${key.name} deleted`);
                    await rerender();
                  }),
                ),
            ],
          ],
          keys,
        );
  section.replaceChildren(viewHeader('All access keys'), form, list);
}

async function renderUsers(section) {
  const add = button('+ USER', openCreateUser, { primary: true });
  let users;
  try {
    users = await api('GET', '/api/v1/users');
  } catch (failure) {
    section.replaceChildren(viewHeader('Users', add), loadFailure(failure));
    return;
  }
  section.replaceChildren(
    viewHeader('Users', add),
    table(
      'Users',
      [
        ['Email', (user) => user.username],
        ['Roles', (user) => (user.roles || []).join(', ') || 'none'],
        ['Created', (user) => formatTime(user.createdAt)],
        ['Last login', (user) => formatTime(user.lastLogin)],
        [
          'Actions',
          (user) =>
            h(
              'div',
              { class: 'row-actions' },
              h('button', { type: 'button', class: 'quiet', 'aria-label': `Change roles of ${user.username}`, onclick: () => openUserRoles(user) }, 'Roles'),
              h('button', { type: 'button', class: 'quiet', 'aria-label': `Reset password of ${user.username}`, onclick: () => openResetPassword(user) }, 'Reset password'),
              iconButton(`Delete ${user.username}`, () =>
                confirmDialog('Delete user', `Delete the user ${user.username}? Their access keys are deleted too.`, 'DELETE', async (view) => {
                  await api('DELETE', `/api/v1/users/${encodeURIComponent(user.id)}`);
                  view.close();
                  await refresh();
                }),
              ),
            ),
        ],
      ],
      users,
    ),
  );
}

function temporaryPasswordView(view, email, password) {
  view.setTitle('Temporary password');
  view.show(
    [
      h('p', {}, `Give ${email} this temporary password; it is shown only now.`),
      copyField('Temporary password', password, 'temporary password'),
    ],
    [doneButton(view, refresh)],
  );
}

function openCreateUser() {
  openDialog('New user', async (view) => {
    const email = labelledInput('Email', { type: 'email', autocomplete: 'off' });
    const error = h('p', { class: 'error', role: 'alert' });
    let roles;
    try {
      roles = await roleCheckboxes(['Viewer']);
    } catch (failure) {
      view.show([loadFailure(failure)], [cancelButton(view)]);
      return;
    }
    const submit = async (event) => {
      event.preventDefault();
      error.textContent = '';
      try {
        const created = await api('POST', '/api/v1/users', { email: email.input.value.trim(), roles: roles.chosen() });
        temporaryPasswordView(view, created.username, created.tempPassword);
      } catch (failure) {
        email.setError(failure.message);
      }
    };
    const form = h('form', { novalidate: true, onsubmit: submit }, email.node, roles.node, error);
    view.show([form], [cancelButton(view), button('CREATE', submit, { primary: true })]);
  });
}

function openUserRoles(user) {
  openDialog(`Roles of ${user.username}`, async (view) => {
    const error = h('p', { class: 'error', role: 'alert' });
    const roles = await roleCheckboxes(user.roles || []);
    const save = async () => {
      try {
        await api('PUT', `/api/v1/users/${encodeURIComponent(user.id)}/roles`, { roles: roles.chosen() });
        view.close();
        await refresh();
      } catch (failure) {
        error.textContent = failure.message;
      }
    };
    view.show([roles.node, error], [cancelButton(view), button('SAVE', save, { primary: true })]);
  });
}

function openResetPassword(user) {
  confirmDialog('Reset password', `Reset the password of ${user.username}? Their current password and sessions stop working at once.`, 'RESET', async (view) => {
    const { tempPassword } = await api('POST', `/api/v1/users/${encodeURIComponent(user.id)}/password`);
    temporaryPasswordView(view, user.username, tempPassword);
  });
}

async function renderServiceAccounts(section) {
  const add = button('+ SERVICE ACCOUNT', openCreateServiceAccount, { primary: true });
  let accounts;
  try {
    accounts = await api('GET', '/api/v1/service-accounts');
  } catch (failure) {
    section.replaceChildren(viewHeader('Service accounts', add), loadFailure(failure));
    return;
  }
  const base = (account) => `/api/v1/service-accounts/${encodeURIComponent(account.id)}`;
  const content =
    accounts.length === 0
      ? h('p', { class: 'empty card' }, 'No service accounts yet. Click + SERVICE ACCOUNT to create one.')
      : table(
          'Service accounts',
          [
            ['Name', (account) => account.name],
            ['Client ID', (account) => h('code', {}, account.clientId)],
            ['Status', (account) => (account.enabled ? 'Enabled' : 'Disabled')],
            ['Created', (account) => formatTime(account.createdAt)],
            ['Last login', (account) => formatTime(account.lastLogin)],
            [
              'Actions',
              (account) =>
                h(
                  'div',
                  { class: 'row-actions' },
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'quiet',
                      'aria-label': `${account.enabled ? 'Disable' : 'Enable'} ${account.name}`,
                      onclick: async () => {
                        await api('PATCH', base(account), { enabled: !account.enabled });
                        announce(`${account.name} ${account.enabled ? 'disabled' : 'enabled'}`);
                        await refresh();
                      },
                    },
                    account.enabled ? 'Disable' : 'Enable',
                  ),
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'quiet',
                      'aria-label': `Regenerate client secret of ${account.name}`,
                      onclick: () =>
                        confirmDialog('Regenerate client secret', `Regenerate the client secret of ${account.name}? The old secret stops working at once.`, 'REGENERATE', async (view) => {
                          const { clientSecret } = await api('POST', `${base(account)}/secret`);
                          view.setTitle('New client secret');
                          view.show([copyField('New client secret', clientSecret, 'new client secret'), h('p', { class: 'notice' }, 'The new client secret is shown only now.')], [doneButton(view, refresh)]);
                        }),
                    },
                    'Regenerate client secret',
                  ),
                  iconButton(`Delete ${account.name}`, () =>
                    confirmDialog('Delete service account', `Delete the service account ${account.name}? Its client ID and secret stop working at once.`, 'DELETE', async (view) => {
                      await api('DELETE', base(account));
                      view.close();
                      await refresh();
                    }),
                  ),
                ),
            ],
          ],
          accounts,
        );
  section.replaceChildren(viewHeader('Service accounts', add), content);
}

function openCreateServiceAccount() {
  openDialog('New service account', async (view) => {
    const name = labelledInput('Name', { type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: 255 });
    let roles;
    try {
      roles = await roleCheckboxes([]);
    } catch (failure) {
      view.show([loadFailure(failure)], [cancelButton(view)]);
      return;
    }
    const error = h('p', { class: 'error', role: 'alert' });
    const submit = async (event) => {
      event.preventDefault();
      error.textContent = '';
      if (!NAME_RULE.test(name.input.value)) {
        name.setError(NAME_MESSAGE);
        return;
      }
      name.setError('');
      try {
        const created = await api('POST', '/api/v1/service-accounts', { name: name.input.value, roles: roles.chosen() });
        view.setTitle('Service account created');
        view.show(
          [
            copyField('Client ID', created.clientId, 'client ID'),
            copyField('Client secret', created.clientSecret, 'client secret'),
            h('p', { class: 'notice' }, 'The client secret is shown only now. Copy it and store it securely: it cannot be recovered, only regenerated.'),
          ],
          [doneButton(view, refresh)],
        );
      } catch (failure) {
        if (failure.status === 409 || failure.message.startsWith('name')) name.setError(failure.message);
        else error.textContent = failure.message;
      }
    };
    const form = h('form', { novalidate: true, onsubmit: submit }, name.node, roles.node, error);
    view.show([form], [cancelButton(view), button('CREATE', submit, { primary: true })]);
  });
}

// ------------------------------------------------------------------ sign-in

function enterApp() {
  byId('sign-in').hidden = true;
  byId('view').hidden = false;
  byId('nav').hidden = false;
  byId('sign-out').hidden = false;
  byId('who').hidden = false;
  byId('who').textContent = session.email;
  byId('admin-nav').hidden = !session.roles.includes('System administrator');
  show('keys').then(() => byId('main').focus());
}

function init() {
  byId('sign-in-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = byId('sign-in-error');
    error.textContent = '';
    const email = byId('sign-in-email').value.trim();
    const password = byId('sign-in-password');
    try {
      startSession(email, await passwordGrant(email, password.value));
      password.value = '';
      enterApp();
    } catch (failure) {
      error.textContent = signInMessage(failure);
    }
  });
  byId('sign-out').addEventListener('click', signOut);
  for (const item of document.querySelectorAll('#nav button[data-view]')) {
    item.addEventListener('click', () => show(item.dataset.view));
  }
  byId('sign-in-email').focus();
}

init();
