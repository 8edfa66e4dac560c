// The intraday part of the Nord Pool simulator: a STOMP 1.2 server over WebSocket (frames handled
// here on `ws`) publishing public trades on the ticker topic. Intensity follows business hours (CET),
// prices walk randomly per contract and area. A new subscription first receives a snapshot of the
// retained trades, then the new ones: that is how a client resumes after a reconnect, and why it must
// drop trades it already has. Faults on demand: drop every connection, stall, send a malformed frame.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { DateTime } from 'luxon';
import { WebSocketServer, type WebSocket } from 'ws';
import { seededRandom } from '../../shared/simulator.ts';
import type { Statistic, Trade } from './intraday-parse.ts';
import { NORDPOOL_TZ } from './portal-parse.ts';
import { decodeFrames, encodeFrame, type StompFrame } from './stomp-frame.ts';

// Where the simulator serves the stream (the real endpoint comes with onboarding).
export { INTRADAY_PATH } from './intraday-stream.ts';
/** Ticker destinations look like `/user/<username>/v1/streaming/ticker`. */
export const TICKER_RE = /^\/user\/[^/]+\/v1\/(streaming|conflated)\/ticker$/;
/** Per-area contract statistics: `/user/<username>/v1/streaming/publicStatistics/<deliveryAreaId>`. */
export const STATISTICS_RE = /^\/user\/[^/]+\/v1\/(streaming|conflated)\/publicStatistics\/(\d+)$/;

export type IntradayStreamOptions = {
  /** Trades per second at full (business-hours) intensity. */
  tradesPerSecond?: number;
  /** Intensity follows the CET clock (quiet nights); false: flat. */
  businessHours?: boolean;
  tickMs?: number;
  /** Delivery area ids trades happen in. */
  areas?: readonly number[];
  /** Trades kept for the snapshot a new subscription receives. */
  retain?: number;
  seed?: number;
  now?: () => Date;
  /** Generate trades from the start (tests start paused and drive `generate`). */
  running?: boolean;
};

export type IntradayStreamServer = {
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Every trade generated so far, oldest first. */
  trades(): readonly Trade[];
  /** The current statistics row per contract and area. */
  statistics(): readonly Statistic[];
  /** Generates `n` trades now (tests), sent at once to every subscriber. */
  generate(n: number): void;
  pause(): void;
  resume(): void;
  /** Terminates every connection (no DISCONNECT, no close frame); returns how many. */
  drop(): number;
  /** Sends nothing (no trades, no heart-beats) for `ms`; what arrives meanwhile is held back. */
  stall(ms: number): void;
  /** The next message to each subscriber is a frame whose body is not JSON. */
  malformed(): void;
  connections(): number;
  close(): Promise<void>;
};

type Client = { ws: WebSocket; subscriptions: Map<string, string>; heartbeat?: NodeJS.Timeout; session: string };

