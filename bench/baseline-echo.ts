// The plain node:net echo + status server statewire is measured against: what a competent
// user writes by hand. Same job as `statewire serve echo`: echo every byte and every status
// interval tell each client how many are connected. It does not pause on backpressure: the
// load generator bounds what is in flight, and skipping the check only makes it faster.
//
//   node dist/bench/baseline-echo.js --port P [--status-interval MS]
//
// Listens on 127.0.0.1 and logs "listening on 127.0.0.1:PORT" to stderr, like the CLI.

import net from 'node:net';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

const port = Number(flag('port') ?? '0');
const statusIntervalMs = Number(flag('status-interval') ?? '0');

const sockets = new Set<net.Socket>();

const server = net.createServer({ noDelay: true }, (socket) => {
  sockets.add(socket);
  socket.on('data', (bytes) => socket.write(bytes));
  // A reset client is routine under load; the socket closes right after.
  socket.on('error', () => {});
  socket.on('close', () => sockets.delete(socket));
});

server.listen({ host: '127.0.0.1', port, backlog: 511 }, () => {
  const address = server.address();
  const bound = address !== null && typeof address === 'object' ? address.port : port;
  process.stderr.write(`listening on 127.0.0.1:${bound}\n`);
});

if (statusIntervalMs > 0) {
  setInterval(() => {
    const line = `Server status: ${sockets.size} active connections\n`;
    for (const socket of sockets) socket.write(line);
  }, statusIntervalMs);
}

process.on('SIGTERM', () => process.exit(0));
