// Child processes of the proxy benchmark, one role each (`node --import tsx servers.ts <role>`):
//   upstream                  — answers every request at once with a small JSON body
//   plain <upstream-url>      — the reference: a node:http pass-through with a keep-alive agent
//   aigo <upstream-url>       — aigo's credential proxy service (strict, a mapping to the
//                               upstream), printing a container session token to present
// Each prints `listening <port> [token]` once ready.
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startProxyHarness } from '../../test/helpers/proxy-harness';

const [role, arg] = process.argv.slice(2);

if (role === 'aigo') {
  // The per-session fairness limit (16 requests in flight) is a product rule that a single
  // load generator would trip; raised here so the bench measures forwarding itself.
  const proxy = await startProxyHarness({
    limits: { perSession: 1024, perAddress: 1024, poolSize: 256 },
  });
  await proxy.service.createMapping({
    name: 'Bench upstream',
    kind: 'anthropic',
    auth: { type: 'x-api-key' },
    upstreamUrl: arg!,
    apiKey: 'sk-ant-api03-BENCHKEY-abcdefghijklmnopqrstuvwxyz',
  });
  const token = proxy.service.containerConfig('bench').token;
  process.stdout.write(`listening ${proxy.port} ${token}\n`);
  process.on('SIGTERM', () => void proxy.stop().then(() => process.exit(0)));
} else {
  const body = '{"id":"msg","content":[{"type":"text","text":"ok"}]}';

  const server =
    role === 'upstream'
      ? createServer((req, res) => {
          req.resume();
          req.on('end', () => {
            res.writeHead(200, {
              'content-type': 'application/json',
              'content-length': body.length,
            });
            res.end(body);
          });
        })
      : (() => {
          const target = new URL(arg!);
          const agent = new Agent({ keepAlive: true, maxSockets: 64 });
          return createServer((req, res) => {
            const upstream = request(
              {
                hostname: target.hostname,
                port: target.port,
                method: req.method,
                path: req.url,
                headers: { ...req.headers, host: target.host },
                agent,
              },
              (upstreamRes) => {
                res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
                upstreamRes.pipe(res);
              },
            );
            upstream.on('error', () => res.destroy());
            req.pipe(upstream);
          });
        })();
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
