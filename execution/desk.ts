// The desk: for one landed event, run the strategies whose inputs changed (risk-checked orders),
// try to fill or expire open orders against the prices in the store, revalue the books and fire the
// kill switch. All decisions are the pure functions of order.ts, risk.ts, fills.ts and valuation.ts;
// this file only reads and writes the store.
import type { Dataset, Quantity } from '../shared/dataset.ts';
import type { LandedEvent } from '../shared/landed-events.ts';
import type { Logger } from '../shared/log.ts';
import { sourcesOf } from '../shared/measures.ts';
import { seriesKey } from '../shared/observation.ts';
import type { BookState, Store } from '../shared/store/index.ts';
import { addDuration, fixedDurationMs, isCalendarDuration } from '../shared/time.ts';
import { fillDayAhead, fillIntraday, periodPrice, type PricePoint } from './fills.ts';
import { deskDay, gateClosure, INTRADAY_GATE_LEAD_MS, orderId, type Fill, type Order, type OrderIntent } from './order.ts';
import { riskCheck, type BookView } from './risk.ts';
import type { Strategy } from './strategy.ts';
import { valuate, type Marks } from './valuation.ts';

export type PriceSource = { dataset: string; where?: Readonly<Record<string, string>> };
export type PriceSources = { dayAhead: readonly PriceSource[]; intraday: readonly PriceSource[]; imbalance: readonly PriceSource[] };

/**
 * Where the desk finds prices: by quantity over the datasets passed in (never by provider), plus
 * intraday print datasets named in configuration (series with a `zone`, `ts` = delivery start,
 * `issued` = trade time) until a dataset declares `price.intraday`.
 */
export function priceSources(datasets: readonly Dataset[], intraday: readonly PriceSource[] = []): PriceSources {
  const of = (q: Quantity) => sourcesOf(datasets, q, 'actual').map((s) => ({ dataset: s.dataset.id, ...(s.measure.where ? { where: s.measure.where } : {}) }));
  return { dayAhead: of('price.day_ahead'), intraday: [...of('price.intraday'), ...intraday], imbalance: of('price.imbalance') };
}

/**
 * `wall`: an order is placed when the desk sees its input (live paper trading). `replay`: at the
 * strategy's declared decision time (gate closure − decisionLead, never later than now), so a
 * replay of history (the demo, a backtest) trades delivery periods whose gate has closed since.
 */
export type DeskClock = 'wall' | 'replay';

export type DeskDeps = {
  store: Store;
  strategies: readonly Strategy[];
  prices: PriceSources;
  clock: DeskClock;
  now?: () => Date;
  log: Logger;
  intradayLeadMs?: number;
};

export type DeskReport = { placed: number; rejected: number; filled: number; expired: number; stopped: string[] };

const currencyOf = (unit: string) => unit.split('/')[0] ?? unit;

async function readPoints(store: Store, sources: readonly PriceSource[], zone: string, from: Date, to: Date): Promise<PricePoint[][]> {
  const out: PricePoint[][] = [];
  for (const s of sources) {
    const rows = await store.queryObservations({ dataset: s.dataset, from, to, where: { ...s.where, zone } });
    const bySeries = new Map<string, PricePoint[]>();
    for (const o of rows) {
      if (isCalendarDuration(o.resolution) || fixedDurationMs(o.resolution) === 0) continue;
      const k = seriesKey(o.series);
      const p: PricePoint = {
        dataset: o.dataset, zone, start: o.ts, end: new Date(o.ts.getTime() + fixedDurationMs(o.resolution)), price: o.value,
        currency: currencyOf(o.unit), ...(o.issued ? { at: o.issued } : {}),
      };
      bySeries.set(k, [...(bySeries.get(k) ?? []), p]);
    }
    out.push(...bySeries.values());
  }
  return out;
}

function span(items: readonly { deliveryStart: Date; deliveryEnd: Date }[]): { from: Date; to: Date } {
  return {
    from: new Date(Math.min(...items.map((o) => o.deliveryStart.getTime()))),
    to: new Date(Math.max(...items.map((o) => o.deliveryEnd.getTime()))),
  };
}

const byZone = <T extends { zone: string }>(xs: readonly T[]) => {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(x.zone, [...(m.get(x.zone) ?? []), x]);
  return m;
};

/**
 * Pure: the orders a strategy's intents become, each risk-checked against the book as it stands
 * with the orders accepted before it. Intents whose order id the book already holds (a replayed or
 * revised input) become nothing.
 */
