// A worker thread of `statewire sim <scenario> --explore RUNS --workers W`: explores its
// share (explore.ts) and reports progress and the result to the parent thread.

import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../../sim/scenarios.js';
import type { ExploreShare, WorkerReport } from './explore.js';
import { exploreShare, throttled } from './explore.js';

/** Progress is posted at most this often: a message per run would cost more than short runs. */
const PROGRESS_INTERVAL_MS = 250;

const share = workerData as ExploreShare;
if (parentPort === null) throw new Error('explore-worker runs as a worker thread of statewire sim --explore');
const parent = parentPort;
const scenario = await loadScenario(share.scenario);
const post = (report: WorkerReport): void => parent.postMessage(report);
const result = exploreShare(scenario, share, throttled<number>(PROGRESS_INTERVAL_MS, (runs) => post({ kind: 'progress', runs })));
post({ kind: 'done', result });
