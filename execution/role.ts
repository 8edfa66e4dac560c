// The execution role: follows the `events` topic (signal outputs and prices landing) and runs one
// desk step per event; a timer only moves the clock on (gate closures, expiries), it never looks
// for new data. A message is acknowledged once its step is stored; a store failure leaves it for
// redelivery (a step is idempotent: order and fill ids are deterministic), and a message that is
// not a landed event goes to the dead-letter topic.
import type { Bus, Subscription } from '../shared/bus/index.ts';
import { errorMessage } from '../shared/errors.ts';
import { followLandedEvents } from '../shared/landed-events.ts';
import { Desk, type DeskDeps, type DeskReport } from './desk.ts';

export type ExecutionDeps = DeskDeps & { bus: Bus };

export type ExecutionEvent = { type: 'step'; report: DeskReport } | { type: 'failed'; error: string };

export type ExecutionRole = { desk: Desk; close(): Promise<void> };

export async function startExecution(
  deps: ExecutionDeps,
  options: { subscription?: string; tickMs?: number } = {},
  onEvent: (e: ExecutionEvent) => void = () => undefined,
): Promise<ExecutionRole> {
  const desk = new Desk(deps);
  const log = deps.log;
  const report = (r: DeskReport) => {
    if (r.placed + r.rejected + r.filled + r.expired + r.stopped.length > 0) log.info(r, 'execution step');
    onEvent({ type: 'step', report: r });
  };
  const sub: Subscription = await followLandedEvents(
    deps.bus,
    { role: 'execution', subscription: options.subscription ?? 'execution', maxInFlight: 1, log, onFailed: (error) => onEvent({ type: 'failed', error }) },
    async (event) => report(await desk.step(event)),
  );
  const timer = setInterval(() => {
    desk.step(null).then(report, (e: unknown) => log.warn(`execution: clock step failed: ${errorMessage(e)}`));
  }, options.tickMs ?? 30_000);
  timer.unref();
  return {
    desk,
    async close() {
      clearInterval(timer);
      await sub.close();
      // Let a step under way finish before the store closes.
      await desk.idle();
    },
  };
}
