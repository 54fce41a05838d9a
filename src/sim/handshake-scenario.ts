// The handshake scenario: one server node and up to four client nodes; each client machine
// starts at a seeded time in the first half of the run, shakes hands, exchanges three
// PINGs and closes. Invariants, after every step:
//   state-bounds     every bounded state is left within its timeout (never stuck)
//   timer-scope      no `after` timer outlives its state
//   max-connections  the server never holds more connections than its limit
//   epochs           each server boot persists an epoch above the one before (persistence works)
//   sessions         no session id is handed out twice
//   outcome          a client that ends has a close reason
// Faults come from the schedule; the network adds latency, jitter, cut segments and drift.

import {
  EPOCH_KEY,
  handshakeClient,
  handshakeConnection,
  handshakeServer,
} from '../../machines/handshake.js';
import type { HandshakeClientContext, HandshakeClientInput, HandshakeServerInput } from '../../machines/handshake.js';
import type { LifecycleTimeouts } from '../../machines/connection-lifecycle.js';
import type { CloseReason } from '../core/close-reason.js';
import type { NodeBoot } from '../drivers/sim/world.js';
import { incarnationKey, SimWorld } from '../drivers/sim/world.js';
import { compileMachine } from '../machine/compile.js';
import type { CompiledMachine } from '../machine/compiled.js';
import type { Invariant, InvariantContext, InvariantFactory } from './invariant.js';
import { InvariantSuite } from './invariant.js';
import { machineId } from './per-machine.js';
import type { Scenario, ScenarioConfig, ScenarioReport } from './scenario.js';
import { stateBounds } from './state-bounds.js';
import { timerScope } from './timer-scope.js';

export const SERVER_NODE = 'server';
const PORT = 7000;
const MAX_CLIENT_NODES = 4;
const MAX_DRIFT_PPM = 2_000;
const PINGS = 3;
const CONNECT_TIMEOUT_MS = 2_000;
const TIMEOUTS: LifecycleTimeouts = { handshakeMs: 1_000, ackMs: 1_000, idleMs: 5_000, lingerMs: 500 };
const SWEEP_INTERVAL_MS = 250;
/** A wide-area network: a handshake takes ~100 ms, long enough for faults to land inside one. */
const LINK = { latencyMs: 20, jitterMs: 10, bandwidthBytesPerMs: 10_000 };

let compiled: ReadonlyMap<string, CompiledMachine> | null = null;

/** Compiled once per process: compiled machines are pure and shared by every node. */
function shippedMachines(): ReadonlyMap<string, CompiledMachine> {
  compiled ??= new Map<string, CompiledMachine>([
    ['handshake-server', compileMachine(handshakeServer)],
    ['handshake-connection', compileMachine(handshakeConnection)],
    ['handshake-client', compileMachine(handshakeClient)],
  ]);
  return compiled;
}

function clientNodes(clients: number): string[] {
  const count = Math.max(1, Math.min(MAX_CLIENT_NODES, clients));
  return Array.from({ length: count }, (_, i) => `client${i + 1}`);
}

function maxConnections(clients: number): number {
  // Below the client count, so the limit is reached and refusals happen.
  return Math.max(1, Math.ceil(clients * 0.8));
}

function isClient(machine: string): boolean {
  return machine.startsWith('c');
}

function settleMs(): number {
  const worst = CONNECT_TIMEOUT_MS + TIMEOUTS.handshakeMs + TIMEOUTS.ackMs + TIMEOUTS.idleMs + TIMEOUTS.lingerMs;
  return Math.ceil(worst * (1 + MAX_DRIFT_PPM / 1e6)) + 1_000;
}

export const handshakeScenario: Scenario = {
  name: 'handshake',
  summary: 'clients shake hands with one server under faults; every client connects or closes with a reason in bounded time',
  nodes: (clients) => [SERVER_NODE, ...clientNodes(clients)],
  settleMs,
  run(config) {
    return runHandshake(config);
  },
};

