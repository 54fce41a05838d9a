// Preloaded into every Node server the bench starts (`node --expose-gc --import`), the same
// for statewire and node:net so neither is favoured:
// - the process exits by itself after STATEWIRE_BENCH_LIFETIME_MS, so a bench script that
//   dies leaves nothing running (one unref'd timer: it never wakes the process before then);
// - on SIGUSR2 it collects garbage and prints one "bench-memory {json}" line on stderr, so
//   the memory rows compare live memory, not whichever garbage the last GC left behind.

const lifetimeMs = Number(process.env.STATEWIRE_BENCH_LIFETIME_MS);
if (lifetimeMs > 0) {
  setTimeout(() => {
    process.stderr.write(`bench lifetime of ${lifetimeMs} ms over: exiting\n`);
    process.exit(3);
  }, lifetimeMs).unref();
}

process.on('SIGUSR2', () => {
  globalThis.gc?.();
  const { rss, heapUsed, external } = process.memoryUsage();
  process.stderr.write(`bench-memory ${JSON.stringify({ rss, heapUsed, external })}\n`);
});

export {};
