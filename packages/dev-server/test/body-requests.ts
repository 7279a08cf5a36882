import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { RunningServer } from '../src/server';

// Requests whose body is sent by hand, to see when the server answers relative to what it was sent.

/**
 * Sends headers and `first` (the start of a body), then nothing more and never ends the body,
 * and resolves with the response. A server that reads the whole body before answering never
 * answers this: the request is aborted after `waitMs` and the promise rejects.
 */
export function stalledBody(
  server: RunningServer,
  path: string,
  headers: Record<string, string>,
  first: Uint8Array | string,
  waitMs = 3_000,
  method = 'POST',
): Promise<{ status: number; headers: IncomingMessage['headers']; body: { error: { code: string; param?: string } } }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) });
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no response within ${waitMs} ms: the server waited for the whole body`));
    }, waitMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.write(first);
  });
}

export type StreamedAnswer = {
  status: number;
  body: { error: { code: string } };
  /** Body bytes the client had handed to its socket when the answer arrived. */
  sentBeforeAnswer: number;
};

const MiB = 1024 * 1024;
// One buffer, sent again and again: the client holds 1 MiB whatever the body's size, so that
// memory measured in this process is the server's.
const FILLER = Buffer.alloc(MiB, 'x');

/**
 * POSTs `{"title":"t","content":"xxx…"}` of `totalBytes` bytes to `path`, chunked, writing only as
 * fast as the server reads (backpressure), and stops writing as soon as the answer arrives. A
 * server that reads the whole body before answering gets all of it (`sentBeforeAnswer === totalBytes`).
 */
export function streamedBody(
  server: RunningServer,
  path: string,
  headers: Record<string, string>,
  totalBytes: number,
): Promise<StreamedAnswer> {
  const head = Buffer.from('{"title":"t","content":"');
  const tail = Buffer.from('"}');
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = httpRequest(
      `${server.url}${path}`,
      { method: 'POST', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', ...headers } },
      (res) => {
        answered = true;
        const sentBeforeAnswer = sent;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), sentBeforeAnswer });
        });
      },
    );
    // Once answered, the server may drop the connection while we write: that is expected.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const write = (piece: Buffer) => {
      sent += piece.byteLength;
      return req.write(piece);
    };
    const pump = () => {
      if (sent === 0 && !write(head)) return void req.once('drain', pump);
      while (!answered) {
        const left = totalBytes - tail.byteLength - sent;
        if (left <= 0) {
          write(tail);
          req.end();
          return;
        }
        if (!write(left >= FILLER.byteLength ? FILLER : FILLER.subarray(0, left))) {
          return void req.once('drain', pump);
        }
      }
    };
    pump();
  });
}
