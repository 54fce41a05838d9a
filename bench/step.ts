// What one event costs on the per-message path: a hand-written switch, statewire's
// compiled step, XState's actor (`createActor(...).send`) and XState's pure
// `transition()`, all driving the canonical connection lifecycle through the same
// realistic script (accept, handshake, echo traffic with idle-timer resets, backpressure,
// QUIT, close). Before timing, the switch and the compiled step are checked to produce
// the same snapshots and effects, so the baseline does the same work.
//
//   npm run build && node dist/bench/step.js

import { isDeepStrictEqual } from 'node:util';
import { pathToFileURL } from 'node:url';
import { createActor, initialTransition, transition } from 'xstate';
import type { AnyMachineSnapshot } from 'xstate';
import { connectionLifecycleMachine, lifecycleContext } from '../machines/connection-lifecycle.js';
import type { LifecycleContext, LifecycleInput } from '../machines/connection-lifecycle.js';
import type { Effect } from '../src/core/effects.js';
import type { AnyEventObject } from '../src/core/events.js';
import { compileMachine } from '../src/machine/compile.js';
import type { CompiledSnapshot, StepResult } from '../src/machine/compiled.js';
import { StepBuffer } from '../src/machine/compiled.js';

export interface StepFigure {
  readonly name: string;
  readonly nsPerEvent: number;
  readonly events: number;
}

const INPUT = { handshakeMs: 5_000, ackMs: 5_000, idleMs: 30_000, lingerMs: 2_000 } satisfies LifecycleInput;
const encoder = new TextEncoder();
const address = { host: '127.0.0.1', port: 40000 };
const line = (text: string): AnyEventObject => ({ type: 'message', frame: encoder.encode(text) });

/** One connection's life: 20 events, ending in the final state. */
const SCRIPT: readonly AnyEventObject[] = [
  { type: 'accepted', remote: address, local: address },
  line('HELLO'),
  line('ACK'),
  ...Array.from({ length: 8 }, (_, i) => line(`echo ${i}`)),
  { type: 'backpressure', bufferedBytes: 70_000 },
  line('while draining'),
  { type: 'drained' },
  ...Array.from({ length: 4 }, (_, i) => line(`more ${i}`)),
  { type: 'unknown-app-event' },
  line('QUIT'),
  { type: 'closed', reason: { kind: 'local', detail: 'quit' } },
];

// ---------------------------------------------------------------------------------------
// The baseline: the lifecycle's canonical HELLO/ACK/echo protocol as a hand switch, for
// the events of SCRIPT (checkBaseline proves it equal there; timers and shutdown are left out).

type HandStateName = 'accepting' | 'handshake' | 'awaitingAck' | 'connected' | 'draining' | 'closing' | 'closed';

interface HandSnapshot {
  readonly state: HandStateName;
  readonly context: LifecycleContext;
  readonly status: 'active' | 'done';
}

const ID = 'connection-lifecycle';
const timerName = (delay: string, state: string): string => `xstate.after.${delay}.${ID}.${state}`;
const HANDSHAKE_TIMER = timerName('handshakeTimeout', 'handshake');
const ACK_TIMER = timerName('ackTimeout', 'awaitingAck');
const IDLE_TIMER = timerName('idleTimeout', 'connected');
const LINGER_TIMER = timerName('lingerTimeout', 'closing');
const cancel = (name: string): Effect => ({ type: 'cancelTimer', name });
const CANCEL_HANDSHAKE = cancel(HANDSHAKE_TIMER);
const CANCEL_ACK = cancel(ACK_TIMER);
const CANCEL_IDLE = cancel(IDLE_TIMER);
const CANCEL_LINGER = cancel(LINGER_TIMER);
const WELCOME: Effect = { type: 'write', data: 'WELCOME\n' };
const BYE: Effect = { type: 'write', data: 'BYE\n' };
const PAUSE: Effect = { type: 'pauseReading' };
const RESUME: Effect = { type: 'resumeReading' };
const CLOSE_QUIT: Effect = { type: 'close', reason: { kind: 'local', detail: 'quit' }, mode: 'graceful' };
const NO_EFFECTS: readonly Effect[] = [];
/** Exit actions per state: the cancel of the state's `after` timer. */
const EXIT: Readonly<Record<HandStateName, readonly Effect[]>> = {
  accepting: NO_EFFECTS,
  handshake: [CANCEL_HANDSHAKE],
  awaitingAck: [CANCEL_ACK],
  connected: [CANCEL_IDLE],
  draining: NO_EFFECTS,
  closing: [CANCEL_LINGER],
  closed: NO_EFFECTS,
};
const decoder = new TextDecoder();

function start(name: string, delayMs: number): Effect[] {
  return Number.isFinite(delayMs) ? [{ type: 'startTimer', name, delayMs, event: { type: name } }] : [];
}

function closeProtocol(message: string): Effect {
  return { type: 'close', reason: { kind: 'protocol-error', message }, mode: 'graceful' };
}

