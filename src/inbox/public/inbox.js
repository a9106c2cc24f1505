// The approver inbox. Plain browser JavaScript, no build step: REST for the truth, the
// /approvals Socket.io namespace for hints that something changed. Every value from the
// server reaches the page through textContent, never as markup.
import { io } from '/inbox/socket.io.esm.min.js';

const API = '/api';
const STORAGE = { apiKey: 'approvals-inbox.api-key' };
/** The host's own rule for workspace and approval ids (src/approvals/approvals.constants.ts). */
const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
const STATUSES = new Set([
  'pending',
  'approved',
  'rejected',
  'auto_approved',
  'cancelled',
  'expired',
]);
const STATUS_LABELS = {
  pending: 'Pending',
  approved: 'Approved',
  rejected: 'Rejected',
  auto_approved: 'Auto-approved',
  cancelled: 'Cancelled',
  expired: 'Expired',
};
/** What each `onExpiry` makes of a pending approval at its deadline, as the page says it. */
const EXPIRY_OUTCOME_LABELS = {
  expire: 'expires',
  reject: 'rejected automatically',
  approve: 'approved automatically',
};
const VERB_DONE = { approve: 'Approved', reject: 'Rejected', cancel: 'Cancelled' };
/** The REST API's page limit: the newest 100 are what one inbox view shows. */
const LIST_LIMIT = 100;
/** Live additions grow the view; past this many, the oldest leave it (the API still has them). */
const MAX_SHOWN = 500;
/** A scoped token lives this long and is renewed this long before it ends. */
const TOKEN_TTL_SECONDS = 900;
const RENEW_BEFORE_MS = 120_000;
/** While the live link is down the list is re-read this often, so the page never goes stale. */
const CATCH_UP_INTERVAL_MS = 5_000;
/** Hints arriving together are read together; past this many, one list read is cheaper. */
const HINT_BATCH_MS = 25;
const MAX_SINGLE_READS = 10;
const ACK_TIMEOUT_MS = 5_000;

/**
 * Characters that change how the text around them reads without being seen: bidi controls
 * (a U+202E can make "exe.pdf" read as "fdp.exe"), C1 controls and the Unicode line
 * separators. The API refuses them in names and reasons but keeps them in a payload, so
 * every requester-controlled text is shown through `visible`, which writes each as its
 * escape (`\u202E`) instead.
 */
