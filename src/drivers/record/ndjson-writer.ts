// Buffered line output for the record log: lines collect in memory and go to the file in
// 64 KiB synchronous writes, so recording costs one JSON.stringify per line plus a write
// per 64 KiB, and never holds more than that in memory.

import { closeSync, openSync, writeSync } from 'node:fs';

export interface LineSink {
  write(line: string): void;
  /** Write out what is buffered. */
  flush(): void;
  close(): void;
}

const FLUSH_BYTES = 64 * 1024;

export class NdjsonFileWriter implements LineSink {
  private readonly fd: number;
  private chunks: string[] = [];
  private size = 0;
  private closed = false;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  write(line: string): void {
    if (this.closed) return;
    this.chunks.push(line, '\n');
    this.size += line.length + 1;
    if (this.size >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.size === 0 || this.closed) return;
    writeSync(this.fd, this.chunks.join(''));
    this.chunks = [];
    this.size = 0;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }
}

/** Keeps the lines in memory: for tests. */
export class MemoryLineSink implements LineSink {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  flush(): void {}
  close(): void {}
  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}
