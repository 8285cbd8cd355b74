import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { remote } from 'webdriverio';
import type { BrowserSession, PageFunction, SessionOptions, Tab } from './types.js';

/**
 * WebKitGTK (Debian's `webkit2gtk-driver`): WebKitWebDriver drives MiniBrowser over classic
 * WebDriver (it has no BiDi), from WebdriverIO. A WebKitWebDriver process serves one WebDriver
 * session, so each Playwright worker starts its own, on a free port, showing on the worker's
 * Xvfb display. MiniBrowser's automation sessions are ephemeral: storage starts empty.
 */
export const WEBKIT_DRIVER_PATH = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
export const MINIBROWSER_PATH = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

type Remote = Awaited<ReturnType<typeof remote>>;

/** WebdriverIO's types do not know WebKitGTK's vendor capability. */
const CAPABILITIES = {
  browserName: 'MiniBrowser',
  'wdio:enforceWebDriverClassic': true,
  'webkitgtk:browserOptions': { binary: MINIBROWSER_PATH, args: ['--automation'] },
  // A test's own timeout bounds every script; WebDriver's default of 30 s would cut a long wait short.
  timeouts: { script: 600_000, pageLoad: 30_000, implicit: 0 },
} as Parameters<typeof remote>[0]['capabilities'];

/** How often a condition is re-checked in the page, and how long one check call waits in the page. */
const POLL_MS = 20;
const WAIT_SLICE_MS = 2000;
/** Navigations interrupt a waiting script; a condition that keeps failing for this long fails the wait. */
const WAIT_ERROR_GRACE_MS = 5000;

/**
 * Runs in every page after navigation. WebKit reports a worker's rejected `respondWith` only
 * to the page (the fetch rejects with "FetchEvent.respondWith received an error: ..."), and a
 * classic WebDriver client cannot read the console, so the page records it here, with uncaught
 * errors and unhandled rejections. Observing `fetch` does not change what it does.
 */
function installRecorder(): void {
  const w = window as unknown as { __e2eErrors?: string[] };
  if (w.__e2eErrors !== undefined) return;
  const errors: string[] = [];
  w.__e2eErrors = errors;
  addEventListener('error', (event) => errors.push(`page error: ${event.message}`));
  addEventListener('unhandledrejection', (event) => errors.push(`unhandled rejection: ${String(event.reason)}`));
  const nativeFetch = window.fetch;
  window.fetch = function fetch(this: unknown, ...args: Parameters<typeof window.fetch>) {
    return nativeFetch.apply(this, args).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (message.includes('respondWith')) errors.push(`worker failure: ${message}`);
      throw error;
    });
  };
}

/** Playwright's `serviceWorkers: 'block'`: registration resolves to nothing. */
function blockServiceWorkers(): void {
  if (self.ServiceWorkerContainer)
    ServiceWorkerContainer.prototype.register = async () => {
      console.warn('Service Worker registration blocked by the e2e driver');
      return undefined as unknown as ServiceWorkerRegistration;
    };
}

function harvestErrors(): string[] {
  const w = window as unknown as { __e2eErrors?: string[] };
  return w.__e2eErrors?.splice(0) ?? [];
}

/** Serialises commands: classic WebDriver has one current window per session. */
class CommandQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(command: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(command);
    this.#tail = result.catch(() => {});
    return result;
  }
}

class WebDriverTab implements Tab {
  readonly #session: WebDriverSession;
  readonly handle: string;
  closed = false;

  constructor(session: WebDriverSession, handle: string) {
    this.#session = session;
    this.handle = handle;
  }

