import { AuthClient, type AuthMode } from './client.js';
import { CLAIM_MESSAGE } from '../core/protocol.js';
import { resolveConfig, type AuthProxyConfig, type ResolvedConfig } from '../core/config.js';
import { ConfigError, WorkerUnavailableError } from '../core/errors.js';
import type { SessionEvent, SessionState } from '../core/session-state.js';
import { sameLibrary } from './lazy.js';
import { checkInterception } from './interception.js';
import { withTimeout } from './timeout.js';
import { WorkerRefusedError, scriptName } from './worker-script.js';
import { WorkerConnection } from './worker-connection.js';

export interface RegisterOptions {
  /** The worker script URL. Default: `/auth-proxy-sw.js` (the prebuilt worker). */
  worker?: string;
  /** Service worker scope. Default: the worker script's directory. */
  scope?: string;
  /**
   * The worker script's type: `classic` (the prebuilt worker, a self-contained script) or
   * `module` (an ES module worker, e.g. Vite's dev worker). Default: `classic`.
   */
  type?: WorkerType;
  /**
   * Passed to the prebuilt worker in its script URL (`?config=`), so it is fixed when the
   * worker starts. Omit it for a composed worker that has its config in code. Page mode needs
   * it. Default: none.
   */
  config?: AuthProxyConfig;
  /**
   * Called in every tab when the session can no longer be refreshed: the refresh endpoint
   * refused the refresh token ([RFC 6749 §5.2](https://www.rfc-editor.org/rfc/rfc6749#section-5.2) `invalid_grant`). Never called for a network
   * failure, a timeout, 429 or 5xx — those keep the session (`offline`) and retry. Default: none.
   */
  onExpired?: (state: SessionState, event: Extract<SessionEvent, { type: 'expired' }>) => void;
  /**
   * Where to send the user when the session expires (same rules as `onExpired`, which runs
   * first). Not followed when the page is already there. A logout does not navigate: the
   * app asked for it and decides what comes next. Default: none (no navigation).
   */
  loginUrl?: string;
  /**
   * `worker` (a service worker proxies requests), `page` (the core runs in this page and wraps
   * `window.fetch`), or `auto`: a worker when one can be registered, else the page. The client
   * says which it got in `auth.mode`. Page mode needs `config`. Default: `auto`.
   */
  mode?: 'auto' | AuthMode;
}

/** How long to wait for the worker to take control of this page before giving up. */
const CONTROL_TIMEOUT_MS = 10_000;

/**
 * Registers the worker, waits until it controls this page, and returns the client.
 * One line in an app: `const auth = await registerAuthProxy({ config })`. In the background it
 * then checks that the page's requests really reach the worker, and reloads the page (once a
 * minute at most) when a browser left it controlled but unintercepted.
 */
export async function registerAuthProxy(options: RegisterOptions = {}): Promise<AuthClient> {
  // Validate here too, so a bad config fails in the page with a clear message.
  const resolved = options.config === undefined ? undefined : resolveConfig(options.config, location.origin);
  const loginTarget = resolveLoginUrl(options.loginUrl);
  const client = await hostClient(options, resolved);
  await client.sync();
  watchExpiry(client, options.onExpired, loginTarget);
  return client;
}

async function hostClient(options: RegisterOptions, config: ResolvedConfig | undefined): Promise<AuthClient> {
  const mode = options.mode ?? 'auto';
  if (mode !== 'page') {
    try {
      return await registerWorker(options);
    } catch (error) {
      if (mode === 'worker' || !(error instanceof WorkerRefusedError)) throw error;
      announcePageMode(error);
    }
  }
  if (config === undefined)
    throw new ConfigError('invalid_config', 'page mode (no service worker here) needs the config passed to registerAuthProxy');
  // Loaded only when needed: the in-page host carries the whole core, which the worker
  // already has; apps that get a worker never download it.
  const { hostInPage } = sameLibrary(await import('./in-page-host.js'));
  return hostInPage(config);
}

let announced = false;

/** Page mode is weaker (no XMLHttpRequest, tokens handled in the page): never chosen silently. */
function announcePageMode(reason: WorkerRefusedError): void {
  if (announced) return;
  announced = true;
  // biome-ignore lint/suspicious/noConsole: the one message the library always gives, once.
  console.warn(
    `sw-auth-proxy: ${reason.message}; running in page mode: window.fetch is covered, XMLHttpRequest and EventSource are not, and tokens are handled by page script`,
  );
}

