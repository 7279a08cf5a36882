import type { ProvidedToken, TokenProvider } from '@codex/core';

type Shared = { accessToken: string; expiresAt: number };
type Message =
  | { type: 'token'; key: string; token: Shared }
  | { type: 'ask'; key: string }
  | { type: 'rejected'; key: string; accessToken: string };

/** A shared token is reused only with this much life left (ms), like the core's blocking margin. */
const MIN_LIFE_MS = 30_000;
/** How long to wait for another tab to answer "does anyone have a token?". */
const ASK_TIMEOUT_MS = 50;

/**
 * Makes the tabs (and workers) of one origin share tokens, so ten tabs opened at once make one
 * token request:
 * - a refresh runs under a Web Lock per key, so tabs refresh one at a time;
 * - a tab that gets a token announces it on a BroadcastChannel; the others keep the latest;
 * - under the lock, a tab first uses a token another tab announced (or answers when asked),
 *   and only asks the API when none has enough life left;
 * - a tab asking again for the token it was given means that token was rejected or is expiring:
 *   it is never handed back, and the other tabs are told to drop it.
 * Without Web Locks or BroadcastChannel it changes nothing.
 */
export function shareAcrossTabs(key: string, fetchToken: TokenProvider, now: () => number = Date.now): TokenProvider {
  const g = globalThis as { BroadcastChannel?: typeof BroadcastChannel; navigator?: Navigator };
  const locks = g.navigator?.locks;
  if (typeof g.BroadcastChannel !== 'function' || !locks) return fetchToken;

  const channel = new g.BroadcastChannel('codex-sdk-tokens');
  let latest: Shared | undefined;
  let handedOut: string | undefined;
  const waiting = new Set<(token: Shared) => void>();
  const usable = (token: Shared | undefined): token is Shared =>
    token !== undefined && token.accessToken !== handedOut && token.expiresAt - now() > MIN_LIFE_MS;
  const post = (message: Message) => channel.postMessage(message);

  channel.onmessage = (event: MessageEvent<Message>) => {
    const message = event.data;
    if (message?.key !== key) return;
    if (message.type === 'token') {
      if (!latest || message.token.expiresAt > latest.expiresAt) latest = message.token;
      for (const resolve of waiting) resolve(message.token);
    } else if (message.type === 'rejected') {
      if (latest?.accessToken === message.accessToken) latest = undefined;
    } else if (latest && latest.expiresAt - now() > MIN_LIFE_MS) {
      post({ type: 'token', key, token: latest });
    }
  };

  const askPeers = () =>
    new Promise<Shared | undefined>((resolve) => {
      const done = (token?: Shared) => {
        if (token !== undefined && !usable(token)) return; // keep waiting for a usable answer
        waiting.delete(done);
        clearTimeout(timer);
        resolve(token);
      };
      const timer = setTimeout(done, ASK_TIMEOUT_MS);
      waiting.add(done);
      post({ type: 'ask', key });
    });

  const handOut = (token: Shared): ProvidedToken => {
    handedOut = token.accessToken;
    return { accessToken: token.accessToken, expiresIn: (token.expiresAt - now()) / 1000 };
  };

  return (signal) =>
    locks.request(`codex-sdk-token:${key}`, { ...(signal && { signal }) }, async (): Promise<ProvidedToken> => {
      if (handedOut !== undefined) {
        post({ type: 'rejected', key, accessToken: handedOut });
        if (latest?.accessToken === handedOut) latest = undefined;
      }
      if (usable(latest)) return handOut(latest);
      const peer = await askPeers();
      if (usable(peer)) return handOut(peer);
      const provided = await fetchToken(signal);
      latest = { accessToken: provided.accessToken, expiresAt: now() + provided.expiresIn * 1000 };
      post({ type: 'token', key, token: latest });
      handedOut = provided.accessToken;
      return provided;
    }) as unknown as Promise<ProvidedToken>;
}
