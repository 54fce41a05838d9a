// Command-line parsing for the statewire CLI. Bad input is a user error: it becomes a
// `UsageError` with one line that names the flag and what was expected, never a stack.

import type { LogLevel } from '../core/effects.js';
import { isLogLevel } from '../core/logger.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly flags: ReadonlyMap<string, string>;
}

/** Splits `--flag value`, `--flag=value` and bare `--switch` (value "true") from positionals. */
export function parseArgs(argv: readonly string[], switches: ReadonlySet<string>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (eq !== -1) {
      flags.set(name, arg.slice(eq + 1));
    } else if (switches.has(name)) {
      flags.set(name, 'true');
    } else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
      i++;
    }
  }
  return { positionals, flags };
}

/** Throws for a flag not in `known`: "unknown option --x for <where>". */
export function rejectUnknownFlags(args: ParsedArgs, known: Iterable<string>, where: string): void {
  const allowed = new Set(known);
  for (const flag of args.flags.keys()) {
    if (!allowed.has(flag)) throw new UsageError(`unknown option --${flag} for ${where}`);
  }
}

/** Throws for a positional past the `count` a command takes. */
export function rejectExtraArguments(args: ParsedArgs, count: number): void {
  const extra = args.positionals[count];
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
}

/** Reports a UsageError as one line on stderr and exit code 2; anything else is a bug and is rethrown. */
export function reportUsageError(error: unknown): void {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`statewire: ${error.message}\n`);
  process.exitCode = 2;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "250ms", "5s", "1.5m", "2h", or a bare number of milliseconds; "off"/"never" is Infinity. */
export function parseDuration(flag: string, text: string): number {
  if (text === 'off' || text === 'never') return Number.POSITIVE_INFINITY;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (match === null) throw new UsageError(`--${flag} must be a duration like 500ms, 5s or 1m, got "${text}"`);
  const value = Number(match[1]) * (DURATION_UNITS[match[2] ?? 'ms'] ?? 1);
  return Math.round(value);
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2 };

/** "65536", "64k", "8MiB" (binary units). */
export function parseSize(flag: string, text: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = SIZE_UNITS[(match?.[2] ?? '?').toLowerCase()];
  if (match === null || unit === undefined) throw new UsageError(`--${flag} must be a size like 65536, 64k or 8MiB, got "${text}"`);
  return Number(match[1]) * unit;
}

export function parseInteger(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

export function parseLogLevel(flag: string, text: string): LogLevel {
  if (!isLogLevel(text)) throw new UsageError(`--${flag} must be debug, info, warn or error, got "${text}"`);
  return text;
}

export function parsePort(flag: string, text: string): number {
  return parseInteger(flag, text, 0, 65535);
}
