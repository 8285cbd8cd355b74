import { chromium, type Browser as PlaywrightBrowser } from '@playwright/test';
import type { Browser as PuppeteerBrowser } from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../tools/chromium.mjs';
import { PlaywrightSession, PlaywrightTab } from './playwright.js';
import { PuppeteerSession, launchFirefox } from './puppeteer.js';
import type { BrowserSession, Engine, SessionOptions, Tab } from './types.js';
import { WebDriverSession, WebKitBrowser, startXvfb } from './webdriver.js';

export { PlaywrightSession, PlaywrightTab } from './playwright.js';
export type { BrowserSession, Engine, SessionOptions, Tab } from './types.js';

/**
 * What one Playwright worker keeps between tests, started on first use: a Chromium, a Firefox,
 * or a MiniBrowser on an Xvfb display. A worker runs one project, so it starts one of them.
 */
export class EngineHost {
  readonly #blocked: boolean;
  #chromium: Promise<PlaywrightBrowser> | undefined;
  #firefox: Promise<PuppeteerBrowser> | undefined;
  #xvfb: ReturnType<typeof startXvfb> | undefined;
  #webkit: Promise<WebKitBrowser> | undefined;

  constructor(serviceWorkersBlocked: boolean) {
    this.#blocked = serviceWorkersBlocked;
  }

  chromium(): Promise<PlaywrightBrowser> {
    this.#chromium ??= chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    return this.#chromium;
  }

  firefox(): Promise<PuppeteerBrowser> {
    this.#firefox ??= launchFirefox({ serviceWorkersBlocked: this.#blocked, stoppableWorkers: false });
    return this.#firefox;
  }

  async webkit(): Promise<WebKitBrowser> {
    const current = await this.#webkit;
    if (current !== undefined && !current.usable) {
      await current.close();
      this.#webkit = undefined;
    }
    this.#xvfb ??= startXvfb();
    const xvfb = this.#xvfb;
    this.#webkit ??= xvfb.then(({ display }) => WebKitBrowser.start(display));
    return this.#webkit;
  }

  /** A fresh session (empty storage, no registrations) in `engine`. */
  async session(engine: Engine, options: SessionOptions): Promise<BrowserSession> {
    switch (engine) {
      case 'chromium': {
        const browser = await this.chromium();
        // Playwright's own way to block workers (a stub of register()), as in its `serviceWorkers` option.
        return new PlaywrightSession(await browser.newContext({ serviceWorkers: options.serviceWorkersBlocked ? 'block' : 'allow' }));
      }
      case 'firefox':
        return PuppeteerSession.open(() => this.firefox(), options);
      case 'webkit':
        return new WebDriverSession(await this.webkit(), options);
    }
  }

  async close(): Promise<void> {
    await Promise.all([
      this.#chromium?.then((browser) => browser.close()),
      this.#firefox?.then((browser) => browser.close()),
      this.#webkit?.then((browser) => browser.close()),
    ]);
    await this.#xvfb?.then((xvfb) => xvfb.stop());
  }
}

/** The Playwright page behind a Chromium tab, for the Chromium-only parts of the suite. */
export function playwrightPage(tab: Tab): import('@playwright/test').Page {
  if (!(tab instanceof PlaywrightTab)) throw new Error('this step needs Playwright, which drives only Chromium here');
  return tab.page;
}
