import { accessSync, constants, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { track } from '../../support';

/**
 * The Chromium the suite drives: Debian's package by default (`apt-get install chromium`),
 * never a browser playwright downloads. scripts/test.js checks the same path before it runs
 * the suite.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where the screenshots go: `INBOX_SCREENSHOTS_DIR`, or a fresh temporary folder. */
export const SCREENSHOTS_DIR =
  process.env.INBOX_SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'inbox-screenshots-'));

/** Launches headless Chromium once per suite; close it in `afterAll`. */
export function launchChromium(): Promise<Browser> {
  accessSync(CHROMIUM_PATH, constants.X_OK);
  // --no-sandbox: the suites run as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
}

export interface InboxTab {
  page: Page;
  context: BrowserContext;
  /** Console errors, failed requests and uncaught exceptions of the page (CSP violations included). */
  problems: string[];
}

/**
 * A fresh browser context (its own sessionStorage, as a new tab of a new person) with one
 * page, closed after the test. Everything the page reports as an error is collected, so a
 * test can assert that the page ran clean.
 */
export async function openTab(
  browser: Browser,
  viewport = { width: 1280, height: 800 },
): Promise<InboxTab> {
  const context = await browser.newContext({ viewport });
  // Well inside the test's own timeout, so a failure names the step that waited in vain.
  context.setDefaultTimeout(8_000);
  track('browser context', () => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  return { page, context, problems };
}
