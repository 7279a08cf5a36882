import type { ClientHooks } from './config';
import type { Logger } from './logger';

/** Calls a telemetry hook: what it throws, or rejects with, is logged and changes nothing. */
export function callHook<K extends keyof ClientHooks>(
  hooks: ClientHooks,
  logger: Logger | undefined,
  name: K,
  info: Parameters<NonNullable<ClientHooks[K]>>[0],
): void {
  const hook = hooks[name] as ((i: typeof info) => unknown) | undefined;
  if (!hook) return;
  const warn = (error: unknown) =>
    logger?.warn?.(`codex: hooks.${name} threw, ignored: ${error instanceof Error ? error.message : String(error)}`);
  try {
    const result = hook(info);
    if (result && typeof (result as Promise<unknown>).then === 'function')
      (result as Promise<unknown>).then(undefined, warn);
  } catch (error) {
    warn(error);
  }
}
