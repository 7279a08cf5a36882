import { CodexError } from './errors';

/** SHA-256 of a string, in hex (Web Crypto; missing only in browser pages that are not secure contexts). */
export async function sha256Hex(text: string, purpose: string): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle)
    throw new CodexError(`${purpose} needs Web Crypto (crypto.subtle): use https or a server runtime.`, {
      code: 'unsupported_runtime',
    });
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
