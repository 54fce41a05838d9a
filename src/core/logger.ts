// Logging is a sink the process owns; machines log through the `log` effect. Debug lines
// (one per transition) are only formatted when debug is enabled, so the hot path pays a
// single comparison when it is not.

import type { LogLevel } from './effects.js';

export interface Logger {
  enabled(level: LogLevel): boolean;
  log(level: LogLevel, message: string): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** One line per message: ISO time, level, text. Writes to stderr so stdout stays for data. */
export function createStreamLogger(
  minLevel: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const min = RANK[minLevel];
  return {
    enabled: (level) => RANK[level] >= min,
    log(level, message) {
      if (RANK[level] < min) return;
      write(`${new Date().toISOString()} ${level.padEnd(5)} ${message}\n`);
    },
  };
}

export const silentLogger: Logger = {
  enabled: () => false,
  log: () => {},
};
