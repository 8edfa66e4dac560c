// The intraday stream source: STOMP over WebSocket (@stomp/stompjs on `ws`), authenticated with an
// SSO token in the CONNECT frame (`X-AUTH-TOKEN`), subscribed to the public ticker. One connection
// per `connect`; reconnecting, backoff and de-duplication are the stream worker's job. A message
// that does not parse ends the connection with an error: the worker reconnects and the snapshot the
// server sends on subscribe brings back whatever that message held.
import { Client, type IMessage, type IStompSocket } from '@stomp/stompjs';
import type { FetchContext, StreamConnection, StreamContext, StreamRecord, StreamSource } from '../../shared/dataset.ts';
import { ConfigError, SourceUnavailableError } from '../../shared/errors.ts';
import { StatisticSchema, TradeSchema, statisticKey, tradeKey, type Statistic, type Trade } from './intraday-parse.ts';
import { createTokenCache, INTRADAY_CLIENT } from './oauth.ts';
import { z } from 'zod';

/** SSO tokens for the Intraday API (scope `global`), shared by every stream of the process. */
export const intradayTokens = createTokenCache(INTRADAY_CLIENT);

/** What one subscription of the Intraday API delivers and how its records are named. */
export type IntradayTopic<T> = {
  what: string;
  /** STOMP destinations for the worker's partitions. */
  destinations(username: string, partitions: readonly string[]): string[];
  schema: z.ZodType<T>;
  key(row: T): string;
  at(row: T): Date;
  keep(row: T, partitions: readonly string[]): boolean;
};

/** Public trades of every area (`/ticker`); partition `all`, or area ids to keep. */
export const TICKER: IntradayTopic<Trade> = {
  what: 'ticker',
  destinations: (user) => [`/user/${user}/v1/streaming/ticker`],
  schema: TradeSchema,
  key: tradeKey,
  at: (t) => new Date(t.tradeTime),
  keep: (t, areas) => inAreas(t, areas),
};

/** Contract statistics, one subscription per delivery area id (`/publicStatistics/<id>`). */
export const STATISTICS: IntradayTopic<Statistic> = {
  what: 'publicStatistics',
  destinations: (user, areas) => areas.map((a) => `/user/${user}/v1/streaming/publicStatistics/${a}`),
  schema: StatisticSchema,
  key: statisticKey,
  at: (s) => new Date(s.updatedAt),
  keep: () => true,
};

/** The simulator's stream path below its base URL. */
export const INTRADAY_PATH = '/intraday/ws';

/** Where to connect: the simulator's WebSocket path, or the endpoint Nord Pool gives at onboarding. */
async function endpoint(ctx: StreamContext): Promise<string> {
  if (ctx.baseUrl) return `${ctx.baseUrl.replace(/^http/, 'ws').replace(/\/$/, '')}${INTRADAY_PATH}`;
  // Intraday hosts are per customer environment (handed out at onboarding), so they are configuration.
  return ctx.secrets.require('nordpool:intraday_url');
}

export type TickerOptions = { heartbeatMs?: number; connectTimeoutMs?: number };

/** Keeps the trades with a leg in one of `areas` (`all`: every trade). */
export function inAreas(t: Trade, areas: readonly string[]): boolean {
  return areas.includes('all') || t.legs.some((l) => areas.includes(String(l.deliveryAreaId)));
}

export function tickerStream(options: TickerOptions = {}): StreamSource {
  return intradayStream(TICKER, options);
}

export function statisticsStream(options: TickerOptions = {}): StreamSource {
  return intradayStream(STATISTICS, options);
}