async function registerWorker(options: RegisterOptions): Promise<AuthClient> {
  const container = globalThis.navigator?.serviceWorker;
  if (container === undefined)
    throw new WorkerRefusedError(
      'worker_unavailable',
      'service workers are unavailable here (insecure origin, private window or disabled)',
    );
  const url = workerUrl(options.worker ?? '/auth-proxy-sw.js', options.config);
  const controller = container.controller;
  if (controller?.scriptURL === url) {
    // A returning visit: this worker is installed and controls the page already, so nothing
    // here waits for the registration (a round trip to the browser that the page does not
    // need). It is still made, so the scope option stays current; a failure would change
    // nothing for this page, which the worker keeps controlling.
    void container.register(url, registrationOptions(options)).catch(() => undefined);
    // The probe goes under the scope of the registration that controls this page, as the worker sees it.
    void container
      .getRegistration()
      .then((registration) => registration && checkInterception(registration.scope))
      .catch(() => undefined);
    return new AuthClient(new WorkerConnection(() => container.controller ?? controller));
  }
  let registration: ServiceWorkerRegistration;
  try {
    registration = await container.register(url, registrationOptions(options));
  } catch (cause) {
    // The diagnosis is loaded only when registration fails: pages that register never pay for it.
    const { registrationFailure } = sameLibrary(await import('./registration-failure.js'));
    throw await registrationFailure(url, cause);
  }
  // Environments that block workers by stubbing register() resolve to nothing usable.
  if (!(registration instanceof ServiceWorkerRegistration))
    throw new WorkerRefusedError('worker_unavailable', 'service worker registration is blocked here');
  await untilControlled(container, registration, url);
  void checkInterception(registration.scope);
  return new AuthClient(new WorkerConnection(() => container.controller ?? registration.active));
}

function registrationOptions(options: RegisterOptions): RegistrationOptions {
  return { type: options.type ?? 'classic', updateViaCache: 'none', ...(options.scope === undefined ? {} : { scope: options.scope }) };
}

function resolveLoginUrl(loginUrl: string | undefined): URL | null {
  if (loginUrl === undefined) return null;
  try {
    return new URL(loginUrl, location.href);
  } catch {
    throw new ConfigError('invalid_config', `loginUrl is not a valid URL: ${JSON.stringify(loginUrl)}`);
  }
}

/** Wires `onExpired` / `loginUrl` to the `expired` event, and only to it. */
function watchExpiry(client: AuthClient, onExpired: RegisterOptions['onExpired'], target: URL | null): void {
  if (onExpired === undefined && target === null) return;
  client.subscribe((state, event) => {
    if (event.type !== 'expired') return;
    onExpired?.(state, event);
    if (target !== null && target.href !== location.href) location.assign(target.href);
  });
}

function workerUrl(worker: string, config: AuthProxyConfig | undefined): string {
  const url = new URL(worker, location.href);
  if (config !== undefined) url.searchParams.set('config', JSON.stringify(config));
  return url.href;
}

/** Resolves once this page is controlled by the worker at `url` (a new one after a config change). */
async function untilControlled(container: ServiceWorkerContainer, registration: ServiceWorkerRegistration, url: string): Promise<void> {
  if (container.controller?.scriptURL === url) return;
  const controlled = new Promise<void>((resolve, reject) => {
    // An install that fails (its install handler threw) leaves the new worker redundant.
    const installing = registration.installing;
    installing?.addEventListener('statechange', () => {
      if (installing.state !== 'redundant' || container.controller?.scriptURL === url) return;
      reject(new WorkerUnavailableError('worker_unavailable', `the service worker script ${scriptName(url)} failed to install`));
    });
    const check = (): void => {
      if (container.controller?.scriptURL !== url) return;
      container.removeEventListener('controllerchange', check);
      resolve();
    };
    container.addEventListener('controllerchange', check);
    check();
  });
  // A page loaded with a hard reload is not controlled even by an active worker: ask it to claim.
  void container.ready.then(() => {
    if (container.controller === null) registration.active?.postMessage({ type: CLAIM_MESSAGE });
  });
  await withTimeout(
    controlled,
    CONTROL_TIMEOUT_MS,
    () =>
      new WorkerUnavailableError(
        'worker_unavailable',
        `the service worker ${scriptName(url)} did not take control of this page within ${CONTROL_TIMEOUT_MS / 1000}s`,
      ),
  );
}
