// @ts-check
import { checkPassword } from './credentials.js';
import { SMALL_BODY_LIMIT, parseJsonObject, readBody } from './http-util.js';
import { sendOAuthError } from './oauth-response.js';
import { parseScope } from './scope.js';

/**
 * The JSON login body {username, password, scope?} shared by
 * /api/auth/login and /api/auth/cookie/login: the resource-owner password
 * grant (RFC 6749 §4.3) with a JSON body instead of a form.
 */

/**
 * Reads and checks the credentials, answering the RFC 6749 §5.2 error itself.
 * @param {import('./context.js').ServerContext} ctx
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @returns {Promise<{ sub: string, scope: string[] } | null>} null when an error was sent
 */
export async function readJsonLogin(ctx, req, res) {
  const body = parseJsonObject(await readBody(req, SMALL_BODY_LIMIT));
  if (body === null) {
    sendOAuthError(res, 400, 'invalid_request', 'body must be a JSON object');
    return null;
  }
  const { username, password, scope: requested } = body;
  if (typeof username !== 'string' || typeof password !== 'string') {
    sendOAuthError(res, 400, 'invalid_request', 'username and password are required strings');
    return null;
  }
  const scope = parseScope(requested);
  if (scope === null) {
    sendOAuthError(res, 400, 'invalid_scope', 'scope is malformed');
    return null;
  }
  if (!checkPassword(ctx.users, username, password)) {
    sendOAuthError(res, 400, 'invalid_grant', 'wrong username or password');
    return null;
  }
  return { sub: username, scope };
}