/** Internal: `tokenValid` is the HTTP simulator's token check (the same tokens authenticate both). */
export function startIntradayStream(o: IntradayStreamOptions & { tokenValid: (token: string) => boolean }): IntradayStreamServer {
  const wss = new WebSocketServer({ noServer: true });
  const clients = new Set<Client>();
  const random = seededRandom(o.seed ?? 11);
  const now = o.now ?? (() => new Date());
  const areas = o.areas ?? [3, 7];
  const retain = o.retain ?? 20_000;
  const all: Trade[] = [];
  const walk = new Map<string, number>(); // contract+area -> price in cents
  const stats = new Map<string, Statistic & { volume: number; value: number }>(); // contract/area -> running statistics
  let seq = 0;
  let lastTradeMs = 0;
  let stalledUntil = 0;
  let held: Trade[] = [];
  let malformedNext = false;
  let messageId = 0;
  let running = o.running ?? true;

  const send = (c: Client, f: StompFrame) => {
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(encodeFrame(f));
  };

  function newTrade(at: Date): Trade {
    seq += 1;
    const areaId = areas[Math.floor(random() * areas.length)]!;
    // Most trading is in the next few hours' contracts; a third are quarter-hours.
    const quarter = random() < 0.35;
    const local = DateTime.fromJSDate(at, { zone: NORDPOOL_TZ });
    const start = quarter
      ? local.startOf('hour').plus({ minutes: 15 * (4 + Math.floor(random() * 12)) })
      : local.startOf('hour').plus({ hours: 1 + Math.floor(random() * 8) });
    const contractId = `NX_${quarter ? 'QH' : 'PH'}_${start.toUTC().toFormat('yyyyLLddHHmm')}`;
    const name = `${quarter ? 'QH' : 'PH'}-${start.toFormat('yyyyLLdd-HH')}${quarter ? `-${start.minute / 15 + 1}` : ''}`;
    const key = `${contractId}/${areaId}`;
    // A random walk per contract and area, in cents (Intraday API prices are 1/100 EUR per MWh).
    const last = walk.get(key) ?? Math.round(6000 + random() * 6000);
    const price = Math.round(last + (random() - 0.5) * 400);
    walk.set(key, price);
    const quantity = 100 * (1 + Math.floor(random() * 50)); // kW, 0.1-5 MW
    // Strictly increasing trade times: a burst never puts two trades in one millisecond.
    lastTradeMs = Math.max(at.getTime(), lastTradeMs + 1);
    const tradeTime = new Date(lastTradeMs);
    return {
      tradeId: `T${String(seq).padStart(9, '0')}`,
      tradeTime: tradeTime.toISOString(),
      state: 'ACTI',
      currency: 'EUR',
      eventSequenceNo: seq,
      revisionNo: 0,
      mediumDisplayName: name,
      updatedAt: tradeTime.toISOString(),
      legs: [
        { contractId, side: 'BUY', unitPrice: price, quantity, deliveryAreaId: areaId, aggressor: random() < 0.5 },
        { contractId, side: 'SELL', unitPrice: price, quantity, deliveryAreaId: areaId, aggressor: false },
      ],
    };
  }

  /** Folds a trade into its contract's statistics; returns the updated row. */
  function foldStatistic(t: Trade): Statistic {
    const leg = t.legs[0]!;
    const k = `${leg.contractId}/${leg.deliveryAreaId}`;
    const prev = stats.get(k);
    const volume = (prev?.volume ?? 0) + leg.quantity;
    const value = (prev?.value ?? 0) + leg.quantity * leg.unitPrice;
    const row = {
      contractId: leg.contractId,
      deliveryAreaId: leg.deliveryAreaId,
      updatedAt: t.tradeTime,
      lastPrice: leg.unitPrice,
      lastQuantity: leg.quantity,
      lastTradeTime: t.tradeTime,
      highestPrice: Math.max(prev?.highestPrice ?? -Infinity, leg.unitPrice),
      lowestPrice: Math.min(prev?.lowestPrice ?? Infinity, leg.unitPrice),
      vwap: Math.round(value / volume),
      dayAheadPrice: null,
      tendency: prev?.lastPrice == null ? 'EQUAL' : leg.unitPrice > prev.lastPrice ? 'UP' : leg.unitPrice < prev.lastPrice ? 'DOWN' : 'EQUAL',
      deleted: false,
      volume,
      value,
    };
    stats.set(k, row);
    return publicRow(row);
  }
  const publicRow = ({ volume: _v, value: _x, ...row }: Statistic & { volume: number; value: number }): Statistic => row;

  function publish(trades: Trade[]): void {
    if (trades.length === 0) return;
    for (const t of trades) foldStatistic(t);
    all.push(...trades);
    if (Date.now() < stalledUntil) {
      held.push(...trades);
      return;
    }
    for (const c of clients) deliver(c, trades);
  }

  function deliver(c: Client, trades: readonly Trade[], only?: string): void {
    for (const [id, destination] of c.subscriptions) {
      if (only !== undefined && id !== only) continue;
      const area = STATISTICS_RE.exec(destination)?.[2];
      if (area !== undefined) {
        // Statistics: the latest row of each contract the trades touched, in that area.
        const touched = new Map<string, Statistic>();
        for (const t of trades) {
          const leg = t.legs[0]!;
          if (String(leg.deliveryAreaId) !== area) continue;
          const row = stats.get(`${leg.contractId}/${leg.deliveryAreaId}`);
          if (row) touched.set(leg.contractId, publicRow(row));
        }
        if (touched.size > 0 && !malformedNext) {
          send(c, { command: 'MESSAGE', headers: { destination, subscription: id, 'message-id': `m-${++messageId}`, 'content-type': 'application/json' }, body: JSON.stringify([...touched.values()]) });
        }
        continue;
      }
      if (malformedNext) {
        send(c, { command: 'MESSAGE', headers: { destination, subscription: id, 'message-id': `m-${++messageId}`, 'content-type': 'application/json' }, body: '[{"tradeId":"T' });
        continue;
      }
      // Large snapshots go out in slices, as a broker would page them.
      for (let i = 0; i < trades.length; i += 500) {
        send(c, {
          command: 'MESSAGE',
          headers: { destination, subscription: id, 'message-id': `m-${++messageId}`, 'content-type': 'application/json' },
          body: JSON.stringify(trades.slice(i, i + 500)),
        });
      }
    }
  }

  const tickMs = o.tickMs ?? 100;
  let carry = 0;
  const timer = setInterval(() => {
    if (Date.now() >= stalledUntil && held.length > 0) {
      const h = held;
      held = [];
      for (const c of clients) deliver(c, h);
    }
    if (malformedNext && clients.size > 0 && Date.now() >= stalledUntil) {
      for (const c of clients) deliver(c, []);
      malformedNext = false;
    }
    if (!running) return;
    const at = now();
    const hour = DateTime.fromJSDate(at, { zone: NORDPOOL_TZ }).hour;
    const intensity = o.businessHours === false ? 1 : hour >= 8 && hour < 18 ? 1 : hour >= 6 && hour < 22 ? 0.5 : 0.15;
    carry += ((o.tradesPerSecond ?? 20) * intensity * tickMs) / 1000;
    const n = Math.floor(carry);
    carry -= n;
    publish(Array.from({ length: n }, () => newTrade(at)));
    if (all.length > retain * 2) all.splice(0, all.length - retain);
  }, tickMs);
  timer.unref();

  function onFrame(c: Client, f: StompFrame): void {
    switch (f.command) {
      case 'CONNECT':
      case 'STOMP': {
        const token = f.headers['X-AUTH-TOKEN'] ?? f.headers.passcode ?? '';
        if (!o.tokenValid(token)) {
          send(c, { command: 'ERROR', headers: { message: 'Authentication failed: token invalid or expired' }, body: '' });
          c.ws.close(1008, 'unauthorized');
          return;
        }
        // The client's `cx,cy`: cy is how often it wants to hear from us; we answer `sx,0`.
        const [, wants] = (f.headers['heart-beat'] ?? '0,0').split(',').map(Number);
        const hb = wants && wants > 0 ? Math.max(wants, 200) : 0;
        if (hb) {
          c.heartbeat = setInterval(() => {
            if (Date.now() >= stalledUntil && c.ws.readyState === c.ws.OPEN) c.ws.send('\n');
          }, hb);
        }
        send(c, { command: 'CONNECTED', headers: { version: '1.2', 'heart-beat': `${hb},0`, session: c.session, server: 'scalar-nordpool-sim/1' }, body: '' });
        return;
      }
      case 'SUBSCRIBE': {
        const destination = f.headers.destination ?? '';
        const id = f.headers.id ?? '';
        if (!(TICKER_RE.test(destination) || STATISTICS_RE.test(destination)) || id === '') {
          send(c, { command: 'ERROR', headers: { message: `unknown destination ${destination}` }, body: '' });
          return;
        }
        c.subscriptions.set(id, destination);
        // The snapshot: what is retained, then live trades.
        const snapshot = all.slice(-retain);
        if (Date.now() < stalledUntil) held = [...snapshot, ...held];
        else deliver(c, snapshot, id);
        return;
      }
      case 'UNSUBSCRIBE':
        c.subscriptions.delete(f.headers.id ?? '');
        return;
      case 'DISCONNECT':
        if (f.headers.receipt) send(c, { command: 'RECEIPT', headers: { 'receipt-id': f.headers.receipt }, body: '' });
        c.ws.close(1000);
        return;
      default:
        send(c, { command: 'ERROR', headers: { message: `unsupported frame ${f.command}` }, body: '' });
    }
  }

  wss.on('connection', (ws) => {
    const c: Client = { ws, subscriptions: new Map(), session: `s-${Math.floor(random() * 1e9)}` };
    clients.add(c);
    ws.on('message', (data) => {
      const frames = decodeFrames(String(data));
      if (!frames) {
        send(c, { command: 'ERROR', headers: { message: 'malformed frame' }, body: '' });
        return;
      }
      for (const f of frames) onFrame(c, f);
    });
    ws.on('close', () => {
      clearInterval(c.heartbeat);
      clients.delete(c);
    });
    ws.on('error', () => undefined);
  });

  return {
    upgrade: (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)),
    trades: () => all,
    statistics: () => [...stats.values()].map(publicRow),
    generate: (n) => publish(Array.from({ length: n }, () => newTrade(now()))),
    pause: () => void (running = false),
    resume: () => void (running = true),
    drop() {
      const n = clients.size;
      for (const c of clients) c.ws.terminate();
      return n;
    },
    stall: (ms) => void (stalledUntil = Date.now() + ms),
    malformed: () => void (malformedNext = true),
    connections: () => clients.size,
    async close() {
      clearInterval(timer);
      for (const c of clients) c.ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
