import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CodexError, type CredentialOptions } from '@codex/core';

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
      throw new CodexError('CODEX_CLIENT_SECRET is set but CODEX_CLIENT_ID is not; set both, or CODEX_API_KEY.');
    if (!env.CODEX_CLIENT_SECRET)
      throw new CodexError('CODEX_CLIENT_ID is set but CODEX_CLIENT_SECRET is not; set both, or CODEX_API_KEY.');
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
  );
}

function readProfile(file: string, name: string): (CredentialOptions & { baseUrl?: string }) | undefined {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CodexError(`Cannot read the credentials file ${file}: ${(error as Error).message}`);
  }
  // POSIX permissions only mean something off Windows.
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new CodexError(
      `The credentials file ${file} can be read by others (permissions ${(mode & 0o777).toString(8).padStart(4, '0')}); it holds secrets. Run: chmod 600 ${file}`,
    );
  }
  let parsed: { profiles?: Record<string, Profile> };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CodexError(`The credentials file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const profiles = parsed?.profiles;
  const profile = profiles?.[name];
  if (!profile || typeof profile !== 'object') {
    const known = Object.keys(profiles ?? {});
    throw new CodexError(
      `The credentials file ${file} has no profile "${name}" (it has: ${known.length ? known.join(', ') : 'none'}). Expected {"profiles": {"${name}": {"apiKey": "<client_id>:<client_secret>"}}}.`,
    );
  }
  return {
    ...(profile.apiKey !== undefined && { apiKey: profile.apiKey }),
    ...(profile.clientId !== undefined && { clientId: profile.clientId }),
    ...(profile.clientSecret !== undefined && { clientSecret: profile.clientSecret }),
    ...(profile.baseUrl !== undefined && { baseUrl: profile.baseUrl }),
  };
}
