import type { Command } from 'commander';
import { UsageError } from './usage-error';

/** The program's own options, which every command takes. */
export type GlobalOptions = { baseUrl?: string; verbose?: boolean };

type ClientHooks = NonNullable<import('@codex/node').NodeClientOptions['hooks']>;

/**
 * The Client a command runs with, from @codex/node, which finds the credentials (its chain:
 * CODEX_API_KEY, CODEX_CLIENT_ID + CODEX_CLIENT_SECRET, the credentials file) and the base URL
 * (CODEX_BASE_URL) as it does for programs. `tokenStore: 'file'`: successive runs share one token
 * through the user's cache, as `codex auth token` does. Loaded here, when a command runs, so that
 * `--help` never loads the SDK.
 */
export async function createClient(command: Command, hooks?: ClientHooks) {
  const { baseUrl, verbose } = command.optsWithGlobals<GlobalOptions>();
  checked(command, () => {
    if (baseUrl !== undefined && !URL.canParse(baseUrl))
      throw new UsageError('--base-url must be a URL, such as https://api.codex.dev/v1');
  });
  const { Client } = await import('@codex/node');
  return checked(command, () => {
    try {
      return new Client({
        ...(baseUrl !== undefined && { baseUrl }),
        tokenStore: 'file',
        ...(verbose && { logLevel: 'debug' as const }),
        ...(hooks && { hooks }),
      });
    } catch (error) {
      // A --base-url the SDK refuses (http to another host, credentials, a query) is the command
      // line's mistake: a usage error, like one that is not a URL at all.
      const { code, message } = error as { code?: unknown; message?: unknown };
      if (baseUrl !== undefined && code === 'invalid_option' && String(message).startsWith('baseUrl'))
        throw new UsageError(`--base-url: ${String(message).replace(/^baseUrl /, '')}`);
      throw error;
    }
  });
}

/**
 * Runs `check` (or awaits it), turning a UsageError into commander's usage error: the message,
 * the command's help, exit 2.
 */
export function checked<T>(command: Command, check: () => T): T {
  const fail = (error: unknown): never => {
    if (error instanceof UsageError) command.error(`error: ${error.message}`, { exitCode: 2, code: 'codex.usage' });
    throw error;
  };
  try {
    const result = check();
    return (result instanceof Promise ? result.catch(fail) : result) as T;
  } catch (error) {
    return fail(error);
  }
}

/** The client method a command calls, `client[resource][command]`, bound to its resource object. */
export function clientMethod(client: object, resource: string, command: string): (...args: unknown[]) => unknown {
  const target = (client as Record<string, unknown>)[resource] as Record<string, unknown> | undefined;
  const method = target?.[command];
  if (typeof method !== 'function')
    throw new Error(`@codex/node has no client.${resource}.${command}(): use the @codex/node of @codex/cli's version`);
  return (...args) => method.apply(target, args);
}
