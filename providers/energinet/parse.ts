// The pure parsers of Energinet payloads, for importers outside the provider (bench, pipeline
// tests). Each dataset's parser is its descriptor's `parse`; the machinery is `records.ts`.
export { readEnvelope, readRecords, type Envelope } from './envelope.ts';
export { parseRecords, type RecordLayout } from './records.ts';
export { DAY_AHEAD_COLUMNS, ELSPOT_COLUMNS, parseDayAheadPrices, parseElspotPrices, type PriceColumns } from './prices.ts';
