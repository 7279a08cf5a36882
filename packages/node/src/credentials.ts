import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CodexError, type CredentialOptions } from '@codex/core';
import { jsonErrorPosition } from './json-error-position';

// `import … from 'node:fs'` in ESM builds a namespace of all of fs, which loads fs/promises and
// the streams (35 internal modules, a large share of @codex/node's import time: issue 10). Taken
// when a file is read instead: process.getBuiltinModule (Node >= 20.16), else require.
function nodeFs(): typeof import('node:fs') {
  return (
    (process.getBuiltinModule?.('node:fs') as typeof import('node:fs') | undefined) ??
    createRequire(import.meta.url)('node:fs')
  );
}

export type Env = Record<string, string | undefined>;

export type ProfileOptions = {
  /** Profile of the credentials file. @default process.env.CODEX_PROFILE ?? 'default' */
  profile?: string;
  /** Credentials file. @default process.env.CODEX_CREDENTIALS_FILE ?? ~/.config/codex/credentials.json */
  credentialsFile?: string;
};

type Profile = { apiKey?: string; clientId?: string; clientSecret?: string; baseUrl?: string };

export function defaultCredentialsFile(env: Env): string {
  return env.CODEX_CREDENTIALS_FILE || join(env.HOME || homedir(), '.config', 'codex', 'credentials.json');
}

/**
 * Credentials from the first place that has them:
 * 1. the options (`apiKey`, `clientId` + `clientSecret`, `tokenProvider`);
 * 2. CODEX_API_KEY;
 * 3. CODEX_CLIENT_ID + CODEX_CLIENT_SECRET;
 * 4. the credentials file's profile (CODEX_PROFILE, else `default`). Like ssh with its keys, a
 *    file that group or others can read is refused.
 * Nothing found: a CodexError listing every place looked at.
 */
export function resolveCredentialChain(
  options: CredentialOptions & ProfileOptions,
  env: Env,
): CredentialOptions & { baseUrl?: string } {
  if (
    options.apiKey !== undefined ||
    options.clientId !== undefined ||
    options.clientSecret !== undefined ||
    options.tokenProvider !== undefined
  ) {
    return {
      apiKey: options.apiKey,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      tokenProvider: options.tokenProvider,
    };
  }
  if (env.CODEX_API_KEY) return { apiKey: env.CODEX_API_KEY };
  if (env.CODEX_CLIENT_ID || env.CODEX_CLIENT_SECRET) {
    if (!env.CODEX_CLIENT_ID)
      throw new CodexError('CODEX_CLIENT_SECRET is set but CODEX_CLIENT_ID is not; set both, or CODEX_API_KEY.', {
        code: 'invalid_credentials',
      });
    if (!env.CODEX_CLIENT_SECRET)
      throw new CodexError('CODEX_CLIENT_ID is set but CODEX_CLIENT_SECRET is not; set both, or CODEX_API_KEY.', {
        code: 'invalid_credentials',
      });
    return { clientId: env.CODEX_CLIENT_ID, clientSecret: env.CODEX_CLIENT_SECRET };
  }
  const file = options.credentialsFile ?? defaultCredentialsFile(env);
  const profileName = options.profile ?? (env.CODEX_PROFILE || 'default');
  const profile = readProfile(file, profileName);
  if (profile) return profile;
  throw new CodexError(
    [
      'No Codex API credentials found. Looked at, in order:',
      '  1. the apiKey, clientId + clientSecret or tokenProvider options: not given',
      '  2. the CODEX_API_KEY environment variable: not set',
      '  3. the CODEX_CLIENT_ID and CODEX_CLIENT_SECRET environment variables: not set',
      `  4. profile "${profileName}" of ${file}: file not found`,
      'Set CODEX_API_KEY="<client_id>:<client_secret>", or pass apiKey to new Client().',
    ].join('\n'),
    { code: 'missing_credentials' },
  );
}

/**
 * The file's JSON, with errors that name the file and the position but never quote its content:
 * JSON.parse's messages quote the text around the error, which here is the secret.
 */
function parseCredentialsFile(file: string, text: string): { profiles: Record<string, Profile> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const at = jsonErrorPosition(text);
    throw new CodexError(
      `The credentials file ${file} is not valid JSON${at ? ` (error at line ${at.line}, column ${at.column})` : ''}. Expected {"profiles": {"default": {"apiKey": "<client_id>:<client_secret>"}}}.`,
      { code: 'invalid_credentials' },
    );
  }
  const profiles = (parsed as { profiles?: unknown } | null)?.profiles;
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) {
    throw new CodexError(
      `The credentials file ${file} has no "profiles" object. Expected {"profiles": {"default": {"apiKey": "<client_id>:<client_secret>"}}}.`,
      { code: 'invalid_credentials' },
    );
  }
  return { profiles: profiles as Record<string, Profile> };
}

function readProfile(file: string, name: string): (CredentialOptions & { baseUrl?: string }) | undefined {
  let mode: number;
  try {
    mode = nodeFs().statSync(file).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CodexError(`Cannot read the credentials file ${file}: ${(error as Error).message}`, {
      code: 'invalid_credentials',
    });
  }
  // POSIX permissions only mean something off Windows.
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new CodexError(
      `The credentials file ${file} can be read by others (permissions ${(mode & 0o777).toString(8).padStart(4, '0')}); it holds secrets. Run: chmod 600 ${file}`,
      { code: 'invalid_credentials' },
    );
  }
  let text: string;
  try {
    text = nodeFs()
      .readFileSync(file, 'utf8')
      .replace(/^\uFEFF/, '');
  } catch (error) {
    throw new CodexError(`Cannot read the credentials file ${file}: ${(error as Error).message}`, {
      code: 'invalid_credentials',
    });
  }
  const parsed = parseCredentialsFile(file, text);
  const profile = Object.hasOwn(parsed.profiles, name) ? parsed.profiles[name] : undefined;
  if (profile === undefined) {
    const known = Object.keys(parsed.profiles);
    throw new CodexError(
      `The credentials file ${file} has no profile "${name}" (it has: ${known.length ? known.join(', ') : 'none'}). Expected {"profiles": {"${name}": {"apiKey": "<client_id>:<client_secret>"}}}.`,
      { code: 'invalid_credentials' },
    );
  }
  const where = `Profile "${name}" of the credentials file ${file}`;
  if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) {
    throw new CodexError(`${where} must be an object, like {"apiKey": "<client_id>:<client_secret>"}.`, {
      code: 'invalid_credentials',
    });
  }
  // Values are described by their type, never quoted: they may be secrets.
  for (const field of ['apiKey', 'clientId', 'clientSecret', 'baseUrl'] as const) {
    const value: unknown = profile[field];
    if (value !== undefined && typeof value !== 'string') {
      throw new CodexError(`${where}: ${field} must be a string, got ${value === null ? 'null' : typeof value}.`, {
        code: 'invalid_credentials',
      });
    }
  }
  if (profile.apiKey === undefined && profile.clientId === undefined && profile.clientSecret === undefined) {
    throw new CodexError(`${where} has no apiKey (or clientId + clientSecret).`, { code: 'invalid_credentials' });
  }
  return {
    ...(profile.apiKey !== undefined && { apiKey: profile.apiKey }),
    ...(profile.clientId !== undefined && { clientId: profile.clientId }),
    ...(profile.clientSecret !== undefined && { clientSecret: profile.clientSecret }),
    ...(profile.baseUrl !== undefined && { baseUrl: profile.baseUrl }),
  };
}
