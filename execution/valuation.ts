// Positions and P&L from fills, pure. Fills are grouped by book, trader, desk, zone, delivery period
// and currency; within a group, per product and side, quantity and energy-weighted average price.
// The group's net energy is valued at one mark: the imbalance price once published (settled: an
// `imbalance` leg closes the net position at that price), else the latest intraday print, else the
// day-ahead clearing price; with none, the open part is unvalued.
import type { MarkKind, PnlRecord, PositionRecord, Product, Side } from '../shared/store/index.ts';
import { hoursOf, type Fill } from './order.ts';

export type Marks = {
  /** Imbalance price of the period for a net long (+1) or short (−1) position; null while unpublished. */
  imbalance(zone: string, start: Date, end: Date, direction: 1 | -1): number | null;
  /** The latest price of the period and where it came from; null when there is none. */
  latest(zone: string, start: Date, end: Date): { price: number; kind: Exclude<MarkKind, 'imbalance'> } | null;
};

export type Valuation = { positions: PositionRecord[]; pnl: PnlRecord[] };

const money = (x: number) => Math.round(x * 1e6) / 1e6;

type Leg = { energy: number; value: number; quantity: number };

export function valuate(fills: readonly Fill[], marks: Marks, snapshot = 'live'): Valuation {
  const groups = new Map<string, Fill[]>();
  for (const f of fills) {
    const k = [f.book, f.trader, f.desk, f.zone, f.deliveryStart.toISOString(), f.deliveryEnd.toISOString(), f.currency].join('\u0000');
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  const positions: PositionRecord[] = [];
  const pnl: PnlRecord[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    const { book, trader, desk, zone, deliveryStart, deliveryEnd, currency } = first;
    const hours = hoursOf(deliveryStart, deliveryEnd);
    const base = { snapshot, book, trader, desk, zone, deliveryStart, deliveryEnd, currency };
    // product → side → leg
    const legs = new Map<Product, Map<Side, Leg>>();
    let net = 0;
    for (const f of group) {
      const e = f.quantityMw * hours;
      net += f.side === 'buy' ? e : -e;
      const sides = legs.get(f.market) ?? new Map<Side, Leg>();
      const leg = sides.get(f.side) ?? { energy: 0, value: 0, quantity: 0 };
      leg.energy += e;
      leg.value += e * f.price;
      leg.quantity += f.quantityMw;
      sides.set(f.side, leg);
      legs.set(f.market, sides);
    }
    net = money(net);
    const settlement = net === 0 ? null : marks.imbalance(zone, deliveryStart, deliveryEnd, net > 0 ? 1 : -1);
    const latest = settlement === null ? marks.latest(zone, deliveryStart, deliveryEnd) : null;
    const mark = settlement ?? latest?.price ?? null;
    const markKind: MarkKind | null = settlement !== null ? 'imbalance' : latest?.kind ?? null;
    for (const [product, sides] of legs) {
      for (const [side, leg] of sides) {
        positions.push({ ...base, product, side, quantityMw: money(leg.quantity), energyMwh: money(leg.energy), avgPrice: money(leg.value / leg.energy) });
      }
      const buy = sides.get('buy') ?? { energy: 0, value: 0, quantity: 0 };
      const sell = sides.get('sell') ?? { energy: 0, value: 0, quantity: 0 };
      const netP = buy.energy - sell.energy;
      const cash = sell.value - buy.value;
      const avgBuy = buy.energy > 0 ? buy.value / buy.energy : 0;
      const avgSell = sell.energy > 0 ? sell.value / sell.energy : 0;
      const matched = Math.min(buy.energy, sell.energy);
      let realised = matched > 0 ? matched * (avgSell - avgBuy) : 0;
      let unrealised: number | null = null;
      if (markKind === 'imbalance') {
        realised = cash + netP * mark!;
        unrealised = 0;
      } else if (mark !== null) {
        unrealised = netP > 0 ? netP * (mark - avgBuy) : netP < 0 ? netP * (mark - avgSell) : 0;
      }
      pnl.push({
        ...base, product, netMwh: money(netP), cash: money(cash), markPrice: mark, markKind,
        realised: money(realised), unrealised: unrealised === null ? null : money(unrealised), total: money(realised + (unrealised ?? 0)),
      });
    }
    if (settlement !== null) {
      // The imbalance leg closes what was left open at the settlement price.
      positions.push({ ...base, product: 'imbalance', side: net > 0 ? 'sell' : 'buy', quantityMw: money(Math.abs(net) / hours), energyMwh: Math.abs(net), avgPrice: settlement });
    }
  }
  return { positions, pnl };
}
