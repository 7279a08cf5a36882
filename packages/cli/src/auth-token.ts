import type { Command } from 'commander';
import { createClient } from './client';
import { write, writeJson } from './output';

/**
 * `codex auth token`: a current access token, for curl. The Client's own: from the token cache
 * successive runs share (`tokenStore: 'file'`), fetched only when there is none or it is due. The
 * only command that prints a token.
 */
export async function runAuthToken(command: Command): Promise<void> {
  const { output } = command.opts<{ output?: 'text' | 'json' }>();
  const client = await createClient(command);
  const { accessToken, expiresIn } = await client.getAccessToken();
  if (output === 'json') writeJson({ access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn });
  else write(`${accessToken}\n`);
}