function handInitial(input: LifecycleInput): { snapshot: HandSnapshot; effects: readonly Effect[] } {
  return { snapshot: { state: 'accepting', context: lifecycleContext(input), status: 'active' }, effects: NO_EFFECTS };
}

function to(s: HandSnapshot, state: HandStateName, effects: readonly Effect[]) {
  const snapshot: HandSnapshot = { state, context: s.context, status: state === 'closed' ? 'done' : 'active' };
  return { snapshot, effects };
}

/** Leave `s` for closing after `actions` (a close among them): the linger timer starts. */
function toClosing(s: HandSnapshot, exit: readonly Effect[], actions: readonly Effect[]) {
  return to(s, 'closing', [...exit, ...actions, ...start(LINGER_TIMER, s.context.timeouts.lingerMs)]);
}

function handStep(s: HandSnapshot, e: AnyEventObject): { snapshot: HandSnapshot; effects: readonly Effect[] } {
  if (s.status === 'done') return { snapshot: s, effects: NO_EFFECTS };
  const t = s.context.timeouts;
  const exit = EXIT[s.state];
  switch (s.state) {
    case 'accepting':
      if (e.type === 'accepted') return to(s, 'handshake', start(HANDSHAKE_TIMER, t.handshakeMs));
      break;
    case 'handshake':
      if (e.type === 'message') {
        if (decoder.decode(e['frame'] as Uint8Array) === 'HELLO') {
          return to(s, 'awaitingAck', [CANCEL_HANDSHAKE, WELCOME, ...start(ACK_TIMER, t.ackMs)]);
        }
        return toClosing(s, exit, [closeProtocol('expected HELLO')]);
      }
      break;
    case 'awaitingAck':
      if (e.type === 'message') {
        if (decoder.decode(e['frame'] as Uint8Array) === 'ACK') {
          return to(s, 'connected', [CANCEL_ACK, ...start(IDLE_TIMER, t.idleMs)]);
        }
        return toClosing(s, exit, [closeProtocol('expected ACK')]);
      }
      break;
    case 'connected':
    case 'draining':
      if (e.type === 'message') {
        const text = decoder.decode(e['frame'] as Uint8Array);
        if (text === 'QUIT') return toClosing(s, exit, [BYE, CLOSE_QUIT]);
        const write: Effect = { type: 'write', data: `${text}\n` };
        // In connected, traffic re-enters the state: the idle timer restarts.
        if (s.state === 'connected') return to(s, 'connected', [CANCEL_IDLE, write, ...start(IDLE_TIMER, t.idleMs)]);
        return to(s, 'draining', [write]);
      }
      if (e.type === 'backpressure' && s.state === 'connected') return to(s, 'draining', [CANCEL_IDLE, PAUSE]);
      if (e.type === 'drained' && s.state === 'draining') {
        return to(s, 'connected', [RESUME, ...start(IDLE_TIMER, t.idleMs)]);
      }
      break;
    case 'closing':
      // Closing swallows everything but the end of the connection.
      if (e.type === 'closed' || e.type === 'connect-failed') return to(s, 'closed', exit);
      return { snapshot: s, effects: NO_EFFECTS };
    case 'closed':
      break;
  }
  switch (e.type) {
    case 'closed':
    case 'connect-failed':
      return to(s, 'closed', exit);
    case 'peer-closed':
      return toClosing(s, exit, [{ type: 'close', reason: { kind: 'peer-closed' }, mode: 'graceful' }]);
    case 'backpressure':
      return { snapshot: s, effects: [PAUSE] };
    case 'drained':
      return { snapshot: s, effects: [RESUME] };
    default:
      return { snapshot: s, effects: NO_EFFECTS };
  }
}

// ---------------------------------------------------------------------------------------
// Runners: each plays the script over and over (a new connection after each end) for
// `events` events and returns ns per event. The initial entry counts as an event. The loop
// is written out per runner: one shared loop calling the step through a function would
// add an indirect call to every runner, the baseline included.

function timeNs(run: () => void): number {
  const t0 = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - t0);
}

function runHand(events: number): void {
  let current = handInitial(INPUT).snapshot;
  for (let n = 0, i = 0; n < events; n++) {
    if (current.status === 'done') {
      current = handInitial(INPUT).snapshot;
      i = 0;
      continue;
    }
    current = handStep(current, SCRIPT[i++ % SCRIPT.length] as AnyEventObject).snapshot;
  }
}

const compiled = compileMachine<LifecycleContext>(connectionLifecycleMachine);

function runCompiled(events: number): void {
  let current: CompiledSnapshot<LifecycleContext> = compiled.initial(INPUT).snapshot;
  for (let n = 0, i = 0; n < events; n++) {
    if (current.status === 'done') {
      current = compiled.initial(INPUT).snapshot;
      i = 0;
      continue;
    }
    current = compiled.step(current, SCRIPT[i++ % SCRIPT.length] as AnyEventObject).snapshot;
  }
}

