// Pure parser for the JAO auction tool (https://api.jao.eu/OWSMP/getauctions): explicit capacity
// auctions per corridor. An answer is a JSON array of auctions, each with `results` per product.
// Daily auctions sell hourly products labelled with the CET/CEST wall-clock hour ("00:00-01:00"),
// for every corridor, GB ones included; the labels are NOT in order, the fall-back day repeats
// "02:00-03:00" as "02:00-03:00*" (25 products) and the spring-forward day has 23. Labels are mapped
// to instants by enumerating the local hours of the auction's market period, never by naive parsing.
// Long-term auctions (weekly, monthly, yearly, ...) sell one product over their whole period.
import { DateTime } from 'luxon';
import { z } from 'zod';
import { ParseError } from '../../shared/errors.ts';
import { sharedSeries, type Observation } from '../../shared/observation.ts';

/** Hour labels are CET/CEST wall-clock times. */
export const AUCTION_TZ = 'Europe/Paris';

const ResultSchema = z.looseObject({
  corridorCode: z.string().nullable().optional(),
  offeredCapacity: z.number().nullable().optional(),
  requestedCapacity: z.number().nullable().optional(),
  allocatedCapacity: z.number().nullable().optional(),
  auctionPrice: z.number().nullable().optional(),
  productHour: z.string().nullable().optional(),
  productIdentification: z.string().nullable().optional(),
});

const AuctionSchema = z.looseObject({
  identification: z.string(),
  horizonName: z.string(),
  corridorCode: z.string(),
  cancelled: z.boolean().optional(),
  lastDataUpdate: z.string().nullable().optional(),
  marketPeriodStart: z.string(),
  marketPeriodStop: z.string(),
  results: z.array(ResultSchema).nullable(),
});

export type Auction = z.infer<typeof AuctionSchema>;

const METRICS = [
  ['offeredCapacity', 'offered_capacity', 'MW'],
  ['requestedCapacity', 'requested_capacity', 'MW'],
  ['allocatedCapacity', 'allocated_capacity', 'MW'],
  ['auctionPrice', 'price', 'EUR/MWh'],
] as const;

/** Long-term horizons and the period one of their products covers. */
const HORIZON_RESOLUTIONS: Readonly<Record<string, string>> = {
  Weekly: 'P1W',
  Monthly: 'P1M',
  Quarterly: 'P3M',
  Yearly: 'P1Y',
};

/** The body the auction tool sends with HTTP 400 when a corridor has no auction in the window. */
export function isNoDataAnswer(body: Uint8Array | string): boolean {
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body.subarray(0, 500));
  return /"message"\s*:\s*"No Data found"/i.test(text);
}

const OFFSET_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

function instant(s: string, where: string): Date {
  const dt = OFFSET_INSTANT.test(s) ? DateTime.fromISO(s, { setZone: true }) : null;
  if (!dt || !dt.isValid) throw new ParseError(`${where}: not an instant with a zone: ${JSON.stringify(s)}`);
  return dt.toJSDate();
}

/**
 * The hourly products of a daily market period: label → start instant. Each local hour of
 * [start, stop) gets its wall-clock label; a label seen twice (the fall-back day) gets a `*`.
 */
export function hourLabels(start: Date, stop: Date, tz = AUCTION_TZ): Map<string, Date> {
  const labels = new Map<string, Date>();
  const hh = (h: number) => String(h).padStart(2, '0');
  for (let t = start.getTime(); t < stop.getTime(); t += 3_600_000) {
    const local = DateTime.fromMillis(t, { zone: tz });
    const label = `${hh(local.hour)}:00-${hh(local.hour + 1)}:00`;
    labels.set(labels.has(label) ? `${label}*` : label, new Date(t));
  }
  return labels;
}

export function readAuctions(body: Uint8Array | string): Auction[] {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (e) {
    throw new ParseError(`JAO auctions: not a JSON document: ${(e as Error).message}`);
  }
  if (!Array.isArray(json) && isNoDataAnswer(typeof body === 'string' ? body : new TextDecoder().decode(body))) return [];
  const parsed = z.array(AuctionSchema).safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new ParseError(`JAO auctions: not a getauctions answer: ${i.path.join('.') || 'body'}: ${i.message}`);
  }
  return parsed.data;
}

function checkValue(v: unknown, where: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ParseError(`${where}: not a number: ${JSON.stringify(v)}`);
  return v;
}

/**
 * Observations of the auctions in an answer whose horizon is `daily` (hourly products) or not
 * (one product per period). `dataset` names the Scalar dataset; auctions of the other kind in the
 * same answer are an error, not silently dropped.
 */
export function parseAuctions(dataset: string, kind: 'daily' | 'long_term', body: Uint8Array | string): Observation[] {
  const out: Observation[] = [];
  const seriesOf = sharedSeries();
  for (const a of readAuctions(body)) {
    const where = `JAO auction ${a.identification}`;
    const daily = a.horizonName === 'Daily';
    if (daily !== (kind === 'daily')) throw new ParseError(`${where}: horizon ${a.horizonName} does not belong in ${dataset}`);
    const start = instant(a.marketPeriodStart, `${where} marketPeriodStart`);
    const stop = instant(a.marketPeriodStop, `${where} marketPeriodStop`);
    if (stop <= start) throw new ParseError(`${where}: market period ends before it starts`);
    if (daily && stop.getTime() - start.getTime() > 26 * 3_600_000) throw new ParseError(`${where}: a daily market period of more than 25 hours`);
    const issued = a.lastDataUpdate ? instant(a.lastDataUpdate, `${where} lastDataUpdate`) : undefined;
    const quality = a.cancelled ? 'cancelled' : undefined;
    const labels = daily ? hourLabels(start, stop) : null;
    const seen = new Set<string>();
    for (const [i, r] of (a.results ?? []).entries()) {
      const rw = `${where} result ${i}`;
      let ts: Date;
      let resolution: string;
      const series: Record<string, string> = { corridor: r.corridorCode ?? a.corridorCode, horizon: a.horizonName.toLowerCase() };
      if (labels) {
        const label = r.productHour?.trim() ?? '';
        const at = labels.get(label);
        if (!at) throw new ParseError(`${rw}: productHour ${JSON.stringify(r.productHour)} is not an hour of ${a.marketPeriodStart}…${a.marketPeriodStop} (CET/CEST)`);
        if (seen.has(label)) throw new ParseError(`${rw}: productHour ${label} appears twice`);
        seen.add(label);
        ts = at;
        resolution = 'PT60M';
      } else {
        const res = HORIZON_RESOLUTIONS[a.horizonName];
        if (!res) throw new ParseError(`${rw}: unknown long-term horizon ${JSON.stringify(a.horizonName)}`);
        ts = start;
        resolution = res;
        series.product = r.productIdentification ?? 'base';
      }
      for (const [field, metric, unit] of METRICS) {
        out.push({
          dataset,
          series: seriesOf({ ...series, metric }),
          ts,
          resolution,
          value: checkValue(r[field], `${rw} ${field}`),
          unit,
          ...(issued ? { issued } : {}),
          ...(quality ? { quality } : {}),
        });
      }
    }
  }
  return out;
}
