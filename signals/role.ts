// The signals role: follows the `events` topic and, for each landed batch, recomputes exactly the
// output windows of the signals whose inputs changed. A message is acknowledged once every
// affected signal is written; a store or cache failure leaves it for redelivery (recomputing is
// idempotent), and a message that is not a landed event goes to the dead-letter topic.
import type { Bus, Subscription } from '../shared/bus/index.ts';
import { errorMessage } from '../shared/errors.ts';
import { EVENTS_TOPIC, buildLandedEvent, encodeLandedEvent, followLandedEvents, type LandedEvent } from '../shared/landed-events.ts';
import type { Logger } from '../shared/log.ts';
import type { Interval } from '../shared/time.ts';
import { recomputeSignal, type RecomputeDeps } from './recompute.ts';
import type { Signal } from './signal.ts';

export type SignalsDeps = RecomputeDeps & { bus: Bus; log: Logger; signals: readonly Signal[] };

export type SignalsEvent =
  | { type: 'recomputed'; signal: string; window: Interval; rows: number }
  | { type: 'failed'; error: string };

/** The range each signal must recompute for one event: the union of its inputs' changed ranges. */
export function affected(signals: readonly Signal[], event: LandedEvent): { signal: Signal; changed: Interval }[] {
  const out: { signal: Signal; changed: Interval }[] = [];
  for (const signal of signals) {
    const ranges = event.datasets.filter((d) => signal.inputs.some((i) => i.dataset === d.dataset));
    if (ranges.length === 0) continue;
    const from = new Date(Math.min(...ranges.map((r) => r.from.getTime())));
    const to = new Date(Math.max(...ranges.map((r) => r.to.getTime())));
    out.push({ signal, changed: { from, to } });
  }
  return out;
}

export async function startSignals(
  deps: SignalsDeps,
  options: { subscription?: string; maxInFlight?: number } = {},
  onEvent: (e: SignalsEvent) => void = () => undefined,
): Promise<Subscription> {
  return followLandedEvents(
    deps.bus,
    { role: 'signals', subscription: options.subscription ?? 'signals', maxInFlight: options.maxInFlight ?? 4, log: deps.log, onFailed: (error) => onEvent({ type: 'failed', error }) },
    async (event) => {
      for (const { signal, changed } of affected(deps.signals, event)) {
        const rows = await recomputeSignal(deps, signal, changed);
        onEvent({ type: 'recomputed', signal: signal.id, window: changed, rows: rows.length });
        // execution: a signal's written outputs are a landed event too, so the desk reacts to them
        // (no signal reads another's output, so this never loops back into a recompute).
        const landed = buildLandedEvent(rows);
        if (landed) {
          await deps.bus.publish(EVENTS_TOPIC, { data: encodeLandedEvent(landed), properties: { schema: landed.schema }, key: landed.datasets[0]!.dataset })
            .catch((e: unknown) => deps.log.warn(`signal landed event not published: ${errorMessage(e)}`));
        }
      }
    },
  );
}