/** The dispatcher's path: `stepInto` one reused buffer, released after each step as the dispatcher does. */
function runCompiledInto(events: number): void {
  const out = new StepBuffer<LifecycleContext>();
  let current: CompiledSnapshot<LifecycleContext> = compiled.initial(INPUT).snapshot;
  for (let n = 0, i = 0; n < events; n++) {
    if (current.status === 'done') {
      current = compiled.initial(INPUT).snapshot;
      i = 0;
      continue;
    }
    compiled.stepInto?.(current, SCRIPT[i++ % SCRIPT.length] as AnyEventObject, out);
    current = out.snapshot;
    out.release();
  }
}

/** An event no state handles: the cost of the lookup that finds nothing. */
function runCompiledUnhandled(events: number): void {
  const event: AnyEventObject = { type: 'unknown-app-event' };
  let current = compiled.initial(INPUT).snapshot;
  for (let n = 0; n < events; n++) current = compiled.step(current, event).snapshot;
}

function runActor(events: number): void {
  let actor = createActor(connectionLifecycleMachine, { input: INPUT }).start();
  for (let n = 0, i = 0; n < events; n++) {
    if (actor.getSnapshot().status === 'done') {
      actor.stop();
      actor = createActor(connectionLifecycleMachine, { input: INPUT }).start();
      i = 0;
      continue;
    }
    actor.send(SCRIPT[i++ % SCRIPT.length] as never);
  }
  actor.stop();
}

function runTransition(events: number): void {
  let current: AnyMachineSnapshot = initialTransition(connectionLifecycleMachine, INPUT)[0];
  for (let n = 0, i = 0; n < events; n++) {
    if (current.status === 'done') {
      current = initialTransition(connectionLifecycleMachine, INPUT)[0];
      i = 0;
      continue;
    }
    current = transition(connectionLifecycleMachine, current, SCRIPT[i++ % SCRIPT.length] as never)[0];
  }
}

/** The switch must match the compiled step on the script, or the comparison means nothing. */
function checkBaseline(): void {
  let hand = handInitial(INPUT);
  let step: StepResult<LifecycleContext> = compiled.initial(INPUT);
  for (const event of SCRIPT) {
    hand = handStep(hand.snapshot, event);
    step = compiled.step(step.snapshot, event);
    const same =
      hand.snapshot.state === step.snapshot.state &&
      hand.snapshot.status === step.snapshot.status &&
      isDeepStrictEqual(hand.snapshot.context, step.snapshot.context) &&
      isDeepStrictEqual(hand.effects, step.effects);
    if (!same) {
      throw new Error(`bench baseline differs from the compiled step on ${JSON.stringify(event)}:
  switch:   ${JSON.stringify(hand)}
  compiled: ${JSON.stringify(step)}`);
    }
  }
  if (step.snapshot.status !== 'done') throw new Error('bench script must end the connection');
}

/** Events per runner: enough for a stable figure, bounded for the slow ones. */
export interface StepBenchOptions {
  readonly fastEvents?: number;
  readonly actorEvents?: number;
  readonly transitionEvents?: number;
}

export function benchStep(options: StepBenchOptions = {}): StepFigure[] {
  const { fastEvents = 1_000_000, actorEvents = 100_000, transitionEvents = 20_000 } = options;
  checkBaseline();
  const runners: ReadonlyArray<readonly [string, (events: number) => void, number]> = [
    ['hand-written switch', runHand, fastEvents],
    ['statewire compiled step', runCompiled, fastEvents],
    ['statewire stepInto (dispatcher)', runCompiledInto, fastEvents],
    ['statewire step, unhandled event', runCompiledUnhandled, fastEvents],
    ['XState actor.send', runActor, actorEvents],
    ['XState transition()', runTransition, transitionEvents],
  ];
  return runners.map(([name, run, events]) => {
    run(Math.max(1, Math.floor(events / 10))); // warm-up: let the JIT settle
    return { name, nsPerEvent: timeNs(() => run(events)) / events, events };
  });
}

function printTable(figures: readonly StepFigure[]): void {
  const base = figures[0]?.nsPerEvent ?? 1;
  console.log(`per-event cost, connection lifecycle (${SCRIPT.length}-event script), Node ${process.version}`);
  for (const { name, nsPerEvent, events } of figures) {
    const ns = nsPerEvent.toFixed(0).padStart(8);
    const ratio = `${(nsPerEvent / base).toFixed(1)}x`.padStart(8);
    console.log(`  ${name.padEnd(32)} ${ns} ns/event ${ratio}   (${events} events)`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `--json --events N`: how `npm run bench` runs it, in a process of its own; one JSON line.
  const at = process.argv.indexOf('--events');
  const events = at === -1 ? 1_000_000 : Number(process.argv[at + 1]);
  const figures = benchStep({ fastEvents: events, actorEvents: events / 10, transitionEvents: events / 50 });
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(figures)}\n`);
  else printTable(figures);
}
