import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { createApproval, PRINCIPALS, startHost } from '../support';
import { launchChromium, openTab, SCREENSHOTS_DIR } from './support/chromium';

/**
 * What a hostile requester's text looks like on the approver's screen, and the OpenAPI
 * page under its Content-Security-Policy, in a real browser.
 */

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** The characters that make text read otherwise than stored (SECURITY.md, "Strings"). */
const READS_OTHERWISE = /[\u0080-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

it('the inbox shows a payload’s bidi controls as escapes, so it reads as stored', async () => {
  const host = await startHost();
  await createApproval(host.url, 'ws1', {
    action: 'send_invoice',
    requestedBy: 'agent-7',
    payload: {
      attachment: 'invoice_\u202Efdp.exe',
      note: 'pay \u2066now\u2069 \u200Fplease\u0085',
    },
  });
  const { page, problems } = await openTab(browser);
  await page.goto(`${host.url}/?workspace=ws1`);
  await page.getByLabel('API key').fill(PRINCIPALS.approver.key);
  await page.getByRole('button', { name: 'Use this key' }).click();
  const payload = page.locator('.approval .payload');
  await payload.waitFor();
  const shown = await payload.textContent();
  expect(shown).toContain('"invoice_\\u202Efdp.exe"');
  expect(shown).toContain('"pay \\u2066now\\u2069 \\u200Fplease\\u0085"');
  expect(shown).not.toMatch(READS_OTHERWISE);
  expect(await page.locator('.approval').innerText()).not.toMatch(READS_OTHERWISE);
  await page.screenshot({ path: join(SCREENSHOTS_DIR, 'inbox-bidi-payload.png'), fullPage: true });
  expect(problems).toEqual([]);
});

it('/docs renders swagger-ui under its policy, with nothing refused', async () => {
  const host = await startHost();
  const { page, problems } = await openTab(browser);
  await page.goto(`${host.url}/docs`);
  await page.locator('.opblock').first().waitFor();
  expect(await page.locator('.opblock').count()).toBeGreaterThanOrEqual(7);
  await page.screenshot({ path: join(SCREENSHOTS_DIR, 'docs.png') });
  // A script, style or fetch the policy refused would be a console error here.
  expect(problems).toEqual([]);
});
