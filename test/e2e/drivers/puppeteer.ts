import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import type { BrowserSession, PageFunction, SessionOptions, Tab } from './types.js';

/**
 * Firefox ESR (Debian's `firefox-esr`) through Puppeteer over WebDriver BiDi; no geckodriver.
 * One browser per Playwright worker; each session is a fresh user context (its own storage and
 * service worker registrations). A session that must stop its workers gets a browser of its
 * own, launched with a short idle timeout: Firefox has no command to stop a worker, but stops
 * an idle one after `dom.serviceWorkers.idle_timeout`.
 */
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** Long enough for every step of a test to finish its events, short enough to wait for. */
const IDLE_TIMEOUT_MS = 1000;

/** How often a condition is re-checked in the page (`requestAnimationFrame` pauses in background tabs). */
const POLL_MS = 25;

export function launchFirefox(options: Pick<SessionOptions, 'serviceWorkersBlocked' | 'stoppableWorkers'>): Promise<Browser> {
  const prefs: Record<string, unknown> = {};
  // As in a private window: no navigator.serviceWorker at all.
  if (options.serviceWorkersBlocked) prefs['dom.serviceWorkers.enabled'] = false;
  if (options.stoppableWorkers) {
    prefs['dom.serviceWorkers.idle_timeout'] = IDLE_TIMEOUT_MS;
    prefs['dom.serviceWorkers.idle_extended_timeout'] = IDLE_TIMEOUT_MS;
  }
  return puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX_PATH, headless: true, extraPrefsFirefox: prefs });
}

class PuppeteerTab implements Tab {
  readonly #page: Page;

  constructor(page: Page) {
    this.#page = page;
  }

  async goto(url: string): Promise<void> {
    await this.#page.goto(url);
  }

  evaluate<R, Arg>(fn: PageFunction<Arg, R>, arg?: Arg): Promise<R> {
    return this.#page.evaluate(fn as (arg: unknown) => R, arg) as Promise<R>;
  }

  async waitForFunction<Arg>(fn: PageFunction<Arg, unknown>, arg?: Arg): Promise<void> {
    await this.#page.waitForFunction(fn as (arg: unknown) => unknown, { polling: POLL_MS, timeout: 0 }, arg);
  }

  /** From the page: Puppeteer's own record lags behind history.back() and forward() over BiDi. */
  url(): Promise<string> {
    return this.#page.evaluate(() => location.href);
  }

  goBack(): Promise<void> {
    return this.#traverse(-1);
  }

  goForward(): Promise<void> {
    return this.#traverse(1);
  }

  /**
   * Puppeteer's goBack() loses the frame over BiDi in Firefox, so the page walks its history
   * itself, and the wait is for the other entry's document (its URL differs here) to load.
   */
  async #traverse(step: number): Promise<void> {
    const from = await this.url();
    await this.#page.evaluate((step) => history.go(step), step);
    await this.#page.waitForFunction(
      (from) => location.href !== from && document.readyState === 'complete',
      { polling: POLL_MS, timeout: 0 },
      from,
    );
  }

  async screenshot(path: string): Promise<void> {
    await this.#page.screenshot({ path: path as `${string}.png` });
  }

  async close(): Promise<void> {
    await this.#page.close();
  }
}

/** The WebDriver BiDi events Puppeteer does not surface: service worker realms coming and going. */
interface RealmEvents {
  send(method: 'session.subscribe', params: { events: string[] }): Promise<unknown>;
  on(event: 'script.realmCreated', listener: (realm: { realm: string; type: string }) => void): void;
  on(event: 'script.realmDestroyed', listener: (realm: { realm: string }) => void): void;
}

/** Tracks the browser's running service workers by their BiDi realms. */
class WorkerRealms {
  readonly #running = new Set<string>();
  #changed: () => void = () => {};

  static async watch(browser: Browser): Promise<WorkerRealms> {
    const realms = new WorkerRealms();
    const connection = (browser as unknown as { connection: RealmEvents }).connection;
    connection.on('script.realmCreated', ({ realm, type }) => {
      if (type === 'service-worker') realms.#running.add(realm);
    });
    connection.on('script.realmDestroyed', ({ realm }) => {
      if (realms.#running.delete(realm)) realms.#changed();
    });
    await connection.send('session.subscribe', { events: ['script.realmCreated', 'script.realmDestroyed'] });
    return realms;
  }

  /** Resolves once no service worker is running. */
  untilNoneRunning(): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.#running.size > 0) return;
        this.#changed = () => {};
        resolve();
      };
      this.#changed = check;
      check();
    });
  }
}

export class PuppeteerSession implements BrowserSession {
  readonly engine = 'firefox' as const;
  readonly version: string;
  readonly #context: BrowserContext;
  readonly #errors: string[] = [];
  readonly #ownBrowser: Browser | null;
  readonly #realms: WorkerRealms | null;

  private constructor(context: BrowserContext, version: string, ownBrowser: Browser | null, realms: WorkerRealms | null) {
    this.#context = context;
    this.version = version;
    this.#ownBrowser = ownBrowser;
    this.#realms = realms;
  }

  /** A session in `shared` (the worker's browser), or in a browser of its own when workers must be stoppable. */
  static async open(shared: () => Promise<Browser>, options: SessionOptions): Promise<PuppeteerSession> {
    const own = options.stoppableWorkers ? await launchFirefox(options) : null;
    const browser = own ?? (await shared());
    const realms = own === null ? null : await WorkerRealms.watch(own);
    return new PuppeteerSession(await browser.createBrowserContext(), await browser.version(), own, realms);
  }

  async newTab(): Promise<Tab> {
    const page = await this.#context.newPage();
    // Firefox reports a rejected respondWith as an error of the page whose fetch it was.
    page.on('pageerror', (error) => this.#errors.push(`page error: ${error instanceof Error ? error.message : String(error)}`));
    return new PuppeteerTab(page);
  }

  async stopWorkers(): Promise<void> {
    if (this.#realms === null) throw new Error('this Firefox session was not launched with stoppable workers');
    await this.#realms.untilNoneRunning();
  }

  async errors(): Promise<string[]> {
    return [...this.#errors];
  }

  async close(): Promise<void> {
    await this.#context.close().catch(() => {});
    await this.#ownBrowser?.close();
  }
}