export function intradayStream<T>(topic: IntradayTopic<T>, options: TickerOptions = {}): StreamSource {
  const MessageSchema = z.array(topic.schema);
  return {
    encode: (records) => ({ body: new TextEncoder().encode(JSON.stringify(records.map((r) => r.data))), contentType: 'application/json' }),
    async connect(ctx, onRecords) {
      const url = await endpoint(ctx);
      // `ws` is loaded when the stream connects, not by every command that lists the providers.
      const { default: WebSocket } = await import('ws');
      const fetchCtx: FetchContext = { http: ctx.http, secrets: ctx.secrets, baseUrl: ctx.baseUrl, log: ctx.log, signal: ctx.signal, onAttempt: () => undefined };
      const token = await intradayTokens.bearer(fetchCtx);
      const username = await ctx.secrets.require('nordpool:username');
      let settle: (e: Error | null) => void = () => undefined;
      const closed = new Promise<Error | null>((resolve) => (settle = resolve));
      let closing = false;
      let connected = false;

      const client = new Client({
        webSocketFactory: () => {
          const ws = new WebSocket(url);
          ws.binaryType = 'arraybuffer';
          return ws as unknown as IStompSocket;
        },
        connectHeaders: { 'X-AUTH-TOKEN': token },
        reconnectDelay: 0, // the stream worker reconnects, with its own backoff
        heartbeatIncoming: options.heartbeatMs ?? 5000, // a stalled server is noticed and the socket dropped
        heartbeatOutgoing: 0,
        connectionTimeout: options.connectTimeoutMs ?? 10_000,
        debug: () => undefined,
      });

      const end = (e: Error | null) => {
        settle(e);
        if (!closing) {
          closing = true;
          void client.deactivate({ force: true }).catch(() => undefined);
        }
      };

      const onMessage = (m: IMessage) => {
        let json: unknown;
        try {
          json = JSON.parse(m.body);
        } catch {
          return end(new SourceUnavailableError(`nordpool intraday: a ${topic.what} message is not JSON`));
        }
        const rows = MessageSchema.safeParse(json);
        if (!rows.success) return end(new SourceUnavailableError(`nordpool intraday: a ${topic.what} message is not a list of rows: ${rows.error.issues[0]?.message}`));
        const records: StreamRecord[] = [];
        for (const r of rows.data) {
          if (!topic.keep(r, ctx.partitions)) continue;
          records.push({ key: topic.key(r), at: topic.at(r), data: r });
        }
        if (records.length > 0) onRecords(records);
      };

      await new Promise<void>((resolve, reject) => {
        const fail = (e: Error) => {
          if (connected) return end(e);
          end(e);
          reject(e);
        };
        client.onConnect = () => {
          connected = true;
          topic.destinations(username, ctx.partitions).forEach((d, i) => client.subscribe(d, onMessage, { id: `${topic.what}-${i}` }));
          resolve();
        };
        client.onStompError = (frame) => {
          const message = frame.headers.message ?? 'STOMP error';
          // The server refused the token (expired early): forget it, so the reconnect re-authenticates.
          if (/auth|token/i.test(message)) intradayTokens.invalidate(token);
          fail(/auth|token/i.test(message) && !connected ? new ConfigError(`nordpool intraday: ${message}`) : new SourceUnavailableError(`nordpool intraday: ${message}`));
        };
        client.onWebSocketClose = (evt) => {
          if (closing) return settle(null);
          fail(new SourceUnavailableError(`nordpool intraday: connection closed (${(evt as { code?: number }).code ?? '?'})`));
        };
        client.onWebSocketError = () => fail(new SourceUnavailableError('nordpool intraday: WebSocket error'));
        // Stopping while the handshake is under way must not leave connect() pending forever.
        const onAbort = () => {
          end(null);
          if (!connected) reject(new SourceUnavailableError('nordpool intraday: stopped while connecting'));
        };
        if (ctx.signal.aborted) return onAbort();
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        void closed.then(() => ctx.signal.removeEventListener('abort', onAbort));
        client.activate();
      });

      const connection: StreamConnection = {
        closed,
        async close() {
          closing = true;
          // A socket that never finishes closing must not hold up a stop.
          await Promise.race([client.deactivate(), new Promise((r) => setTimeout(r, 2000).unref())]);
          settle(null);
        },
      };
      return connection;
    },
  };
}
