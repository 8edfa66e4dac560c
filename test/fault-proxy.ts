// A loopback TCP proxy that tests and the chaos harness put between the platform and a server
// (NATS, MariaDB, Redis) to cut, black-hole and slow the connection on demand.
import { createServer, connect, type Server, type Socket } from 'node:net';

export type FaultMode = 'pass' | 'refuse' | 'blackhole';

export type FaultProxy = {
  /** Loopback port the platform connects to instead of the server's. */
  port: number;
  readonly mode: FaultMode;
  /**
   * `refuse`: drops every open connection and refuses new ones (server down);
   * `blackhole`: keeps connections open but forwards nothing until restored (a network partition
   *   shorter than TCP's retransmission timeout: calls hang, then the held bytes arrive);
   * `pass`: back to normal.
   */
  set(mode: FaultMode): Promise<void>;
  /** Delay added to every chunk in both directions. */
  latencyMs: number;
  close(): Promise<void>;
};

export async function startFaultProxy(target: { host: string; port: number }, port = 0): Promise<FaultProxy> {
  let mode: FaultMode = 'pass';
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  /** Bytes held while black-holed, delivered in order on restore. */
  const held: { to: Socket; chunk: Buffer }[] = [];
  let server: Server | null = null;
  const proxy: FaultProxy = {
    port,
    latencyMs: 0,
    get mode() {
      return mode;
    },
    async set(next) {
      mode = next;
      if (next === 'refuse') {
        for (const p of pairs) {
          p.client.destroy();
          p.upstream.destroy();
        }
        pairs.clear();
        held.length = 0;
        await stopListening();
      } else {
        if (!server) await listen();
        if (next === 'pass') for (const h of held.splice(0)) if (h.to.writable) h.to.write(h.chunk);
      }
    },
    async close() {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
      pairs.clear();
      held.length = 0;
      await stopListening();
    },
  };

  const forward = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => {
      if (mode === 'blackhole') {
        held.push({ to, chunk });
        return;
      }
      if (proxy.latencyMs > 0) setTimeout(() => to.writable && to.write(chunk), proxy.latencyMs);
      else if (to.writable) to.write(chunk);
    });
  };

  function onConnection(client: Socket) {
    if (mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    forward(client, upstream);
    forward(upstream, client);
  }

  function listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = createServer(onConnection);
      s.once('error', reject);
      s.listen(proxy.port, '127.0.0.1', () => {
        const a = s.address();
        if (a && typeof a === 'object') proxy.port = a.port;
        server = s;
        resolve();
      });
    });
  }

  function stopListening(): Promise<void> {
    const s = server;
    server = null;
    return new Promise((resolve) => (s ? s.close(() => resolve()) : resolve()));
  }

  await listen();
  return proxy;
}
