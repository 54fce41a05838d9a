// The `persist` effect goes to the driver's durable storage; a driver without one (`net`,
// the fake driver) gets nothing and the dispatcher logs it (debug) instead of failing.

import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/logger.js';
import { Dispatcher } from '../../src/dispatcher/dispatcher.js';
import { FakeDriver } from '../support/fake-driver.js';
import { handMachine } from '../support/hand-machine.js';

const persisting = handMachine('persisting', () => ({ state: 'up', context: null, effects: [{ type: 'persist', key: 'epoch', value: { n: 3 } }] }), () => null);

describe('persist', () => {
  it('hands key and value to a driver that has storage', () => {
    const stored: [string, unknown][] = [];
    const driver = Object.assign(new FakeDriver(), { persist: (key: string, value: unknown) => stored.push([key, value]) });
    new Dispatcher({ driver }).register('p', persisting).spawn('p', 'p');
    expect(stored).toEqual([['epoch', { n: 3 }]]);
  });

  it('logs and drops it when the driver has none', () => {
    const logs: string[] = [];
    const logger: Logger = { enabled: () => true, log: (level, message) => logs.push(`${level} ${message}`) };
    const dispatcher = new Dispatcher({ driver: new FakeDriver(), logger }).register('p', persisting);
    dispatcher.spawn('p', 'p');
    expect(logs).toContainEqual('debug p: persist epoch dropped: the driver has no durable storage');
    expect(dispatcher.snapshotOf('p')?.state).toBe('up');
  });
});