export function placeOrders(strategy: Strategy, intents: readonly OrderIntent[], view: BookView, now: Date, clock: DeskClock, intradayLeadMs = INTRADAY_GATE_LEAD_MS): Order[] {
  const known = new Set(view.orders.map((o) => o.id));
  let book = view.orders;
  const out: Order[] = [];
  for (const intent of intents) {
    const id = orderId(strategy.id, intent.key);
    if (known.has(id)) continue;
    known.add(id);
    const gate = gateClosure(intent.market, intent.deliveryStart, intradayLeadMs);
    const placedAt = clock === 'wall' ? now : new Date(Math.min(now.getTime(), gate.getTime() - strategy.decisionLeadMs));
    const candidate: Order = {
      id, strategy: strategy.id, book: strategy.book, trader: strategy.trader, desk: strategy.desk, market: intent.market, zone: intent.zone,
      deliveryStart: intent.deliveryStart, deliveryEnd: intent.deliveryEnd, side: intent.side, quantityMw: intent.quantityMw,
      limitPrice: intent.limitPrice, currency: intent.currency, status: 'open', reason: null, placedAt, gateClosure: gate,
      source: intent.source, updatedAt: now,
    };
    const reason = riskCheck(candidate, strategy.limits, { ...view, orders: book });
    const order: Order = reason === null ? candidate : { ...candidate, status: 'rejected', reason };
    out.push(order);
    book = [...book, order];
  }
  return out;
}

export class Desk {
  readonly #deps: DeskDeps;
  readonly #now: () => Date;
  // One step at a time: events and the expiry timer share the books.
  #queue: Promise<unknown> = Promise.resolve();

