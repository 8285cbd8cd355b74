/**
 * The engine-neutral surface the e2e specs drive: a browser session (one profile: shared
 * service worker registrations, IndexedDB, Web Locks, BroadcastChannel) and its tabs. Each
 * engine implements it with the automation library that can drive it here: Playwright for
 * Chromium, Puppeteer over WebDriver BiDi for Firefox, WebdriverIO over classic WebDriver for
 * WebKitGTK. A spec written against these types runs unchanged in all three.
 */

export type Engine = 'chromium' | 'firefox' | 'webkit';

/** A function run in the page. It is serialised as source, so it must not close over Node values. */
export type PageFunction<Arg, R> = (arg: Arg) => R | Promise<R>;

export interface Tab {
  /** Navigates and resolves once the page has loaded. */
  goto(url: string): Promise<void>;
  /** Runs `fn(arg)` in the page and resolves with its (awaited, structured-cloned) result. */
  evaluate<R>(fn: PageFunction<void, R>): Promise<R>;
  evaluate<R, Arg>(fn: PageFunction<Arg, R>, arg: Arg): Promise<R>;
  /** Resolves once `fn(arg)` is truthy in the page; the test's timeout bounds the wait. */
  waitForFunction(fn: PageFunction<void, unknown>): Promise<void>;
  waitForFunction<Arg>(fn: PageFunction<Arg, unknown>, arg: Arg): Promise<void>;
  /** The page's current URL. */
  url(): Promise<string>;
  /** History back and forward, as the browser's buttons; resolve once the page has loaded. */
  goBack(): Promise<void>;
  goForward(): Promise<void>;
  /** Saves what the tab shows as a PNG at `path`. */
  screenshot(path: string): Promise<void>;
  close(): Promise<void>;
}

export interface SessionOptions {
  /**
   * Service workers cannot run: the page-mode scenarios. Chromium blocks registration the way
   * Playwright does; Firefox turns them off with `dom.serviceWorkers.enabled` (as in a private
   * window); WebKit gets Playwright's registration stub after each navigation.
   */
  serviceWorkersBlocked: boolean;
  /** The session must be able to stop its service workers (`stopWorkers`). */
  stoppableWorkers: boolean;
}

export interface BrowserSession {
  readonly engine: Engine;
  /** The engine's product version, for reports. */
  readonly version: string;
  newTab(): Promise<Tab>;
  /**
   * Resolves once the browser has stopped every service worker of this session. Chromium stops
   * them on demand (CDP); Firefox stops workers that are idle (the session is launched with a
   * short `dom.serviceWorkers.idle_timeout`), so this waits for that. WebKit cannot.
   */
  stopWorkers(): Promise<void>;
  /**
   * Failures the page would otherwise hide: uncaught page errors and unhandled rejections, and
   * fetches that failed because the service worker's `respondWith` rejected (Firefox and WebKit
   * report those to the page, not to a worker console). The fixture fails a test that has any.
   */
  errors(): Promise<string[]>;
  close(): Promise<void>;
}
