// The baseline every throughput figure is divided by: raw node:http answering a small JSON object, as in
// fastify/benchmarks. Prints `listening <port>` when ready.
import { createServer } from 'node:http';

const body = Buffer.from(JSON.stringify({ hello: 'world' }));
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.byteLength) });
  response.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? '0'), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