  constructor(deps: DeskDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  /** Resolves once the step under way (if any) is done. */
  idle(): Promise<void> {
    return this.#queue.then(() => undefined);
  }

  /** Runs one step for a landed event, or (null) only fills, expiries and revaluation. */
  step(event: LandedEvent | null): Promise<DeskReport> {
    const run = this.#queue.then(() => this.#step(event));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #step(event: LandedEvent | null): Promise<DeskReport> {
    const now = this.#now();
    const report: DeskReport = { placed: 0, rejected: 0, filled: 0, expired: 0, stopped: [] };
    const touched = new Set(event?.datasets.map((d) => d.dataset) ?? []);
    for (const strategy of this.#deps.strategies) {
      const ranges = event?.datasets.filter((d) => strategy.inputs.some((i) => i.dataset === d.dataset)) ?? [];
      if (ranges.length > 0) await this.#decide(strategy, ranges, now, report);
    }
    const fillsChanged = await this.#fillOpen(now, report);
    const priceTouched = [...this.#deps.prices.dayAhead, ...this.#deps.prices.intraday, ...this.#deps.prices.imbalance].some((s) => touched.has(s.dataset));
    if (fillsChanged || priceTouched || report.placed > 0 || event === null) await this.#revalue(now, report);
    return report;
  }

  async #decide(strategy: Strategy, ranges: readonly { from: Date; to: Date }[], now: Date, report: DeskReport): Promise<void> {
    const { store } = this.#deps;
    const from = addDuration(new Date(Math.min(...ranges.map((r) => r.from.getTime()))), strategy.margin, 'UTC', -1);
    const to = addDuration(new Date(Math.max(...ranges.map((r) => r.to.getTime()))), strategy.margin, 'UTC', 1);
    const inputs = await Promise.all(strategy.inputs.map((i) => store.queryObservations({ dataset: i.dataset, from, to, where: i.where })));
    const intents = strategy.decide(inputs);
    if (intents.length === 0) return;
    // A day either side: the net position and the daily volume look at the same zone, period and desk day.
    const around = span(intents);
    const book = await store.listOrders({ book: strategy.book, from: new Date(around.from.getTime() - 86_400_000), to: new Date(around.to.getTime() + 86_400_000) });
    const view: BookView = { orders: book, state: await this.#bookState(strategy.book), dailyPnl: await this.#dailyPnl(strategy.book) };
    const orders = placeOrders(strategy, intents, view, now, this.#deps.clock, this.#deps.intradayLeadMs ?? INTRADAY_GATE_LEAD_MS);
    for (const o of orders) {
      if (o.status === 'open') report.placed++;
      else report.rejected++;
    }
    await store.saveOrders(orders);
  }

  async #bookState(book: string): Promise<BookState | null> {
    return (await this.#deps.store.listBookStates()).find((s) => s.book === book) ?? null;
  }

  async #dailyPnl(book: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const r of await this.#deps.store.listPnl({ snapshot: 'live', book })) out.set(deskDay(r.deliveryStart), (out.get(deskDay(r.deliveryStart)) ?? 0) + r.total);
    return out;
  }

  /** Fills or expires open orders; true when something changed. */
  async #fillOpen(now: Date, report: DeskReport): Promise<boolean> {
    const { store, prices } = this.#deps;
    const open = await store.listOrders({ status: 'open' });
    if (open.length === 0) return false;
    const changed: Order[] = [];
    const fills: Fill[] = [];
    for (const [zone, orders] of byZone(open)) {
      const { from, to } = span(orders);
      const da = orders.some((o) => o.market === 'day_ahead') ? await readPoints(store, prices.dayAhead, zone, from, to) : [];
      const id = orders.some((o) => o.market === 'intraday') ? (await readPoints(store, prices.intraday, zone, from, to)).flat() : [];
      for (const o of orders) {
        const outcome = o.market === 'day_ahead' ? fillDayAhead(o, da, now) : fillIntraday(o, id, now);
        if (!outcome) continue;
        changed.push(outcome.order);
        if (outcome.fill) {
          fills.push(outcome.fill);
          report.filled++;
        } else report.expired++;
      }
    }
    // Fills first: an order marked filled always has its fill stored.
    await store.saveFills(fills);
    await store.saveOrders(changed);
    return changed.length > 0;
  }

  async #revalue(now: Date, report: DeskReport): Promise<void> {
    const { store, prices, strategies } = this.#deps;
    const fills = await store.listFills();
    const points = new Map<string, { imbalance: PricePoint[][]; dayAhead: PricePoint[][]; intraday: PricePoint[] }>();
    for (const [zone, fs] of byZone(fills)) {
      const { from, to } = span(fs);
      points.set(zone, {
        imbalance: await readPoints(store, prices.imbalance, zone, from, to),
        dayAhead: await readPoints(store, prices.dayAhead, zone, from, to),
        intraday: (await readPoints(store, prices.intraday, zone, from, to)).flat(),
      });
    }
    const marks: Marks = {
      imbalance(zone, start, end, direction) {
        const series = points.get(zone)?.imbalance ?? [];
        const candidates = series.map((s) => periodPrice([s], start, end)?.price).filter((p): p is number => p !== null && p !== undefined);
        if (candidates.length === 0) return null;
        // Two-price zones publish a price per direction: the position is settled at the one against it.
        return direction > 0 ? Math.min(...candidates) : Math.max(...candidates);
      },
      latest(zone, start, end) {
        const p = points.get(zone);
        const prints = (p?.intraday ?? [])
          .filter((x) => x.price !== null && x.at && x.at <= now && x.start.getTime() === start.getTime() && x.end.getTime() === end.getTime())
          .sort((a, b) => b.at!.getTime() - a.at!.getTime());
        if (prints[0]) return { price: prints[0].price!, kind: 'intraday' };
        const da = periodPrice(p?.dayAhead ?? [], start, end);
        return da?.price != null ? { price: da.price, kind: 'day_ahead' } : null;
      },
    };
    const live = valuate(fills, marks, 'live');
    await store.replaceValuation('live', live.positions, live.pnl);
    // The desk day's snapshot is rewritten until the day ends: what it last holds is the end-of-day state.
    const today = deskDay(now);
    await store.replaceValuation(today, live.positions.map((p) => ({ ...p, snapshot: today })), live.pnl.map((p) => ({ ...p, snapshot: today })));
    for (const s of strategies) {
      const state = await this.#bookState(s.book);
      if (state?.stopped) continue;
      const daily = new Map<string, number>();
      for (const r of live.pnl) if (r.book === s.book) daily.set(deskDay(r.deliveryStart), (daily.get(deskDay(r.deliveryStart)) ?? 0) + r.total);
      const worst = [...daily].sort((a, b) => a[1] - b[1])[0];
      if (!worst || worst[1] > -s.limits.maxDailyLoss) continue;
      const reason = `daily loss ${worst[1].toFixed(2)} on ${worst[0]} beyond −${s.limits.maxDailyLoss}`;
      await store.saveBookState({ book: s.book, stopped: true, reason, at: now });
      const open = (await store.listOrders({ book: s.book, status: 'open' })).map((o): Order => ({ ...o, status: 'cancelled', reason: `kill switch: ${reason}`, updatedAt: now }));
      await store.saveOrders(open);
      report.stopped.push(s.book);
      this.#deps.log.warn(`execution: kill switch stopped book ${s.book}: ${reason}; ${open.length} open orders cancelled`);
    }
  }
}

