// Reads a V8 CPU profile (`node --cpu-prof`) and ranks functions by self time: where the
// server's own CPU went, without a flame-graph viewer.
//
//   node dist/bench/profile.js FILE.cpuprofile [TOP]

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export interface ProfileEntry {
  readonly functionName: string;
  /** File (relative to node_modules or dist when inside them) and line, or a V8 pseudo-frame. */
  readonly location: string;
  readonly selfMs: number;
  /** Share of the busy time: everything but "(idle)". */
  readonly selfPercent: number;
}

export interface AreaEntry {
  readonly area: string;
  readonly selfMs: number;
  readonly selfPercent: number;
}

export interface ProfileSummary {
  readonly busyMs: number;
  readonly idleMs: number;
  /** Self time by layer: kernel calls, Node's streams, each statewire layer, GC. */
  readonly areas: readonly AreaEntry[];
  readonly top: readonly ProfileEntry[];
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function isCpuProfile(value: unknown): value is CpuProfile {
  if (typeof value !== 'object' || value === null) return false;
  const { nodes, samples, timeDeltas } = value as Record<string, unknown>;
  return Array.isArray(nodes) && Array.isArray(samples) && Array.isArray(timeDeltas);
}

/** The layer a frame belongs to, from its script URL (V8 pseudo-frames have none). */
function areaOf(functionName: string, url: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'garbage collector';
    if (functionName === '(program)') return 'V8 and libuv outside JS';
    return 'native calls (socket writes, ...)';
  }
  if (url.startsWith('node:')) return 'Node internals (net, streams, events)';
  if (url.includes('/node_modules/')) return 'dependencies';
  const layer = /\/(src\/dispatcher|src\/drivers|src\/machine|machines|src\/codecs|src)\//.exec(url)?.[1];
  switch (layer) {
    case 'src/dispatcher':
      return 'statewire dispatcher';
    case 'src/drivers':
      return 'statewire net driver';
    case 'src/machine':
    case 'machines':
      return 'statewire compiled machine step';
    case 'src/codecs':
      return 'statewire codecs';
    case 'src':
      return 'statewire, other';
    default:
      return 'the program itself';
  }
}

function shortLocation(url: string, line: number): string {
  if (url === '') return '';
  const path = url.replace(/^file:\/\//, '');
  const cut = Math.max(path.lastIndexOf('/node_modules/'), path.lastIndexOf('/dist/'));
  const short = cut === -1 ? path : path.slice(cut + 1);
  // V8 lines are 0-based.
  return `${short}:${line + 1}`;
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isCpuProfile(profile)) throw new Error(`${file} is not a V8 CPU profile`);
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<string, { functionName: string; location: string; us: number }>();
  const areaUs = new Map<string, number>();
  let idleUs = 0;
  let busyUs = 0;
  profile.samples.forEach((id, i) => {
    const node = byNode.get(id);
    // A sample's delta is the time until the next one: charge it to this sample's frame.
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (node === undefined) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleUs += us;
      return;
    }
    busyUs += us;
    const area = areaOf(functionName, url);
    areaUs.set(area, (areaUs.get(area) ?? 0) + us);
    const name = functionName === '' ? '(anonymous)' : functionName;
    const location = shortLocation(url, lineNumber);
    const key = `${name}@${location}`;
    const entry = selfUs.get(key) ?? { functionName: name, location, us: 0 };
    entry.us += us;
    selfUs.set(key, entry);
  });
  const ranked = [...selfUs.values()].sort((a, b) => b.us - a.us).slice(0, top);
  const share = (us: number): number => (busyUs === 0 ? 0 : (100 * us) / busyUs);
  return {
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    areas: [...areaUs.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([area, us]) => ({ area, selfMs: us / 1000, selfPercent: share(us) })),
    top: ranked.map((entry) => ({
      functionName: entry.functionName,
      location: entry.location,
      selfMs: entry.us / 1000,
      selfPercent: share(entry.us),
    })),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, top] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('usage: node dist/bench/profile.js FILE.cpuprofile [TOP]\n');
    process.exit(2);
  }
  const summary = summarizeProfile(file, Number(top ?? 25));
  process.stdout.write(`busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms\n`);
  for (const entry of summary.areas) {
    process.stdout.write(`${entry.selfPercent.toFixed(1).padStart(5)}%  ${entry.selfMs.toFixed(0).padStart(7)} ms  ${entry.area}\n`);
  }
  process.stdout.write('\n');
  for (const entry of summary.top) {
    process.stdout.write(`${entry.selfPercent.toFixed(1).padStart(5)}%  ${entry.selfMs.toFixed(0).padStart(7)} ms  ${entry.functionName}  ${entry.location}\n`);
  }
}
