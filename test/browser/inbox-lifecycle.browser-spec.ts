import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { createApproval, eventually, PRINCIPALS, startHost, type RunningHost } from '../support';
import { launchChromium, openTab, SCREENSHOTS_DIR } from './support/chromium';

declare const document: {
  readonly documentElement: { readonly scrollWidth: number; readonly clientWidth: number };
};

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** Opens the inbox of ws1 signed in with the approver's key. */
async function openInbox(page: Page, host: RunningHost): Promise<void> {
  await page.goto(`${host.url}/?workspace=ws1`);
  await page.getByLabel('API key').fill(PRINCIPALS.approver.key);
  await page.getByRole('button', { name: 'Use this key' }).click();
  await page.locator('#link[data-state="live"]').waitFor();
}

/** Resolves once `locator` reads exactly `text` (within 5 s: a live update, or a read). */
const shows = (locator: Locator, text: string) =>
  eventually(
    `“${text}”`,
    async () => {
      const t = (await locator.textContent())?.trim();
      if (t !== text) throw new Error(String(t));
      return true;
    },
    {
      timeoutMs: 5_000,
    },
  );

const card = (page: Page, action: string): Locator =>
  page
    .locator('li.approval')
    .filter({ has: page.getByRole('heading', { name: action, exact: true }) });

/** Deadlines, reminders and what the deadline did, as an approver sees them. */
describe('the inbox shows each approval’s lifecycle', () => {
  it('shows time left, turns a reminded approval overdue live, and an expired one with its deadline', async () => {
    const host = await startHost();
    await createApproval(host.url, 'ws1', {
      action: 'wire_money',
      requestedBy: 'billing-agent',
      expiresInMs: 2 * 3_600_000,
      onExpiry: 'reject',
    });
    const { page, problems } = await openTab(browser);
    await openInbox(page, host);
    await shows(
      card(page, 'wire_money').locator('.expires'),
      'in 2 hours, then rejected automatically',
    );
    expect(await card(page, 'wire_money').locator('.overdue').isHidden()).toBe(true);

    // Created while the page is open: the reminder and the deadline arrive live.
    await createApproval(host.url, 'ws1', {
      action: 'deploy',
      requestedBy: 'release-agent',
      remindAfterMs: 1_000,
      expiresInMs: 600_000,
    });
    await createApproval(host.url, 'ws1', {
      action: 'rotate_keys',
      requestedBy: 'ops-agent',
      expiresInMs: 1_500,
    });
    await shows(card(page, 'deploy').locator('.overdue'), 'Overdue');
    const expired = card(page, 'rotate_keys');
    await shows(expired.locator('.badge:not(.overdue)'), 'Expired');
    await shows(expired.locator('.deadline-label'), 'Deadline passed');
    expect(await expired.locator('.resolver').textContent()).toContain('system:expiry');
    expect(await expired.locator('.actions').isHidden()).toBe(true);
    expect(problems).toEqual([]);

    for (const [name, viewport] of [
      ['desktop-1280', { width: 1280, height: 900 }],
      ['phone-375', { width: 375, height: 812 }],
    ] as const) {
      const tab = await openTab(browser, viewport);
      await openInbox(tab.page, host);
      await card(tab.page, 'rotate_keys').waitFor();
      const overflow = await tab.page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect({ name, overflow }).toEqual({ name, overflow: 0 });
      await tab.page.screenshot({
        path: join(SCREENSHOTS_DIR, `inbox-lifecycle-${name}.png`),
        fullPage: true,
      });
    }
    console.log(`inbox lifecycle screenshots: ${SCREENSHOTS_DIR}`);
  });
});
