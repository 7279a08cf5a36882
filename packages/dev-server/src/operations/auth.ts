import { check } from '../schemas';
import type { TokenRequest } from '../spec';
import { fail, type Handler } from './types';

const ORDER = ['read', 'write'];

/** POST /auth/token: client credentials (JSON body) -> an opaque bearer token. */
export const issueToken: Handler = ({ state, body, requestId }) => {
  const violation = check('TokenRequest', body);
  if (violation) return fail(violation.status, violation.code, violation.message, requestId, violation.param);
  const request = body as TokenRequest;
  const key = state.keys.get(request.client_id);
  if (!key || key.clientSecret !== request.client_secret) {
    return fail(401, 'invalid_client', 'Unknown client ID or wrong client secret.', requestId);
  }
  // A key of a read-only project only ever gets `read`, whatever it asks for (contract, Credentials).
  const allowed = key.readOnly ? ['read'] : ['read', 'write'];
  const requested = request.scope ? request.scope.split(' ') : allowed;
  const granted = requested.filter((s) => allowed.includes(s));
  const scopes = (granted.length > 0 ? granted : allowed).sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  const lifetime = state.settings.tokenLifetimeSeconds;
  const { token } = state.tokens.issue(key.clientId, [...new Set(scopes)], lifetime);
  return {
    status: 200,
    // RFC 6749 section 5.1: token responses must not be cached.
    headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
    body: { access_token: token, token_type: 'Bearer', expires_in: lifetime, scope: [...new Set(scopes)].join(' ') },
  };
};
