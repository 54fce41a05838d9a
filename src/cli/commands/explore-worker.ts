// A worker thread of `statewire sim <scenario> --explore RUNS --workers W`: explores its
// share (explore.ts) and reports progress and the result to the parent thread.

import { parentPort, workerData } from 'node:worker_threads';
import { scenarioNamed } from '../../sim/scenarios.js';
import type { ExploreShare, WorkerReport } from './explore.js';
import { exploreShare } from './explore.js';

/** Progress is posted at most this often: a message per run would cost more than short runs. */
const PROGRESS_INTERVAL_MS = 250;

const share = workerData as ExploreShare;
const scenario = scenarioNamed(share.scenario);
if (parentPort === null || scenario === undefined) throw new Error(`explore worker: no parent thread or unknown scenario "${share.scenario}"`);
const parent = parentPort;
let lastPost = performance.now();
const post = (report: WorkerReport): void => parent.postMessage(report);
const result = exploreShare(scenario, share, (runs) => {
  if (performance.now() - lastPost < PROGRESS_INTERVAL_MS) return;
  lastPost = performance.now();
  post({ kind: 'progress', runs });
});
post({ kind: 'done', result });
