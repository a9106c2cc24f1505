import { ApprovalEventManager } from '@app/approval-events';
import { ApprovalEventCoverage } from '@app/approval-events/links/event-coverage';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import request from 'supertest';
import {
  approvalsPath,
  authAs,
  createApproval,
  decide,
  eventually,
  handled,
  PRINCIPALS,
  startHost,
  type TestPrincipalName,
  type RunningHost,
} from '../support';
import { launchChromium, openTab, SCREENSHOTS_DIR } from './support/chromium';

// The browser globals the in-page checks (`page.evaluate`) use. Declared here rather than
// by adding the DOM library, which would let server code use `window` without an error.
interface PageStorage {
  readonly length: number;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
interface PageElement {
  readonly id: string;
  readonly labels?: { readonly length: number } | null;
}
declare const window: Record<string, unknown>;
declare const sessionStorage: PageStorage;
declare const localStorage: PageStorage;
declare const location: { readonly href: string };
declare const document: {
  readonly documentElement: { readonly scrollWidth: number; readonly clientWidth: number };
  querySelectorAll(selector: string): Iterable<PageElement>;
};

const JWT_SECRET = 'browser-jwt-secret-0123456789abcdef01234567';
/** What the issue asks of a live update: on the page within a second of the decision. */
const LIVE_WITHIN_MS = 1_000;

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/**
 * Opens `/?workspace=…`, enters the API key of `as` (the approver by default) in the form the
 * page asks with, and waits until the page says its live link is up.
 */
async function openInbox(
  page: Page,
  host: RunningHost,
  workspace = 'ws1',
  as: TestPrincipalName = 'approver',
): Promise<void> {
  await page.goto(`${host.url}/?workspace=${workspace}`);
  await page.getByLabel('API key').fill(PRINCIPALS[as].key);
  await page.getByRole('button', { name: 'Use this key' }).click();
  await liveLink(page).waitFor();
}

const liveLink = (page: Page) => page.locator('#link[data-state="live"]');

/** The card of the approval whose action is exactly `action`. */
const card = (page: Page, action: string): Locator =>
  page
    .locator('li.approval')
    .filter({ has: page.getByRole('heading', { name: action, exact: true }) });

const badge = (page: Page, action: string, status: string): Locator =>
  card(page, action).locator('.badge').getByText(status, { exact: true });

/** Marks the loaded document; a reload or a navigation would lose the mark. */
const markDocument = (page: Page) => page.evaluate(() => (window.inboxMark = Math.random()));
const documentMark = (page: Page) => page.evaluate(() => window.inboxMark);

describe('the approver inbox in Chromium', () => {
  it('lists a pending approval with its action, payload, requester and age, all as text', async () => {
    const host = await startHost();
    await createApproval(host.url, 'ws1', {
      action: 'send_email',
      payload: { to: 'bob@example.com', note: '<img src=x onerror="window.pwned=1">' },
      requestedBy: 'agent-7',
    });
    await createApproval(host.url, 'ws1', { action: '<b>pay</b>', requestedBy: 'agent-8' });
    await createApproval(host.url, 'ws2', { action: 'other_tenant' });
    const { page, problems } = await openTab(browser);

    await openInbox(page, host);

    const email = card(page, 'send_email');
    await badge(page, 'send_email', 'Pending').waitFor();
    await expect(email.locator('.requester').textContent()).resolves.toBe('agent-7');
    await expect(email.locator('.age').textContent()).resolves.toBe('just now');
    await expect(email.locator('.payload').textContent()).resolves.toContain(
      '"to": "bob@example.com"',
    );
    // Newest first; markup in the data is shown, never run or parsed.
    await expect(page.locator('li.approval h3').allTextContents()).resolves.toEqual([
      '<b>pay</b>',
      'send_email',
    ]);
    await expect(page.locator('#approvals img, #approvals b').count()).resolves.toBe(0);
    await expect(page.evaluate(() => 'pwned' in window)).resolves.toBe(false);
    expect(problems).toEqual([]);
  });

  it('approves from the keyboard, which wakes a long-poll waiting on it, and shows approved', async () => {
    const host = await startHost();
    const approval = await createApproval(host.url, 'ws1', { action: 'send_email' });
    const manager = host.app.get(ApprovalEventManager);
    const longPoll = handled(
      request(host.url)
        .get(approvalsPath('ws1', approval.id, 'wait'))
        .set(authAs('agent'))
        .query({ timeoutMs: 20_000 })
        .then((response) => response.body as { status: string; resolvedBy?: string }),
    );
    await eventually('the long-poll waiting', () => manager.pendingCount === 1);
    const { page, problems } = await openTab(browser);
    await openInbox(page, host);

    await page.getByRole('button', { name: 'Approve send_email' }).focus();
    const clicked = Date.now();
    // Nothing typed: the decision is recorded as the principal whose key the tab holds.
    await page.keyboard.press('Enter');

    await expect(longPoll).resolves.toMatchObject({ status: 'approved', resolvedBy: 'alice' });
    expect(Date.now() - clicked).toBeLessThan(LIVE_WITHIN_MS);
    await badge(page, 'send_email', 'Approved').waitFor({ timeout: LIVE_WITHIN_MS });
    await expect(card(page, 'send_email').locator('.resolver').textContent()).resolves.toMatch(
      /^alice, /,
    );
    await expect(page.locator('#identity').isVisible()).resolves.toBe(true);
    expect(manager.pendingCount).toBe(0);
    expect(problems).toEqual([]);
  });

  it('shows an approval created over REST without a reload', async () => {
    const host = await startHost();
    const { page, problems } = await openTab(browser);
    await openInbox(page, host);
    await page.getByText('No approvals in ws1.').waitFor();
    const before = await markDocument(page);

    await createApproval(host.url, 'ws1', { action: 'deploy', requestedBy: 'ci-agent' });
    await createApproval(host.url, 'ws2', { action: 'not_mine' });

    await badge(page, 'deploy', 'Pending').waitFor({ timeout: LIVE_WITHIN_MS });
    // The requesting principal, and the label its body gave (as requestedBy, once a name).
    await expect(card(page, 'deploy').locator('.requester').textContent()).resolves.toBe(
      'agent-7 for ci-agent',
    );
    await expect(card(page, 'not_mine').count()).resolves.toBe(0);
    await expect(documentMark(page)).resolves.toBe(before);
    expect(problems).toEqual([]);
  });

  it('updates when another client decides over REST', async () => {
    const host = await startHost();
    const approval = await createApproval(host.url, 'ws1', { action: 'wire_money' });
    const { page, problems } = await openTab(browser);
    await openInbox(page, host);
    await badge(page, 'wire_money', 'Pending').waitFor();
    const before = await markDocument(page);

    await decide(host.url, 'ws1', approval.id, 'reject', {
      resolvedBy: 'carol',
      reason: 'Wrong account',
    });

    await badge(page, 'wire_money', 'Rejected').waitFor({ timeout: LIVE_WITHIN_MS });
    const decided = card(page, 'wire_money');
    await expect(decided.locator('.resolver').textContent()).resolves.toMatch(/^carol, /);
    await expect(decided.locator('.reason').textContent()).resolves.toBe('Wrong account');
    await expect(decided.locator('.actions').isHidden()).resolves.toBe(true);
    await expect(documentMark(page)).resolves.toBe(before);
    expect(problems).toEqual([]);
  });

  it('asks for the API key, says clearly when it is wrong, and keeps it for the tab only', async () => {
    const host = await startHost({ env: { APPROVAL_EVENTS_JWT_SECRET: JWT_SECRET } });
    const key = PRINCIPALS.approver.key;
    await createApproval(host.url, 'ws1', { action: 'send_email' });
    const { page } = await openTab(browser);
    await page.goto(`${host.url}/?workspace=ws1`);

    await page.getByText('This server needs an API key to show approvals.').first().waitFor();
    await page.getByLabel('API key').fill('not-the-key-0123456789');
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page
      .getByRole('alert')
      .getByText(/refused that API key \(401 Unauthorized\)/)
      .waitFor();
    await expect(page.getByLabel('API key').isVisible()).resolves.toBe(true);
    await expect(card(page, 'send_email').count()).resolves.toBe(0);

    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await badge(page, 'send_email', 'Pending').waitFor();
    await liveLink(page).waitFor();
    await expect(page.getByLabel('API key').isVisible()).resolves.toBe(false);
    const stored = await page.evaluate(() => ({
      session: sessionStorage.getItem('approvals-inbox.api-key'),
      local: localStorage.length,
      url: location.href,
    }));
    expect(stored).toEqual({ session: key, local: 0, url: `${host.url}/?workspace=ws1` });
  });

  it('shows who decided first when a decision loses the race (409)', async () => {
    const host = await startHost();
    const approval = await createApproval(host.url, 'ws1', { action: 'send_email' });
    const { page } = await openTab(browser);
    await openInbox(page, host);
    // Bob's decision lands while Alice's request is on its way.
    await page.route('**/approve', async (route) => {
      await decide(host.url, 'ws1', approval.id, 'approve', { resolvedBy: 'bob' });
      await route.continue();
    });

    await page.getByRole('button', { name: 'Approve send_email' }).click();

    await page
      .getByRole('alert')
      .getByText(/^Not recorded: “send_email” was already approved by bob/)
      .waitFor();
    await badge(page, 'send_email', 'Approved').waitFor();
  });

  it('rejects with a reason and cancels, from its own dialogs', async () => {
    const host = await startHost();
    const first = await createApproval(host.url, 'ws1', { action: 'first' });
    const second = await createApproval(host.url, 'ws1', { action: 'second' });
    const { page, problems } = await openTab(browser);
    // An admin: it may reject and cancel (an approver may not cancel, an agent not reject).
    await openInbox(page, host, 'ws1', 'admin');

    await page.getByRole('button', { name: 'Reject first' }).click();
    await page.getByLabel('Reason for rejecting').fill('Not today');
    await page.getByRole('button', { name: 'Reject', exact: true }).click();
    await badge(page, 'first', 'Rejected').waitFor();

    await page.getByRole('button', { name: 'Cancel second' }).click();
    await page.getByRole('button', { name: 'Back' }).click();
    await expect(badge(page, 'second', 'Pending').count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'Cancel second' }).click();
    await page.getByRole('button', { name: 'Cancel approval' }).click();
    await badge(page, 'second', 'Cancelled').waitFor();

    const read = (id: string) =>
      request(host.url)
        .get(approvalsPath('ws1', id))
        .set(authAs('agent'))
        .then((response) => response.body);
    await expect(read(first.id)).resolves.toMatchObject({
      status: 'rejected',
      resolvedBy: PRINCIPALS.admin.id,
      resolution: { reason: 'Not today' },
    });
    await expect(read(second.id)).resolves.toMatchObject({
      status: 'cancelled',
      resolvedBy: PRINCIPALS.admin.id,
    });
    expect(problems).toEqual([]);
  });

  it('keeps the workspace and the status filter in the address, so the link can be shared', async () => {
    const host = await startHost();
    const decided = await createApproval(host.url, 'ws1', { action: 'old_one' });
    await decide(host.url, 'ws1', decided.id, 'approve');
    await createApproval(host.url, 'ws1', { action: 'open_one' });
    await createApproval(host.url, 'ws2', { action: 'elsewhere' });
    const { page, problems } = await openTab(browser);
    await openInbox(page, host);

    await page.getByLabel('Status').selectOption('pending');
    await badge(page, 'open_one', 'Pending').waitFor();
    await expect(card(page, 'old_one').count()).resolves.toBe(0);
    expect(new URL(page.url()).search).toBe('?workspace=ws1&status=pending');

    // The key stays with the tab: a reload needs no new sign-in.
    await page.reload();
    await badge(page, 'open_one', 'Pending').waitFor();
    await expect(page.getByLabel('Status').inputValue()).resolves.toBe('pending');

    await page.getByLabel('Workspace').fill('ws2');
    await page.getByLabel('Status').selectOption('');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await badge(page, 'elsewhere', 'Pending').waitFor();
    expect(new URL(page.url()).search).toBe('?workspace=ws2');
    await expect(card(page, 'open_one').count()).resolves.toBe(0);
    expect(problems).toEqual([]);
  });

  it('says when it lost its live connection, and catches up when it is back', async () => {
    const host = await startHost();
    const approval = await createApproval(host.url, 'ws1', { action: 'send_email' });
    const coverage = host.app.get(ApprovalEventCoverage);
    const { page, problems } = await openTab(browser);
    await openInbox(page, host);

    // The host's own bus goes down: its gateway drops every client, which must not trust it.
    coverage.setLinkState('browser-test', false);
    await page
      .locator('#link[data-state="lost"]')
      .getByText(/catching up/)
      .waitFor();
    await decide(host.url, 'ws1', approval.id, 'approve', { resolvedBy: 'bob' });
    coverage.setLinkState('browser-test', true);

    await liveLink(page).waitFor({ timeout: 15_000 });
    await badge(page, 'send_email', 'Approved').waitFor({ timeout: LIVE_WITHIN_MS });
    expect(problems.filter((problem) => !/WebSocket/.test(problem))).toEqual([]);
  });

  it('is readable at desktop and phone width, with a label on every control', async () => {
    const host = await startHost();
    const payload = { to: 'bob@example.com', subject: 'Quarterly report', attachments: 3 };
    const done = await createApproval(host.url, 'ws1', {
      action: 'archive_inbox',
      requestedBy: 'janitor',
    });
    await decide(host.url, 'ws1', done.id, 'reject', { resolvedBy: 'alice', reason: 'Keep it' });
    await createApproval(host.url, 'ws1', {
      action: 'pay_invoice',
      payload: { amount: 1200, currency: 'EUR' },
      requestedBy: 'billing-agent',
    });
    await createApproval(host.url, 'ws1', {
      action: 'send_email',
      payload,
      requestedBy: 'agent-7',
    });

    for (const [name, viewport] of [
      ['desktop-1280', { width: 1280, height: 900 }],
      ['phone-375', { width: 375, height: 812 }],
    ] as const) {
      const { page, problems } = await openTab(browser, viewport);
      await openInbox(page, host);
      await badge(page, 'archive_inbox', 'Rejected').waitFor();
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect({ name, overflow }).toEqual({ name, overflow: 0 });
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll('input, select')]
          .filter((control) => control.labels?.length === 0)
          .map((control) => control.id),
      );
      expect(unlabelled).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS_DIR, `inbox-${name}.png`), fullPage: true });
      expect(problems).toEqual([]);
    }
    console.log(`inbox screenshots: ${SCREENSHOTS_DIR}`);
  });
});
