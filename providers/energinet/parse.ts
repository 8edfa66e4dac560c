// Pure parsers for Energi Data Service responses: bytes in, observations out. Timestamps come from
// the *UTC columns (naive strings documented as UTC); the *DK columns repeat an hour on the
// fall-back day and are never used for instants.
import { z } from 'zod';
import { ParseError } from '../../shared/errors.ts';
import type { Observation } from '../../shared/observation.ts';
import { parseNaiveUtc } from '../../shared/time.ts';

export const EnvelopeSchema = z.looseObject({
  total: z.number().int().nonnegative(),
  limit: z.number().int().nonnegative().optional(),
  dataset: z.string().optional(),
  records: z.array(z.record(z.string(), z.unknown())),
});

export type Envelope = z.infer<typeof EnvelopeSchema>;

/** One price dataset of Energi Data Service and how its columns map to observations. */
export type PriceColumns = {
  datasetId: string;
  /** Dataset name in the API path: /dataset/<apiName>. */
  apiName: string;
  timeField: string;
  resolution: string;
  /** Value column per currency. */
  valueFields: Readonly<Record<'EUR' | 'DKK', string>>;
};

export const DAY_AHEAD_COLUMNS: PriceColumns = {
  datasetId: 'energinet.day_ahead_prices',
  apiName: 'DayAheadPrices',
  timeField: 'TimeUTC',
  resolution: 'PT15M',
  valueFields: { EUR: 'DayAheadPriceEUR', DKK: 'DayAheadPriceDKK' },
};

export const ELSPOT_COLUMNS: PriceColumns = {
  datasetId: 'energinet.elspot_prices',
  apiName: 'Elspotprices',
  timeField: 'HourUTC',
  resolution: 'PT60M',
  valueFields: { EUR: 'SpotPriceEUR', DKK: 'SpotPriceDKK' },
};

/** Decodes and checks the response envelope; the client uses it too, to page and to spot cut-off bodies. */
export function readEnvelope(body: Uint8Array | string): Envelope {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (e) {
    throw new ParseError(`not a JSON document: ${(e as Error).message}`);
  }
  const env = EnvelopeSchema.safeParse(json);
  if (!env.success) {
    const i = env.error.issues[0]!;
    throw new ParseError(`not an Energi Data Service response: ${i.path.join('.') || 'body'}: ${i.message}`);
  }
  return env.data;
}

function parsePrices(columns: PriceColumns, body: Uint8Array | string): Observation[] {
  const env = readEnvelope(body);
  if (env.dataset !== undefined && env.dataset !== columns.apiName) {
    throw new ParseError(`expected dataset ${columns.apiName}, the response holds ${env.dataset}`);
  }
  const out: Observation[] = [];
  env.records.forEach((r, i) => {
    const where = `${columns.apiName} record ${i}`;
    const rawTs = r[columns.timeField];
    const ts = typeof rawTs === 'string' ? parseNaiveUtc(rawTs) : null;
    if (!ts) throw new ParseError(`${where}: ${columns.timeField} is not a timestamp: ${JSON.stringify(rawTs)}`);
    const area = r.PriceArea;
    if (typeof area !== 'string' || area === '') {
      throw new ParseError(`${where}: PriceArea is missing or not a string: ${JSON.stringify(area)}`);
    }
    for (const currency of ['EUR', 'DKK'] as const) {
      const field = columns.valueFields[currency];
      const v = r[field];
      // null is the source saying "no value" (SpotPriceDKK on some early weekend rows): kept, never 0.
      if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
        throw new ParseError(`${where}: ${field} is not a number: ${JSON.stringify(v)}`);
      }
      out.push({
        dataset: columns.datasetId,
        series: { area, currency },
        ts,
        resolution: columns.resolution,
        value: v,
        unit: `${currency}/MWh`,
      });
    }
  });
  return out;
}

export function parseDayAheadPrices(body: Uint8Array | string): Observation[] {
  return parsePrices(DAY_AHEAD_COLUMNS, body);
}

export function parseElspotPrices(body: Uint8Array | string): Observation[] {
  return parsePrices(ELSPOT_COLUMNS, body);
}
