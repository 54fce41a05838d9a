// A two-node world for driver tests: node "a" connects to node "b" and sends chunks; "b"
// collects what arrives. Hand-written machines (no XState) keep the tests about the
// network, and every event each side saw is kept for the assertions.

import type { Effect, OutputLimits } from '../../src/core/effects.js';
import type { AnyEventObject } from '../../src/core/events.js';
import type { FaultSchedule } from '../../src/drivers/sim/faults.js';
import type { TcpOptions } from '../../src/drivers/sim/sim-driver.js';
import type { SimStep, WorldOptions } from '../../src/drivers/sim/world.js';
import { SimWorld } from '../../src/drivers/sim/world.js';
import { handMachine } from '../support/hand-machine.js';

export interface PipeOptions {
  readonly seed: number;
  readonly chunks: readonly Uint8Array[];
  readonly faults?: FaultSchedule;
  readonly limits?: OutputLimits;
  readonly tcp?: Partial<TcpOptions>;
  /** The receiver pauses reading on accept and resumes after this long (never if Infinity). */
  readonly pauseMs?: number;
  /** Where the sender connects (default b:9). */
  readonly host?: string;
  readonly port?: number;
  readonly world?: Partial<WorldOptions>;
}

export interface PipeRun {
  readonly world: SimWorld;
  readonly received: () => Uint8Array;
  /** Every event each side's connection machine received, in order. */
  readonly senderEvents: AnyEventObject[];
  readonly receiverEvents: AnyEventObject[];
  readonly steps: SimStep[];
}

const sender = (chunks: readonly Uint8Array[], host: string, port: number, limits: OutputLimits | undefined) =>
  handMachine<null>(
    'sender',
    () => ({ state: 'connecting', context: null, effects: [{ type: 'connect', host, port, timeoutMs: 2_000, ...(limits && { limits }) }] }),
    (state, context, event) => {
      switch (event.type) {
        case 'connected':
          return { state: 'sending', context, effects: [...chunks.map((data): Effect => ({ type: 'write', data })), { type: 'shutdown' }] };
        case 'peer-closed':
          return { state: 'closing', context, effects: [{ type: 'close', mode: 'graceful', reason: { kind: 'peer-closed' } }] };
        case 'connect-failed':
        case 'closed':
          return { state: 'closed', context, done: true };
        default:
          return { state, context };
      }
    },
  );

const receiver = (pauseMs: number) =>
  handMachine<null>(
    'receiver',
    () => ({ state: 'accepting', context: null }),
    (state, context, event) => {
      switch (event.type) {
        case 'accepted':
          return Number.isFinite(pauseMs)
            ? { state: 'paused', context, effects: [{ type: 'pauseReading' }, { type: 'startTimer', name: 'resume', delayMs: pauseMs }] }
            : { state: 'open', context };
        case 'timeout':
          return { state: 'open', context, effects: [{ type: 'resumeReading' }] };
        case 'peer-closed':
          return { state: 'closing', context, effects: [{ type: 'close', mode: 'graceful', reason: { kind: 'peer-closed' } }] };
        case 'closed':
          return { state: 'closed', context, done: true };
        default:
          return { state, context };
      }
    },
  );

const owner = handMachine<null>(
  'owner',
  () => ({ state: 'listening', context: null, effects: [{ type: 'listen', listener: 'l', host: 'b', port: 9, machine: 'receiver' }] }),
  (state, context) => ({ state, context }),
);

export function runPipe(options: PipeOptions): PipeRun {
  const world = new SimWorld({ seed: options.seed, ...(options.tcp && { tcp: options.tcp }), ...options.world });
  const steps: SimStep[] = [];
  const senderEvents: AnyEventObject[] = [];
  const receiverEvents: AnyEventObject[] = [];
  const parts: Uint8Array[] = [];
  world.observe({
    step(step) {
      steps.push(step);
      const { machine, event } = step.step;
      if (machine === 'sender') senderEvents.push(event);
      if (machine.startsWith('l#')) {
        receiverEvents.push(event);
        // Copy: a segment may be a view of a buffer the sender reuses.
        if (event.type === 'data') parts.push(new Uint8Array(event['bytes'] as Uint8Array));
      }
    },
  });
  world.addNode({
    name: 'b',
    boot(node) {
      node.dispatcher.register('owner', owner).register('receiver', receiver(options.pauseMs ?? Number.POSITIVE_INFINITY));
      node.dispatcher.spawn('owner', 'owner');
    },
  });
  world.addNode({
    name: 'a',
    boot(node) {
      node.dispatcher.register('sender', sender(options.chunks, options.host ?? 'b', options.port ?? 9, options.limits));
      // After b's listener is up.
      node.after(1, () => node.dispatcher.spawn('sender', 'sender'));
    },
  });
  world.schedule(options.faults ?? []);
  world.run({ until: 60_000, maxEvents: 1_000_000 });
  return {
    world,
    steps,
    senderEvents,
    receiverEvents,
    received: () => {
      const total = parts.reduce((n, part) => n + part.byteLength, 0);
      const out = new Uint8Array(total);
      let at = 0;
      for (const part of parts) {
        out.set(part, at);
        at += part.byteLength;
      }
      return out;
    },
  };
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
