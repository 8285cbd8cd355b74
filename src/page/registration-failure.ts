import { WorkerUnavailableError } from '../core/errors.js';
import { WorkerRefusedError, scriptName } from './worker-script.js';

/**
 * Why `register()` failed. A script that cannot be loaded (404, not JavaScript, a syntax error)
 * is a deploy problem and must fail loudly; only a browser that will not run workers here at all
 * may fall back to page mode. The browser's error alone does not tell them apart reliably (a
 * wrong MIME type and a private window are both a SecurityError in some engines), so the script
 * is fetched once to see what the server sends.
 */
export async function registrationFailure(url: string, cause: unknown): Promise<WorkerUnavailableError> {
  const script = scriptName(url);
  const problem = await scriptProblem(url);
  if (problem !== null)
    return new WorkerUnavailableError('worker_unavailable', `the service worker script ${script} cannot be used: ${problem}`, { cause });
  // The script is served fine; a TypeError is then an evaluation or install failure.
  if (cause instanceof TypeError)
    return new WorkerUnavailableError(
      'worker_unavailable',
      `the service worker script ${script} failed to start: ${describe(cause, url)}`,
      {
        cause,
      },
    );
  return new WorkerRefusedError('worker_unavailable', `the browser refused to register ${script}: ${describe(cause, url)}`, { cause });
}

async function scriptProblem(url: string): Promise<string | null> {
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-store', credentials: 'same-origin' });
  } catch {
    return 'it could not be fetched (network error)';
  }
  await response.body?.cancel();
  if (!response.ok) return `the server answered ${response.status}`;
  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  if (!/^(text|application)\/(x-)?javascript$/i.test(type))
    return `it is served as ${JSON.stringify(type)}, not JavaScript (a service worker needs a JavaScript MIME type)`;
  return null;
}

/** The browser's reason in words, with the long script URL shortened (the full error stays the `cause`). */
function describe(error: unknown, url: string): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split(url).join(scriptName(url));
}
