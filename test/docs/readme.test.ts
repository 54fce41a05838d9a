// The README runs as written: its `npx statewire` commands work in a fresh clone (npm sets
// a bin's executable bit only when it installs a package, so the build does it), and its
// library example, with imports pointed at the built package and a free port, must echo.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Dispatcher } from '../../src/dispatcher/dispatcher.js';
import { connectClient, poll } from '../support/tcp-client.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('README', () => {
  it('runs the simulator with npx, as its first screen shows', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain('npx statewire sim handshake --seed 1');
    const output = execFileSync('npx', ['--no', 'statewire', 'sim', 'handshake', '--seed', '1', '--clients', '20'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(output).toContain('20 reached connected');
  });

  it('library example starts an echo server', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const snippet = /## Use it as a library\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toBeDefined();
    const code = (snippet as string)
      .replace("from 'statewire';", `from ${JSON.stringify(pathToFileURL(join(root, 'dist/src/index.js')).href)};`)
      .replace("from 'statewire/machines';", `from ${JSON.stringify(pathToFileURL(join(root, 'dist/machines/index.js')).href)};`)
      .replace("createStreamLogger('info')", "createStreamLogger('info', (line) => lines.push(line))")
      .replace('port: 9000', 'port: 0');
    const file = join(mkdtempSync(join(tmpdir(), 'statewire-readme-')), 'example.mjs');
    writeFileSync(file, `export const lines = [];\n${code}\nexport { dispatcher };\n`);
    const example = (await import(pathToFileURL(file).href)) as { lines: string[]; dispatcher: Dispatcher };
    await poll(() => example.lines.some((line) => line.includes('listening on')), 5_000, () => example.lines.join(''));
    const port = Number(/listening on [\d.]+:(\d+)/.exec(example.lines.join(''))?.[1]);
    const client = await connectClient(port);
    client.socket.write('from the readme\n');
    await client.waitFor('from the readme\n');
    client.socket.destroy();
    await new Promise<void>((resolve) => example.dispatcher.beginShutdown({ deadlineMs: 1_000, onDone: resolve }));
  });
});