const INVISIBLE = /[\u0080-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;
const visible = (text) =>
  String(text).replace(
    INVISIBLE,
    (character) => `\\u${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  );

const $ = (id) => document.getElementById(id);
const view = {
  link: $('link'),
  keyForm: $('key-form'),
  keyReason: $('key-reason'),
  keyInput: $('key-input'),
  workspaceForm: $('workspace-form'),
  workspaceInput: $('workspace-input'),
  statusFilter: $('status-filter'),
  identity: $('identity'),
  message: $('message'),
  alert: $('alert'),
  empty: $('empty'),
  list: $('approvals'),
  template: $('approval-template'),
  ask: $('ask'),
};

/** Thrown for every non-2xx answer; `body` is the parsed JSON (Nest's error body or a 409's approval). */
class HttpError extends Error {
  constructor(status, body) {
    super(describeError(status, body));
    this.status = status;
    this.body = body;
  }
}

/** The open workspace: its approvals, its live link and its timers. Replaced on every switch. */
let session;

// ---------------------------------------------------------------- REST

async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const apiKey = sessionStorage.getItem(STORAGE.apiKey);
  if (apiKey) headers['x-api-key'] = apiKey;
  const response = await fetch(API + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  const parsed = await response.json().catch(() => undefined);
  if (response.status === 401) askForKey(apiKey !== null);
  if (!response.ok) throw new HttpError(response.status, parsed);
  return parsed;
}

const workspacePath = (workspace) => `/workspaces/${encodeURIComponent(workspace)}`;
const approvalPath = (workspace, id) =>
  `${workspacePath(workspace)}/approvals/${encodeURIComponent(id)}`;

function describeError(status, body) {
  const detail = Array.isArray(body?.message) ? body.message.join('; ') : body?.message;
  if (status === 401) return 'The server refused the API key (401 Unauthorized).';
  // The message names the role needed, or says the requester cannot decide its own approval.
  if (status === 403) return `Not allowed: ${detail ?? 'this key may not do that'} (403).`;
  if (status === 429) return 'Too many requests; wait a moment and try again.';
  if (status === 503) return `The server is unavailable${detail ? `: ${detail}` : ''}. Retrying.`;
  return detail ? `${detail} (${status})` : `The server answered ${status}.`;
}

// ---------------------------------------------------------------- approvals in view

/** A decided approval never goes back to pending: an older read arriving late is ignored. */
function merge(approval) {
  if (!isApproval(approval) || approval.workspaceId !== session.workspace) return;
  const known = session.approvals.get(approval.id);
  if (known && known.status !== 'pending' && approval.status === 'pending') return;
  // A new approval that the chosen filter hides stays hidden; a shown one that changes
  // status stays shown with its new status until the list is read again.
  if (!known && session.status && approval.status !== session.status) return;
  session.approvals.set(approval.id, approval);
}

function isApproval(value) {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof value.id === 'string' &&
    ID_PATTERN.test(value.id) &&
    typeof value.action === 'string' &&
    STATUSES.has(value.status) &&
    !Number.isNaN(Date.parse(value.createdAt))
  );
}

async function readList(current) {
  const query = new URLSearchParams({ limit: String(LIST_LIMIT) });
  if (current.status) query.set('status', current.status);
  const approvals = await api(`${workspacePath(current.workspace)}/approvals?${query}`);
  if (current !== session) return;
  current.listed = true;
  for (const approval of approvals) merge(approval);
  render();
}

async function readOne(current, id) {
  try {
    const approval = await api(approvalPath(current.workspace, id));
    if (current !== session) return;
    merge(approval);
    render();
  } catch (error) {
    if (current === session && error.status !== 404) report(error);
  }
}

/** Events are hints: each names an approval to read again from the API, which is the truth. */
function hint(current, workspaceId, id) {
  if (current !== session || workspaceId !== current.workspace || !ID_PATTERN.test(id ?? '')) {
    return;
  }
  current.hinted.add(id);
  current.hintTimer ??= setTimeout(() => {
    const ids = [...current.hinted];
    current.hinted.clear();
    current.hintTimer = undefined;
    if (ids.length > MAX_SINGLE_READS) void catchUp(current);
    else for (const one of ids) void readOne(current, one);
  }, HINT_BATCH_MS);
}

async function catchUp(current) {
  try {
    await readList(current);
  } catch (error) {
    if (current === session) report(error);
  }
}

// ---------------------------------------------------------------- live link

/**
 * One Socket.io connection per open workspace, authenticated by a subscriber token scoped to
 * that workspace. Socket.io reconnects a dropped transport by itself and asks `auth` for
 * credentials each time; a refused handshake (expired token, rate limit) it leaves to us.
 */
function connectLive(current) {
  const socket = io(`${location.origin}/approvals`, {
    auth: (answer) => {
      freshToken(current).then(
        (token) => {
          current.tokenProblem = undefined;
          answer({ token });
        },
        (error) => {
          // Refused at the handshake as `unauthorized`; connect_error then says why.
          current.tokenProblem = error.message;
          answer({ token: '' });
        },
      );
    },
    reconnectionDelayMax: 10_000,
  });
  current.socket = socket;
  setLink(current, 'connecting');

  socket.on('connect', async () => {
    const ack = await socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('subscribe', { workspaceId: current.workspace })
      .catch(() => undefined);
    if (current !== session || !socket.connected) return;
    if (!ack?.ok) {
      setLink(current, 'unavailable', `subscribe refused (${ack?.error ?? 'no answer'})`);
      socket.disconnect();
      startCatchingUp(current);
      retryLater(current);
      return;
    }
    current.refusals = 0;
    setLink(current, 'live');
    stopCatchingUp(current);
    scheduleRenewal(current);
    // Subscribed first, read second: nothing decided in between can be missed.
    void catchUp(current);
  });
  socket.on('disconnect', (reason) => {
    if (current !== session || reason === 'io client disconnect') return;
    setLink(current, 'lost');
    startCatchingUp(current);
    // The server ended this socket (an expired token): Socket.io will not retry on its own.
    if (reason === 'io server disconnect') retryLater(current);
  });
  socket.on('connect_error', (error) => {
    if (current !== session) return;
    // A refused token (expired, or signed with a secret since rotated) is not offered again.
    if (error.message === 'unauthorized') current.token = undefined;
    if (current.keyNeeded) return; // askForKey has said why; the key form restarts the link.
    if (current.tokenProblem) setLink(current, 'unavailable', current.tokenProblem);
    else setLink(current, current.listed ? 'lost' : 'connecting', error.message);
    startCatchingUp(current);
    if (!socket.active) retryLater(current);
  });
  socket.on('approval:requested', (approval) => hint(current, approval?.workspaceId, approval?.id));
  socket.on('approval:resolved', (result) =>
    hint(current, result?.workspaceId, result?.approvalId),
  );
  // Past its reminder: re-read it, and the read's remindedAt shows it as overdue.
  socket.on('approval:reminder', (approval) => hint(current, approval?.workspaceId, approval?.id));
}

/** The cached token while it has time left, else a new one from the API. */
async function freshToken(current) {
  if (current.token && current.token.expiresAt - Date.now() > RENEW_BEFORE_MS) {
    return current.token.value;
  }
  const issued = await api(`${workspacePath(current.workspace)}/event-tokens`, {
    method: 'POST',
    body: { ttlSeconds: TOKEN_TTL_SECONDS },
  });
  current.token = { value: issued.token, expiresAt: Date.parse(issued.expiresAt) };
  return issued.token;
}

/** Before the token ends, fetch the next one, then reconnect with it: a gap of one handshake. */
function scheduleRenewal(current) {
  clearTimeout(current.renewTimer);
  const due = current.token ? current.token.expiresAt - RENEW_BEFORE_MS - Date.now() : 0;
  current.renewTimer = setTimeout(
    async () => {
      current.token = undefined;
      try {
        await freshToken(current);
      } catch {
        return; // The link stays up until the server ends it; reconnecting then fetches again.
      }
      if (current === session) current.socket.disconnect().connect();
    },
    Math.max(due, 1_000),
  );
}

/** A refused handshake is retried with a growing, jittered delay (at most 30 s). */
function retryLater(current) {
  current.refusals = (current.refusals ?? 0) + 1;
  const delay = Math.min(30_000, 1_000 * 2 ** Math.min(current.refusals - 1, 5));
  clearTimeout(current.retryTimer);
  current.retryTimer = setTimeout(
    () => {
      if (current === session && !current.socket.connected && !current.keyNeeded) {
        current.socket.connect();
      }
    },
    delay / 2 + Math.random() * (delay / 2),
  );
}

function startCatchingUp(current) {
  if (current.keyNeeded) return;
  current.catchUpTimer ??= setInterval(() => void catchUp(current), CATCH_UP_INTERVAL_MS);
}

function stopCatchingUp(current) {
  clearInterval(current.catchUpTimer);
  current.catchUpTimer = undefined;
}

function setLink(current, state, detail) {
  current.linkState = state;
  const texts = {
    off: 'Not connected',
    connecting: 'Connecting to live updates…',
    live: 'Live: updates appear as they happen',
    lost: 'Live connection lost: catching up and reconnecting…',
    unavailable: 'Live updates unavailable: refreshing every few seconds',
  };
  view.link.dataset.state = state;
  view.link.textContent = detail && state !== 'live' ? `${texts[state]} (${detail})` : texts[state];
}

// ---------------------------------------------------------------- workspace

function openWorkspace(workspace, status, { push = false } = {}) {
  closeSession();
  session = {
    workspace,
    status,
    approvals: new Map(),
    hinted: new Set(),
    listed: false,
  };
  view.workspaceInput.value = workspace;
  view.statusFilter.value = status;
  const query = new URLSearchParams({ workspace });
  if (status) query.set('status', status);
  history[push ? 'pushState' : 'replaceState'](null, '', `/?${query}`);
  document.title = `${workspace}: Approvals inbox`;
  view.list.replaceChildren();
  say('');
  render();
  // Every API route needs a credential: without one, ask for it rather than collect 401s.
  if (!sessionStorage.getItem(STORAGE.apiKey)) {
    askForKey(false);
    return;
  }
  const current = session;
  readList(current).catch((error) => current === session && report(error));
  connectLive(current);
}

function closeSession() {
  if (!session) return;
  session.socket?.close();
  clearTimeout(session.hintTimer);
  clearTimeout(session.renewTimer);
  clearTimeout(session.retryTimer);
  stopCatchingUp(session);
  session = undefined;
}

function openFromAddress() {
  const query = new URLSearchParams(location.search);
  const workspace = query.get('workspace') ?? '';
  const status = STATUSES.has(query.get('status')) ? query.get('status') : '';
  view.statusFilter.value = status;
  if (ID_PATTERN.test(workspace)) {
    openWorkspace(workspace, status);
  } else {
    closeSession();
    view.workspaceInput.value = workspace;
    if (workspace)
      say('That workspace name is not valid: use letters, digits and _ . : -', 'alert');
    view.workspaceInput.focus();
  }
}

// ---------------------------------------------------------------- rendering

const nodes = new Map();
const relativeTime = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

function render() {
  if (!session) {
    view.empty.textContent = 'Choose a workspace to see its approvals.';
    view.empty.hidden = false;
    return;
  }
  const approvals = [...session.approvals.values()].sort(
    (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id.localeCompare(a.id),
  );
  for (const old of approvals.splice(MAX_SHOWN)) session.approvals.delete(old.id);
  for (const [id, node] of nodes) {
    if (!session.approvals.has(id)) {
      node.remove();
      nodes.delete(id);
    }
  }
  // Nodes are kept and moved only when out of place, so focus stays on the button in use.
  approvals.forEach((approval, index) => {
    let node = nodes.get(approval.id);
    if (!node) {
      node = view.template.content.firstElementChild.cloneNode(true);
      node.dataset.id = approval.id;
      nodes.set(approval.id, node);
    }
    fill(node, approval);
    if (view.list.children[index] !== node)
      view.list.insertBefore(node, view.list.children[index] ?? null);
  });
  const filter = session.status ? `${STATUS_LABELS[session.status].toLowerCase()} ` : '';
  view.empty.textContent = session.listed
    ? `No ${filter}approvals in ${session.workspace}.`
    : session.keyNeeded
      ? `Enter the API key to see the approvals of ${session.workspace}.`
      : `Loading ${session.workspace}…`;
  view.empty.hidden = approvals.length > 0;
}

function fill(node, approval) {
  const pending = approval.status === 'pending';
  node.dataset.status = approval.status;
  node.querySelector('.action').textContent = visible(approval.action);
  node.querySelector('.badge').textContent = STATUS_LABELS[approval.status];
  const requester = visible(approval.requestedBy ?? 'unknown');
  node.querySelector('.requester').textContent =
    typeof approval.requestedFor === 'string'
      ? `${requester} for ${visible(approval.requestedFor)}`
      : requester;
  const age = node.querySelector('.age');
  age.dateTime = approval.createdAt;
  age.title = new Date(approval.createdAt).toLocaleString();
  age.textContent = ageOf(approval.createdAt);
  fillDeadline(node, approval);
  const decided = node.querySelector('.decided');
  decided.hidden = pending;
  node.querySelector('.resolver').textContent = pending
    ? ''
    : `${visible(approval.resolvedBy ?? 'unknown')}${approval.resolvedAt ? `, ${ageOf(approval.resolvedAt)}` : ''}`;
  const reason = approval.resolution?.reason ?? approval.resolution?.notes;
  node.querySelector('.why').hidden = typeof reason !== 'string';
  node.querySelector('.reason').textContent = typeof reason === 'string' ? visible(reason) : '';
  const payload = node.querySelector('.payload');
  payload.hidden = approval.payload === undefined;
  payload.textContent =
    approval.payload === undefined ? '' : visible(JSON.stringify(approval.payload, null, 2));
  payload.setAttribute('aria-label', `Payload of ${visible(approval.action)}`);
  const actions = node.querySelector('.actions');
  if (!pending && actions.contains(document.activeElement)) node.querySelector('.action').focus();
  actions.hidden = !pending;
  for (const button of actions.querySelectorAll('button')) {
    button.setAttribute(
      'aria-label',
      `${button.textContent.replace('…', '')} ${visible(approval.action)}`,
    );
  }
}

/**
 * The approval's deadline: time left while pending ("in 5 minutes"), when it passed once it
 * ended that way ("Expired 3 minutes ago"), and "Overdue" once its reminder went out.
 */
function fillDeadline(node, approval) {
  const pending = approval.status === 'pending';
  const expiresAt = Date.parse(approval.expiresAt);
  const byDeadline = approval.resolution?.cause === 'expired';
  const deadline = node.querySelector('.deadline');
  deadline.hidden = Number.isNaN(expiresAt) || (!pending && !byDeadline);
  const time = node.querySelector('.expires');
  const label = node.querySelector('.deadline-label');
  if (deadline.hidden) {
    time.textContent = '';
  } else {
    time.dateTime = approval.expiresAt;
    time.title = new Date(expiresAt).toLocaleString();
    time.textContent = pending
      ? `${ageOf(approval.expiresAt)}, then ${EXPIRY_OUTCOME_LABELS[approval.onExpiry] ?? 'expired'}`
      : ageOf(approval.expiresAt);
    label.textContent = pending ? 'Deadline' : 'Deadline passed';
  }
  const overdue = pending && typeof approval.remindedAt === 'string';
  node.querySelector('.overdue').hidden = !overdue;
  if (overdue) node.dataset.overdue = '';
  else delete node.dataset.overdue;
}

function ageOf(iso) {
  const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
  const units = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relativeTime.format(Math.round(seconds / size), unit);
  }
  return Math.abs(seconds) < 10 ? 'just now' : relativeTime.format(seconds, 'second');
}

/** A failed request, said once: a 401 has already brought up the API key form, which says it. */
function report(error) {
  if (error.status !== 401) say(error.message, 'alert');
}

function say(text, kind = 'status') {
  view.message.textContent = kind === 'status' ? text : '';
  view.alert.textContent = kind === 'alert' ? text : '';
}

// ---------------------------------------------------------------- decisions

async function decide(id, verb) {
  const current = session;
  const approval = current?.approvals.get(id);
  if (!approval || approval.status !== 'pending') return;
  // No resolvedBy: the server records whoever the API key belongs to.
  const body = {};
  if (verb !== 'approve') {
    const reason = await ask({
      title: `${verb === 'reject' ? 'Reject' : 'Cancel'} “${visible(approval.action)}”?`,
      label: verb === 'reject' ? 'Reason for rejecting' : 'Reason for cancelling (optional)',
      submit: verb === 'reject' ? 'Reject' : 'Cancel approval',
      required: verb === 'reject',
      maxLength: 500,
    });
    if (reason === null) return;
    if (reason) body.reason = reason;
  }
  const node = nodes.get(id);
  node?.querySelectorAll('.actions button').forEach((button) => (button.disabled = true));
  try {
    const decided = await api(`${approvalPath(current.workspace, id)}/${verb}`, {
      method: 'POST',
      body,
    });
    if (current !== session) return;
    merge(decided);
    render();
    say(`${VERB_DONE[verb]} “${visible(approval.action)}”.`);
  } catch (error) {
    if (current !== session) return;
    if (error.status === 409 && isApproval(error.body)) {
      merge(error.body);
      render();
      const first = error.body;
      say(
        `Not recorded: “${visible(first.action)}” was already ${STATUS_LABELS[first.status].toLowerCase()} by ${visible(first.resolvedBy ?? 'someone else')}${first.resolvedAt ? ` ${ageOf(first.resolvedAt)}` : ''}.`,
        'alert',
      );
    } else {
      report(error);
    }
  } finally {
    node?.querySelectorAll('.actions button').forEach((button) => (button.disabled = false));
  }
}

/** Says a key is in use, with a way to enter another (an approver's, say, in an agent's place). */
function showIdentity() {
  view.identity.hidden = !sessionStorage.getItem(STORAGE.apiKey);
}

/** A modal question; resolves with the trimmed answer, or null when dismissed. */
function ask({ title, label, submit, required = false, maxLength = 500, value = '' }) {
  const input = view.ask.querySelector('input');
  view.ask.querySelector('#ask-title').textContent = title;
  view.ask.querySelector('#ask-label').textContent = label;
  view.ask.querySelector('#ask-submit').textContent = submit;
  input.value = value;
  input.required = required;
  input.maxLength = maxLength;
  view.ask.returnValue = '';
  const opener = document.activeElement;
  view.ask.showModal();
  return new Promise((resolve) => {
    view.ask.addEventListener(
      'close',
      () => {
        opener?.focus?.();
        // Control characters are refused by the API; strip them rather than fail.
        const answer = input.value.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim();
        resolve(view.ask.returnValue === 'ok' ? answer : null);
      },
      { once: true },
    );
  });
}

// ---------------------------------------------------------------- API key

/**
 * Shows the key form: after a 401 (`wrong` when a key was sent), or to `replace` the key in
 * use, which then stays in use until another is entered.
 */
function askForKey(wrong, { replace = false } = {}) {
  if (replace) {
    view.keyReason.textContent = 'Enter the API key to use instead (an approver’s, to decide).';
    view.keyForm.hidden = false;
    view.keyInput.focus();
    return;
  }
  if (session) {
    // Nothing more is asked of the server until there is a key: every answer would be 401.
    session.keyNeeded = true;
    stopCatchingUp(session);
    setLink(session, 'off', 'waiting for the API key');
    render();
  }
  // A request sent without a key, answering after one sent with the wrong key, adds nothing.
  if (!wrong && !view.keyForm.hidden) return;
  sessionStorage.removeItem(STORAGE.apiKey);
  showIdentity();
  view.keyReason.textContent = wrong
    ? 'The server refused that API key (401 Unauthorized). Check the key and enter it again.'
    : 'This server needs an API key to show approvals.';
  view.keyForm.hidden = false;
  say('');
  if (!view.ask.open) view.keyInput.focus();
}

// ---------------------------------------------------------------- wiring

view.keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const key = view.keyInput.value.trim();
  if (!key) return;
  sessionStorage.setItem(STORAGE.apiKey, key);
  showIdentity();
  view.keyInput.value = '';
  view.keyForm.hidden = true;
  say('');
  if (session) openWorkspace(session.workspace, session.status);
  else view.workspaceInput.focus();
});

view.workspaceForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const workspace = view.workspaceInput.value.trim();
  if (!ID_PATTERN.test(workspace)) {
    say('That workspace name is not valid: use letters, digits and _ . : -', 'alert');
    view.workspaceInput.focus();
    return;
  }
  openWorkspace(workspace, view.statusFilter.value, { push: true });
});

// A new filter applies to the workspace in the box, as Open would: what was typed is kept.
view.statusFilter.addEventListener('change', () => {
  if (session || view.workspaceInput.value) view.workspaceForm.requestSubmit();
});

view.list.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-verb]');
  const id = button?.closest('li')?.dataset.id;
  if (id) void decide(id, button.dataset.verb);
});

$('identity-change').addEventListener('click', () => askForKey(false, { replace: true }));
$('ask-dismiss').addEventListener('click', () => view.ask.close(''));
$('ask-submit').value = 'ok';
window.addEventListener('popstate', openFromAddress);
setInterval(() => session && render(), 30_000);

showIdentity();
openFromAddress();
