// docs/writing-a-machine.md, checked: the doc shows machines/examples/ping.ts verbatim, and
// each `doc:begin` .. `doc:end` region below appears in it unchanged and runs here,
// through the real dispatcher with a scripted driver.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/logger.js';
import { Dispatcher } from '../../src/dispatcher/dispatcher.js';
import { compileMachine } from '../../src/machine/compile.js';
import { echoConnection, echoServer } from '../../machines/echo.js';
import { pingConnection } from '../../machines/examples/ping.js';
import { FakeDriver } from '../support/fake-driver.js';
import { Drive, line } from './harness.js';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
const doc = read('../../docs/writing-a-machine.md');

/** The regions are indented in this file; the doc shows them flush left. */
function dedent(text: string): string {
  const indent = Math.min(...[...text.matchAll(/^( *)\S/gm)].map((m) => m[1]?.length ?? 0));
  return text.replace(new RegExp(`^ {${indent}}`, 'gm'), '');
}

const local = { host: '127.0.0.1', port: 7000 };
const remote = { host: '127.0.0.1', port: 50_000 };

function serve() {
  const driver = new FakeDriver();
  const logs: string[] = [];
  const logger: Logger = { enabled: (level) => level !== 'debug', log: (level, message) => logs.push(`${level} ${message}`) };
  // doc:begin serve
  const dispatcher = new Dispatcher({ driver, logger });
  dispatcher.register('echo-server', compileMachine(echoServer));
  dispatcher.register('ping-connection', compileMachine(pingConnection));
  dispatcher.spawn('ping-server', 'echo-server', {
    host: '127.0.0.1',
    port: 7000,
    statusIntervalMs: Infinity,
    maxConnections: 1_000,
    connectionMachine: 'ping-connection',
    connectionInput: { idleMs: 60_000 },
    codec: { kind: 'lines', maxLineBytes: 1024 },
  });
  // doc:end
  return { driver, dispatcher, logs };
}

const written = (driver: FakeDriver, conn: number) =>
  driver
    .ops('write')
    .filter((call) => call.conn === conn)
    .map((call) => call.text)
    .join('');

describe('docs/writing-a-machine.md', () => {
  it('shows machines/examples/ping.ts in full', () => {
    expect(doc).toContain(`\`\`\`ts\n${read('../../machines/examples/ping.ts')}\`\`\``);
  });

  it('shows the regions of this file unchanged', () => {
    const regions = [...read(import.meta.url).matchAll(/\/\/ doc:begin \w+\n([\s\S]*?)\/\/ doc:end\n/g)];
    expect(regions).toHaveLength(2);
    for (const [, region = ''] of regions) expect(doc).toContain(dedent(region));
  });

  it('the example test passes', () => {
    // doc:begin test
    const drive = Drive.start(pingConnection, { idleMs: 30_000 });
    drive.send({ type: 'accepted', remote, local });
    expect(drive.state).toBe('handshake');
    drive.send(line('HELLO alice'));
    expect(drive.send(line('PING 42'))).toContainEqual({ type: 'write', data: 'PONG 42\n' });
    expect(drive.fire('idleTimeout', 'connected')).toContainEqual({
      type: 'close',
      reason: { kind: 'timeout', timer: 'idle' },
      mode: 'graceful',
    });
    // doc:end
  });

  it('serves ping through the dispatcher: the session of the doc', () => {
    const { driver, logs } = serve();
    expect(driver.ops('listen')).toEqual([
      { op: 'listen', listener: 'echo', options: { host: '127.0.0.1', port: 7000, limits: expect.any(Object) } },
    ]);
    driver.emit({ type: 'listening', listener: 'echo', address: local });
    driver.emit({ type: 'accepted', listener: 'echo', conn: 1, remote, local });
    driver.emit({ type: 'data', conn: 1, bytes: new TextEncoder().encode('HELLO alice\nPING\nPING 42\nQUIT\n') });
    expect(written(driver, 1)).toBe('HELLO ping/1\nWELCOME alice\nPONG\nPONG 42\nBYE alice\n');
    expect(driver.ops('close')).toEqual([
      { op: 'close', conn: 1, mode: 'graceful', reason: { kind: 'local', detail: 'quit' } },
    ]);
    driver.emit({ type: 'closed', conn: 1, reason: { kind: 'local', detail: 'quit' } });
    expect(logs).toContain('info ping-server: echo listening on 127.0.0.1:7000');
  });

  it('serves echo through the dispatcher: echo, status broadcast, linger', () => {
    const driver = new FakeDriver();
    const dispatcher = new Dispatcher({ driver });
    dispatcher.register('echo-server', compileMachine(echoServer));
    dispatcher.register('echo-connection', compileMachine(echoConnection));
    dispatcher.spawn('server', 'echo-server', {
      host: '127.0.0.1',
      port: 9000,
      statusIntervalMs: 5_000,
      maxConnections: 10,
      connectionMachine: 'echo-connection',
      connectionInput: { lingerMs: 1_000 },
    });
    driver.emit({ type: 'listening', listener: 'echo', address: local });
    driver.emit({ type: 'accepted', listener: 'echo', conn: 1, remote, local });
    driver.emit({ type: 'data', conn: 1, bytes: new TextEncoder().encode('hello\n') });
    driver.advance(5_000);
    expect(written(driver, 1)).toBe('hello\nServer status: 1 active connections\n');
    // The client half-closes and then never finishes: linger aborts it.
    driver.emit({ type: 'peer-closed', conn: 1 });
    driver.advance(1_000);
    expect(driver.ops('close')).toEqual([
      { op: 'close', conn: 1, mode: 'graceful', reason: { kind: 'peer-closed' } },
      { op: 'close', conn: 1, mode: 'abort', reason: { kind: 'timeout', timer: 'linger' } },
    ]);
  });
});
