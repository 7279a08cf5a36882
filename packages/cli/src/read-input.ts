import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { UsageError } from './usage-error';

/** The API's largest request body (128 MiB, a full batch): `--data -` reads no more. */
export const MAX_DATA_BYTES = 128 * 1024 * 1024;

/** All of stdin as UTF-8, for `--data -`; a UsageError past `max` bytes, without reading further. */
export async function readStdin(max = MAX_DATA_BYTES, stream: Readable = process.stdin): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of stream) {
    size += (part as Buffer).length;
    if (size > max) {
      stream.destroy();
      throw new UsageError(`--data - read more than ${max} bytes from stdin, the API's largest body`);
    }
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The stream of a file argument, `-` being stdin. */
export function openInput(path: string): Readable {
  return path === '-' ? process.stdin : createReadStream(path);
}
