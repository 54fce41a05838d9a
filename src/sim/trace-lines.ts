// `statewire sim --trace FILTER`: a simulated run told as lines, for reading what led to
// a violation. Every step of the machines the filter selects (its event, the state change
// and the effects it asked for), every fault, and the boots and crashes of their nodes, in
// world time.

import { describeCloseReason } from '../core/close-reason.js';
import type { Effect } from '../core/effects.js';
import type { AnyEventObject } from '../core/events.js';
import type { Fault } from '../drivers/sim/faults.js';
import type { SimObserver, SimStep } from '../drivers/sim/world.js';
import { incarnationKey } from '../drivers/sim/world.js';
import { machineId } from './per-machine.js';

/** Frame text longer than this is cut: a trace line should stay one line. */
const MAX_TEXT = 60;

/**
 * Which machines a filter selects, by their id in violations (`client3~1/c6`): `all`, a
 * node (`client3`, any incarnation), an incarnation (`client3~1`) or one machine.
 */
export function traceSelects(filter: string, id: string): boolean {
  return filter === 'all' || id === filter || id.startsWith(`${filter}/`) || id.startsWith(`${filter}~`);
}

/** An observer that writes the lines of what `filter` selects. */
export function traceObserver(filter: string, write: (line: string) => void): SimObserver {
  const at = (time: number): string => `${time.toFixed(3).padStart(11)} ms`;
  return {
    step(simStep) {
      const id = machineId(simStep.nodeKey, simStep.step.machine);
      if (traceSelects(filter, id)) write(formatStep(at(simStep.worldTime), id, simStep));
    },
    fault(time, fault, applied) {
      write(`${at(time)}  fault ${describeFault(fault)}${applied ? '' : ' (found nothing to act on)'}`);
    },
    crash(node, incarnation, time) {
      const key = incarnationKey(node, incarnation);
      if (traceSelects(filter, key)) write(`${at(time)}  ${key} crashed`);
    },
    boot(node, incarnation, time) {
      const key = incarnationKey(node, incarnation);
      if (traceSelects(filter, key)) write(`${at(time)}  ${key} booted`);
    },
  };
}

function formatStep(time: string, id: string, { step }: SimStep): string {
  const change = step.from === step.to ? step.to : `${step.from} -> ${step.to}`;
  const effects = step.effects.length === 0 ? '' : `: ${step.effects.map(describeEffect).join(', ')}`;
  return `${time}  ${id}  ${describeEvent(step.event)}  ${change}${effects}`;
}

function describeEvent(event: AnyEventObject): string {
  const frame = event['frame'];
  if (event.type === 'message' && frame instanceof Uint8Array) return `message ${describeBytes(frame)}`;
  const reason = event['reason'];
  if (event.type === 'closed' && typeof reason === 'object' && reason !== null) {
    return `closed (${describeCloseReason(reason as Parameters<typeof describeCloseReason>[0])})`;
  }
  return event.type;
}

/** Printable ASCII as quoted text (protocol frames usually are), anything else by its length. */
function describeBytes(bytes: Uint8Array | string): string {
  if (typeof bytes === 'string') return JSON.stringify(bytes.length > MAX_TEXT ? `${bytes.slice(0, MAX_TEXT)}...` : bytes);
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (byte < 0x20 || byte > 0x7e) return `${bytes.length} B`;
  }
  const text = String.fromCharCode(...bytes.subarray(0, MAX_TEXT));
  return JSON.stringify(bytes.length > MAX_TEXT ? `${text}...` : text);
}

function describeEffect(effect: Effect): string {
  switch (effect.type) {
    case 'write':
      return `write ${typeof effect.data === 'string' ? describeBytes(effect.data) : `${effect.data.byteLength} B`}`;
    case 'close':
      return `close ${effect.mode} (${describeCloseReason(effect.reason)})`;
    case 'startTimer':
      return `startTimer ${effect.name} ${effect.delayMs} ms`;
    case 'cancelTimer':
      return `cancelTimer ${effect.name}`;
    case 'connect':
      return `connect ${effect.host}:${effect.port}`;
    case 'persist':
      return `persist ${effect.key}`;
    case 'send':
      return `send ${effect.event.type} to ${effect.to}`;
    default:
      return effect.type;
  }
}

function describeFault(fault: Fault): string {
  switch (fault.type) {
    case 'partition':
      return `partition ${fault.a} ${fault.oneWay ? '->' : '<->'} ${fault.b} for ${fault.durationMs} ms`;
    case 'hold':
      return `hold ${fault.from} -> ${fault.to} for ${fault.durationMs} ms`;
    case 'reset':
      return `reset a connection of ${fault.node} (pick ${fault.pick})`;
    case 'refuse':
      return `refuse connects to ${fault.node} for ${fault.durationMs} ms`;
    case 'crash':
      return `crash ${fault.node}, down ${fault.downMs} ms`;
    case 'latency':
      return `latency ${fault.from} -> ${fault.to} ${fault.latencyMs} ms + up to ${fault.jitterMs} ms jitter`;
  }
}
