// A plain node:net client for loopback tests: collects what it receives and waits for
// text with a deadline. Only 127.0.0.1.

import net from 'node:net';

export interface TestClient {
  readonly socket: net.Socket;
  received(): string;
  /** Resolves once the received text matches; rejects after the deadline. */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
  /** Resolves when the server closed the connection (with whatever reason). */
  closed(timeoutMs?: number): Promise<void>;
}

export function connectClient(port: number, timeoutMs = 5_000): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let text = '';
    let isClosed = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => {});
    socket.on('close', () => (isClosed = true));
    const timer = setTimeout(() => reject(new Error(`connect to 127.0.0.1:${port} timed out`)), timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve({
        socket,
        received: () => text,
        waitFor: (pattern, waitMs = 5_000) => poll(() => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)), waitMs, () => `waiting for ${String(pattern)}; received ${JSON.stringify(text.slice(-300))}`),
        closed: (waitMs = 5_000) => poll(() => isClosed, waitMs, () => `connection still open; received ${JSON.stringify(text.slice(-300))}`),
      });
    });
  });
}

export function poll(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = (): void => {
      if (condition()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out after ${timeoutMs} ms: ${describe()}`));
      setTimeout(check, 5);
    };
    check();
  });
}
