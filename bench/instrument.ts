// Preloaded into every Node server the bench starts (`node --expose-gc --import`), the same
// for statewire and node:net so neither is favoured:
// - the process exits by itself after STATEWIRE_BENCH_LIFETIME_MS, so a bench script that
//   dies leaves nothing running (one unref'd timer: it never wakes the process before then);
// - on SIGUSR2 it collects garbage and prints one "bench-memory {json}" line on stderr, so
//   the memory rows compare live memory, not whichever garbage the last GC left behind.

import v8 from 'node:v8';

const lifetimeMs = Number(process.env.STATEWIRE_BENCH_LIFETIME_MS);
if (lifetimeMs > 0) {
  setTimeout(() => {
    process.stderr.write(`bench lifetime of ${lifetimeMs} ms over: exiting\n`);
    process.exit(3);
  }, lifetimeMs).unref();
}

// V8 hands the pages a GC freed (a shrunk new space, evacuated old-space pages) back to
// the OS on a background thread, after gc() returns: read right away, RSS still counted
// up to ~25 MB of them in some runs (and not in others), so the line is written
// RELEASE_WAIT_MS later. Besides rss it carries youngGen, the committed size of V8's new
// space: scratch capacity (up to 2 x 16 MiB) that V8 grows under allocation bursts (10,000
// accepts) and shrinks only once its memory reducer judges the process idle, which may
// happen inside the bench's hold or after it. It is per process, not per connection.
const RELEASE_WAIT_MS = 200;

process.on('SIGUSR2', () => {
  globalThis.gc?.();
  setTimeout(() => {
    const { rss, heapUsed, external } = process.memoryUsage();
    let youngGen = 0;
    for (const space of v8.getHeapSpaceStatistics()) {
      if (space.space_name === 'new_space' || space.space_name === 'new_large_object_space') youngGen += space.physical_space_size;
    }
    process.stderr.write(`bench-memory ${JSON.stringify({ rss, heapUsed, external, youngGen })}\n`);
  }, RELEASE_WAIT_MS);
});

export {};
