import { CodexError } from '@codex/core';

/** Deno's permission errors (NotCapable since Deno 2, PermissionDenied before). */
export function isPermissionError(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'NotCapable' || name === 'PermissionDenied';
}

/**
 * Reads an environment variable; undefined when unset. Without permission it throws a CodexError
 * naming the exact flag, rather than Deno's generic error.
 */
export function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch (error) {
    if (isPermissionError(error)) {
      throw new CodexError(
        `Reading ${name} needs permission: run deno with --allow-env=${name}, or pass the value to new Client().`,
        { code: 'missing_permission' },
      );
    }
    throw error;
  }
}

/** Reads an environment variable when allowed, else undefined (for optional settings). */
export function readEnvIfAllowed(name: string): string | undefined {
  // querySync is missing in Deno Deploy and older Deno: then, nothing is read from the environment.
  return Deno.permissions.querySync?.({ name: 'env', variable: name }).state === 'granted' ? readEnv(name) : undefined;
}

/**
 * Whether this process may reach `url`'s host (--allow-net for it), without prompting. false for a
 * URL that does not parse (core reports it), or where Deno.permissions.querySync is missing.
 */
export function netAllowed(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).host;
  } catch {
    return false;
  }
  return Deno.permissions.querySync?.({ name: 'net', host }).state === 'granted';
}

/** fetch, with Deno's network permission error turned into one that names the flag to add. */
export const permissionAwareFetch: typeof fetch = async (input, init) => {
  try {
    return await fetch(input, init);
  } catch (error) {
    if (isPermissionError(error)) {
      const url = new URL(input instanceof Request ? input.url : String(input));
      throw new CodexError(`Requests to ${url.host} need network permission: run deno with --allow-net=${url.host}.`, {
        code: 'missing_permission',
      });
    }
    throw error;
  }
};