  goto(url: string): Promise<void> {
    return this.#session.inTab(this, async (browser) => {
      await this.#session.keepErrors(browser);
      await browser.url(url);
      await browser.execute(installRecorder);
      if (this.#session.serviceWorkersBlocked) await browser.execute(blockServiceWorkers);
    });
  }

  async evaluate<R, Arg>(fn: PageFunction<Arg, R>, arg?: Arg): Promise<R> {
    // The page serialises the result itself: WebKit's WebDriver fails on some plain objects
    // (the session state) that JSON takes as they are.
    const script = `return Promise.resolve((${fn.toString()})(arguments[0])).then((v) => JSON.stringify({ v }));`;
    const json = await this.#session.inTab(this, (browser) => browser.execute(script, arg ?? null) as Promise<string>);
    return (JSON.parse(json) as { v: R }).v;
  }

  async waitForFunction<Arg>(fn: PageFunction<Arg, unknown>, arg?: Arg): Promise<void> {
    // The wait runs in the page in slices, so that other tabs' commands get their turn.
    const script = `return (async (arg) => {
      const check = (${fn.toString()});
      const end = Date.now() + ${WAIT_SLICE_MS};
      for (;;) {
        if (await check(arg)) return true;
        if (Date.now() > end) return false;
        await new Promise((resolve) => setTimeout(resolve, ${POLL_MS}));
      }
    })(arguments[0]);`;
    let failingSince: number | null = null;
    for (;;) {
      try {
        if (await this.#session.inTab(this, (browser) => browser.execute(script, arg ?? null) as Promise<boolean>)) return;
        failingSince = null;
      } catch (error) {
        if (this.#session.closed) throw error;
        failingSince ??= Date.now();
        if (Date.now() - failingSince > WAIT_ERROR_GRACE_MS) throw error;
      }
    }
  }

  url(): Promise<string> {
    return this.#session.inTab(this, (browser) => browser.getUrl());
  }

  /** WebDriver's own commands: they wait for the navigation, which a script calling history.back() cannot. */
  goBack(): Promise<void> {
    return this.#session.inTab(this, (browser) => browser.back());
  }

  goForward(): Promise<void> {
    return this.#session.inTab(this, (browser) => browser.forward());
  }

  /**
   * After two animation frames: a window WebDriver has just switched to can still show its last
   * painted frame, from before the changes the test waited for (seen in MiniBrowser).
   */
  async screenshot(path: string): Promise<void> {
    await this.#session.inTab(this, async (browser) => {
      await browser.executeAsync((done: () => void) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
      await browser.saveScreenshot(path);
    });
  }

  close(): Promise<void> {
    return this.#session.closeTab(this);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}

/** Resolves once the driver answers /status. */
async function untilReady(port: number, driver: ChildProcess): Promise<void> {
  for (;;) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited with ${driver.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/status`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** How long closing may wait for a command still running in the page before the driver is killed. */
const CLOSE_TIMEOUT_MS = 10_000;

/**
 * One MiniBrowser under one WebKitWebDriver, kept for a Playwright worker's tests: starting
 * them costs seconds. Tests stay apart by origin (every test has its own server port, hence
 * its own storage, registrations, locks and channels); a session blanks its windows and
 * clears the cookies, which WebKit keys by host, not by port.
 */
export class WebKitBrowser {
  readonly version: string;
  /** False once a session found a command stuck in a page: the next session needs a new browser. */
  usable = true;
  readonly #remote: Remote;
  readonly #driver: ChildProcess;
  readonly #queue = new CommandQueue();
  readonly #spare: string[] = [];
  #current: string;

  private constructor(remote: Remote, driver: ChildProcess, window: string) {
    this.#remote = remote;
    this.#driver = driver;
    this.#current = window;
    this.#spare.push(window);
    this.version = `WebKitGTK ${String(remote.capabilities.browserVersion)}`;
  }

  /** Starts on a free port; another process may take the port first, hence a few attempts. */
  static async start(display: string, attempts = 3): Promise<WebKitBrowser> {
    try {
      return await WebKitBrowser.#startOnce(display);
    } catch (error) {
      if (attempts <= 1) throw error;
      return WebKitBrowser.start(display, attempts - 1);
    }
  }

  static async #startOnce(display: string): Promise<WebKitBrowser> {
    const port = await freePort();
    const driver = spawn(WEBKIT_DRIVER_PATH, [`--port=${port}`], { stdio: 'ignore', env: { ...process.env, DISPLAY: display } });
    try {
      await untilReady(port, driver);
      const browser = await remote({ hostname: '127.0.0.1', port, logLevel: 'error', connectionRetryCount: 0, capabilities: CAPABILITIES });
      return new WebKitBrowser(browser, driver, await browser.getWindowHandle());
    } catch (error) {
      driver.kill();
      throw error;
    }
  }

  /** Runs `command` with window `handle` current; commands never interleave. */
  inWindow<T>(handle: string, command: (browser: Remote) => Promise<T>): Promise<T> {
    return this.#queue.run(async () => {
      if (this.#current !== handle) {
        await this.#remote.switchToWindow(handle);
        this.#current = handle;
      }
      return command(this.#remote);
    });
  }

  /**
   * A window for a new tab: a spare one, or a new top-level window (not a MiniBrowser tab:
   * background tabs are hidden pages, whose timers WebKit throttles).
   */
  takeWindow(): Promise<string> {
    return this.#queue.run(async () => this.#spare.pop() ?? (await this.#remote.createWindow('window')).handle);
  }

  /**
   * Leaves window `handle` at about:blank (which unloads its page: its worker client, channels
   * and sockets go) and keeps it for a later tab. Windows are not closed: MiniBrowser sometimes
   * closes another window than the one asked for.
   */
  releaseWindow(handle: string): Promise<void> {
    return this.inWindow(handle, async (browser) => {
      await browser.url('about:blank');
      this.#spare.push(handle);
    });
  }

  /** Whether the queue drains in time: a command stuck in a page (a test that timed out) means no. */
  async settles(): Promise<boolean> {
    const drained = this.#queue.run(async () => true);
    return Promise.race([drained, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS))]);
  }

  async close(): Promise<void> {
    const deleted = this.#remote.deleteSession().catch(() => {});
    await Promise.race([deleted, new Promise((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS))]);
    if (this.#driver.exitCode === null) {
      const exited = once(this.#driver, 'exit');
      this.#driver.kill();
      await exited;
    }
  }
}

export class WebDriverSession implements BrowserSession {
  readonly engine = 'webkit' as const;
  readonly version: string;
  readonly serviceWorkersBlocked: boolean;
  closed = false;
  readonly #browser: WebKitBrowser;
  readonly #tabs: WebDriverTab[] = [];
  readonly #errors: string[] = [];

  constructor(browser: WebKitBrowser, options: SessionOptions) {
    this.#browser = browser;
    this.version = browser.version;
    this.serviceWorkersBlocked = options.serviceWorkersBlocked;
  }

  /** Runs `command` with `tab` as the current window. */
  inTab<T>(tab: WebDriverTab, command: (browser: Remote) => Promise<T>): Promise<T> {
    if (tab.closed) return Promise.reject(new Error('the tab is closed'));
    return this.#browser.inWindow(tab.handle, command);
  }

  /** Moves the current page's recorded errors into the session's list (before it is left). */
  async keepErrors(browser: Remote): Promise<void> {
    const url = await browser.getUrl();
    if (url.startsWith('http')) this.#errors.push(...((await browser.execute(harvestErrors)) as string[]));
  }

  async newTab(): Promise<Tab> {
    const tab = new WebDriverTab(this, await this.#browser.takeWindow());
    this.#tabs.push(tab);
    return tab;
  }

  async closeTab(tab: WebDriverTab): Promise<void> {
    await this.inTab(tab, (browser) => this.keepErrors(browser));
    tab.closed = true;
    await this.#browser.releaseWindow(tab.handle);
  }

  async stopWorkers(): Promise<void> {
    throw new Error('WebKit has no way to stop a service worker from WebDriver');
  }

  async errors(): Promise<string[]> {
    for (const tab of this.#tabs) if (!tab.closed) await this.inTab(tab, (browser) => this.keepErrors(browser));
    return [...this.#errors];
  }

  /** Leaves the session's windows blank and clears the cookies; a browser stuck in a page is given up. */
  async close(): Promise<void> {
    this.closed = true;
    if (!(await this.#browser.settles())) {
      this.#browser.usable = false;
      return;
    }
    let cookiesCleared = false;
    for (const tab of this.#tabs.filter((tab) => !tab.closed)) {
      if (!cookiesCleared)
        cookiesCleared = await this.inTab(tab, async (browser) => {
          if (!(await browser.getUrl()).startsWith('http')) return false;
          await browser.deleteAllCookies();
          return true;
        });
      tab.closed = true;
      await this.#browser.releaseWindow(tab.handle);
    }
  }
}

/** An Xvfb server for one Playwright worker's WebKit sessions; resolves with its DISPLAY. */
export async function startXvfb(): Promise<{ display: string; stop: () => Promise<void> }> {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x1024x24'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  const pipe = xvfb.stdio[3];
  if (pipe === null || pipe === undefined || !('on' in pipe)) throw new Error('no display pipe to Xvfb');
  let output = '';
  const display = await new Promise<string>((resolve, reject) => {
    pipe.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) resolve(`:${output.trim()}`);
    });
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
    xvfb.once('error', reject);
  });
  return {
    display,
    stop: async () => {
      if (xvfb.exitCode !== null) return;
      const exited = once(xvfb, 'exit');
      xvfb.kill();
      await exited;
    },
  };
}
