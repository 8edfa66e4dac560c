// A strategy is data plus one pure function, like a signal: which signal series it reads, the book
// it trades for, its risk limits, and how input observations become order intents.
import type { Observation } from '../shared/observation.ts';
import type { IsoDuration } from '../shared/time.ts';
import type { Market, OrderIntent } from './order.ts';

export type StrategyInput = { dataset: string; where?: Readonly<Record<string, string>> };

export type RiskLimits = {
  markets: readonly Market[];
  zones: readonly string[];
  /** |net MW| per zone at any instant of a delivery period, counting open orders as if they filled. */
  maxNetMw: number;
  /** MWh of accepted orders per desk day of delivery. */
  maxDailyMwh: number;
  /** The kill switch: a desk day of delivery losing more than this (currency) stops the book. */
  maxDailyLoss: number;
};

export type Strategy = {
  id: string;
  title: string;
  /** The book its positions and P&L are kept in (one book per strategy). */
  book: string;
  trader: string;
  desk: string;
  inputs: readonly StrategyInput[];
  /** How far around a changed input range the inputs are read (a whole day for a daily rule). */
  margin: IsoDuration;
  limits: RiskLimits;
  /**
   * Replay clock only: the strategy is taken to decide this long before its market's gate closure
   * (its inputs are assumed known by then). The wall clock ignores it.
   */
  decisionLeadMs: number;
  /** Pure: `inputs[i]` holds the observations of `inputs[i]`. */
  decide(inputs: readonly (readonly Observation[])[]): OrderIntent[];
};

/** A strategy on the paper desk: its book is its id, traded by `paper` on the `power` desk. */
export function paperStrategy(s: Omit<Strategy, 'book' | 'trader' | 'desk'>): Strategy {
  return { ...s, book: s.id, trader: 'paper', desk: 'power' };
}