function runHandshake(config: ScenarioConfig): ScenarioReport {
  const started = performance.now();
  const machines = new Map(shippedMachines());
  for (const [kind, machine] of config.machines ?? []) machines.set(kind, machine);
  const world = new SimWorld({ seed: config.seed, link: LINK, maxDriftPpm: MAX_DRIFT_PPM, hashTrace: config.hashTrace === true });
  const limit = maxConnections(config.clients);
  const outcomes: Record<string, number> = {};
  const tally = (outcome: string): void => {
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  };
  // Clients mostly end for one reason, the same object each time: its key is built once.
  let lastReason: CloseReason | null | undefined;
  let lastClosedKey = '';
  const closedKey = (reason: CloseReason | null): string => {
    if (reason !== lastReason) {
      lastReason = reason;
      lastClosedKey = `closed:${outcomeOf(reason)}`;
    }
    return lastClosedKey;
  };
  const nodes = clientNodes(config.clients);
  /** Per client node, its clients that are running: those a crash or the end of the run stops. */
  const running = new Map<string, Set<string>>(nodes.map((node) => [node, new Set<string>()]));
  /** Counts the clients of `node` that reached Connected and still run, and forgets them. */
  const countConnectedLive = (node: string): void => {
    const ids = running.get(node);
    const dispatcher = world.dispatcherOf(node);
    if (ids === undefined) return;
    for (const id of ids) {
      if ((dispatcher?.snapshotOf(id)?.context as HandshakeClientContext | undefined)?.connected === true) tally('connected');
    }
    ids.clear();
  };
  // Each client that reached Connected counts once: when it ends, when its node crashes,
  // or at the end of the run. No step observer: tracing every step would cost ~10%.
  world.observe({
    retire(node, _incarnation, machine, snapshot) {
      if (!isClient(machine)) return;
      running.get(node)?.delete(machine);
      const context = snapshot.context as HandshakeClientContext;
      if (context.connected) tally('connected');
      tally(closedKey(context.closeReason));
    },
    crash: countConnectedLive,
  });
  if (config.observer !== undefined) world.observe(config.observer);

  const until = config.durationMs + settleMs();
  const suite = config.invariants === false ? null : new InvariantSuite(world, handshakeInvariants(limit));
  suite?.sweepEvery(SWEEP_INTERVAL_MS, until);

  // Start times are drawn before the run, from the world's one PRNG: part of the seed's run.
  const startAt = Array.from({ length: config.clients }, () => world.prng.float() * (config.durationMs / 2));
  world.addNode({
    name: SERVER_NODE,
    boot(node) {
      registerAll(node, machines);
      const input: HandshakeServerInput = {
        host: SERVER_NODE,
        port: PORT,
        maxConnections: limit,
        previousEpoch: Number(node.storage.get(EPOCH_KEY) ?? 0),
        connection: TIMEOUTS,
      };
      node.dispatcher.spawn('server', 'handshake-server', input);
    },
  });
  nodes.forEach((name, nodeIndex) => {
    world.addNode({
      name,
      boot(node) {
        registerAll(node, machines);
        const live = running.get(name);
        for (let i = nodeIndex; i < config.clients; i += nodes.length) {
          // A restarted node starts its clients again, shortly after boot.
          const delay = node.incarnation === 1 ? (startAt[i] ?? 0) : world.prng.float() * 100;
          const id = `c${i}`;
          const input: HandshakeClientInput = {
            host: SERVER_NODE,
            port: PORT,
            clientId: `c${i}.${node.incarnation}`,
            connectTimeoutMs: CONNECT_TIMEOUT_MS,
            pings: PINGS,
            timeouts: TIMEOUTS,
          };
          node.after(delay, () => {
            live?.add(id);
            node.dispatcher.spawn(id, 'handshake-client', input);
          });
        }
      },
    });
  });
  world.schedule(config.faults);

  const stats = world.run({
    until,
    ...(config.progress === undefined
      ? {}
      : { progress: { everyEvents: config.progressEvery ?? 1_000_000, report: config.progress } }),
  });
  suite?.sweep(true);
  for (const node of nodes) countConnectedLive(node);
  return {
    stats,
    violations: suite?.violations ?? [],
    checks: suite?.checks ?? 0,
    hash: config.hashTrace === true ? world.traceHash() : null,
    outcomes,
    wallMs: performance.now() - started,
  };
}

