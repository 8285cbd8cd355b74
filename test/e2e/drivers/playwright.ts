import type { BrowserContext, Page } from '@playwright/test';
import type { BrowserSession, PageFunction, Tab } from './types.js';

/**
 * Chromium through Playwright. The session is a fresh browser context, which the fixtures also
 * hand out as Playwright's `context`, so a Chromium-only spec can still reach Playwright's API
 * (`context.setOffline`, CDP) for the same tabs, and `PlaywrightTab.page`.
 */
export class PlaywrightTab implements Tab {
  readonly page: Page;

  constructor(page: Page) {
    this.page = page;
  }

  async goto(url: string): Promise<void> {
    await this.page.goto(url);
  }

  evaluate<R, Arg>(fn: PageFunction<Arg, R>, arg?: Arg): Promise<R> {
    return this.page.evaluate(fn as PageFunction<unknown, R>, arg);
  }

  async waitForFunction<Arg>(fn: PageFunction<Arg, unknown>, arg?: Arg): Promise<void> {
    await this.page.waitForFunction(fn as PageFunction<unknown, unknown>, arg);
  }

  async url(): Promise<string> {
    return this.page.url();
  }

  async goBack(): Promise<void> {
    await this.page.goBack();
  }

  async goForward(): Promise<void> {
    await this.page.goForward();
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path });
  }

  async close(): Promise<void> {
    await this.page.close();
  }
}

/**
 * What Chromium prints in the page console when the worker's `respondWith` rejected (the
 * worker's own message stays in the worker's devtools).
 */
const WORKER_FAILURE = /net::ERR_FAILED/;

export class PlaywrightSession implements BrowserSession {
  readonly engine = 'chromium' as const;
  readonly version: string;
  readonly context: BrowserContext;
  readonly #errors: string[] = [];
  readonly #tabs: PlaywrightTab[] = [];

  constructor(context: BrowserContext) {
    this.context = context;
    this.version = context.browser()?.version() ?? 'unknown';
    context.on('weberror', (error) => this.#errors.push(`page error: ${error.error().message}`));
    context.on('console', (message) => {
      if (message.type() === 'error' && WORKER_FAILURE.test(message.text())) this.#errors.push(`worker failure: ${message.text()}`);
    });
  }

  async newTab(): Promise<PlaywrightTab> {
    const tab = new PlaywrightTab(await this.context.newPage());
    this.#tabs.push(tab);
    return tab;
  }

  /** Stops every service worker through CDP and resolves once Chromium reports one stopped. */
  async stopWorkers(): Promise<void> {
    const page = this.#tabs.find((tab) => !tab.page.isClosed())?.page ?? (await this.context.newPage());
    const cdp = await this.context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    const stopped = new Promise<void>((resolve) => {
      cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
        if (versions.some((version) => version.runningStatus === 'stopped')) resolve();
      });
    });
    await cdp.send('ServiceWorker.stopAllWorkers');
    await stopped;
    await cdp.detach();
  }

  async errors(): Promise<string[]> {
    return [...this.#errors];
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