function registerAll(node: NodeBoot, machines: ReadonlyMap<string, CompiledMachine>): void {
  for (const [kind, machine] of machines) node.dispatcher.register(kind, machine);
}

function outcomeOf(reason: CloseReason | null): string {
  if (reason === null) return 'unknown';
  switch (reason.kind) {
    case 'timeout':
      return `timeout:${reason.timer}`;
    case 'local':
      return `local:${reason.detail}`;
    case 'reset':
    case 'connect-failed':
      return `${reason.kind}:${reason.code}`;
    default:
      return reason.kind;
  }
}

function handshakeInvariants(limit: number): InvariantFactory[] {
  return [
    stateBounds({
      applies: (_node, machine) => machine !== 'server',
      bounds: {
        connecting: { maxMs: CONNECT_TIMEOUT_MS },
        handshake: { maxMs: TIMEOUTS.handshakeMs },
        awaitingAck: { maxMs: TIMEOUTS.ackMs },
        connected: { maxMs: TIMEOUTS.idleMs, sinceLastStep: true },
        closing: { maxMs: TIMEOUTS.lingerMs },
      },
    }),
    timerScope(),
    maxConnectionsInvariant(limit),
    epochsInvariant,
    sessionsInvariant,
    outcomeInvariant,
  ];
}

function maxConnectionsInvariant(limit: number): InvariantFactory {
  return (context: InvariantContext): Invariant => {
    const open = new Set<string>();
    return {
      name: 'max-connections',
      step({ node, step }) {
        if (node !== SERVER_NODE || !step.machine.startsWith('handshake#') || step.event.type !== 'accepted') return;
        open.add(step.machine);
        context.check();
        if (open.size > limit) context.fail(`server holds ${open.size} connections, limit ${limit}`);
      },
      retire(node, _incarnation, machine) {
        if (node === SERVER_NODE) open.delete(machine);
      },
      crash(node) {
        if (node === SERVER_NODE) open.clear();
      },
    };
  };
}

function epochsInvariant(context: InvariantContext): Invariant {
  let last = 0;
  return {
    name: 'epochs',
    step({ node, step }) {
      if (node !== SERVER_NODE || step.machine !== 'server') return;
      for (const effect of step.effects) {
        if (effect.type !== 'persist' || effect.key !== EPOCH_KEY) continue;
        context.check();
        const epoch = Number(effect.value);
        if (!(epoch > last)) context.fail(`server booted with epoch ${epoch} after epoch ${last}`);
        last = epoch;
      }
    },
  };
}

function sessionsInvariant(context: InvariantContext): Invariant {
  const sessions = new Set<string>();
  return {
    name: 'sessions',
    step({ node, step }) {
      if (!isClient(step.machine) || step.from !== 'awaitingAck' || step.to !== 'connected') return;
      const snapshot = context.world.dispatcherOf(node)?.snapshotOf(step.machine);
      const session = (snapshot?.context as HandshakeClientContext | undefined)?.sessionId ?? '';
      context.check();
      if (sessions.has(session)) context.fail(`session ${session} handed out twice (${node}/${step.machine})`);
      sessions.add(session);
    },
  };
}

function outcomeInvariant(context: InvariantContext): Invariant {
  return {
    name: 'outcome',
    retire(node, incarnation, machine, snapshot) {
      if (!isClient(machine)) return;
      context.check();
      const id = machineId(incarnationKey(node, incarnation), machine);
      const reason = (snapshot.context as HandshakeClientContext).closeReason;
      if (snapshot.state !== 'closed') context.fail(`${id} retired in ${snapshot.state}, not closed`);
      else if (reason === null) context.fail(`${id} closed without a reason`);
    },
  };
}
