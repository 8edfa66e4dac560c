// Pure parsers for ENTSO-E Transparency Platform documents: bytes in, observations out.
// What a body is (XML document, ZIP of documents, acknowledgement, HTML error page) is decided
// from its bytes. Each TimeSeries is cut out of the text and parsed on its own, so memory follows
// the largest TimeSeries, not the whole document. Instants: Period.start + (position − 1) × resolution,
// calendar resolutions stepped in the area's local calendar (for a border, the calendar of the area
// in which the Period starts at midnight).
import { isUtf8 } from 'node:buffer';
import { XMLParser } from 'fast-xml-parser';
import { unzipSync } from 'fflate';
import { ParseError } from '../../shared/errors.ts';
import type { Observation } from '../../shared/observation.ts';
import { assertOnGrid, isEic, parseStrictInstant, parseStrictInteger, parseStrictNumber } from '../../shared/strict.ts';
import { addDuration, fixedDurationMs, floorTo, isCalendarDuration, isoUtc } from '../../shared/time.ts';
import { areaTimeZone } from './areas.ts';
import { PackedPoints, readPlainXml } from './plain-xml.ts';

/** An acknowledgement that is not "no matching data": the request was wrong or refused. */
export class AcknowledgementError extends ParseError {
  override name = 'AcknowledgementError';
  constructor(
    readonly code: string,
    readonly reason: string,
  ) {
    super(`ENTSO-E acknowledgement ${code}: ${reason}`);
  }
}

export type ParsedDocument = {
  /** null for a no-data acknowledgement. */
  documentType: string | null;
  dataset: string | null;
  observations: Observation[];
};

const RESOLUTIONS = new Set(['PT1M', 'PT15M', 'PT30M', 'PT60M', 'P1D', 'P7D', 'P1M', 'P1Y']);

// processType → forecast horizon, for datasets that carry it as a dimension
const HORIZONS: Record<string, string> = { A01: 'day_ahead', A40: 'intraday', A18: 'current', A31: 'week_ahead', A32: 'month_ahead', A33: 'year_ahead' };
// contract_MarketAgreement.type → horizon (A61 transfer capacities)
const CONTRACT_HORIZONS: Record<string, string> = { A01: 'day_ahead', A02: 'week_ahead', A03: 'month_ahead', A04: 'year_ahead', A07: 'intraday', A13: 'hourly' };
const FLOW_DIRECTIONS: Record<string, string> = { A01: 'up', A02: 'down', A03: 'symmetric' };
const UNITS: Record<string, string> = { MAW: 'MW', MWH: 'MWh', MW: 'MW' };

const xml = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'Period' || name === 'Point',
});

type Node = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/**
 * Which dataset a document type (and process type) lands in; throws a ParseError for a document no
 * dataset reads. The dataset descriptors provide it (`datasetForDocument` in datasets.ts).
 */
export type DatasetNamer = (type: string, processType: string | undefined) => string;

function headerField(header: string, name: string): string | undefined {
  const m = new RegExp(`<(?:\\w+:)?${name.replace(/\./g, '\\.')}(?:\\s[^>]*)?>([^<]*)</`).exec(header);
  return m?.[1]?.trim() || undefined;
}

/** Most note lines one parse keeps; the rest are counted in one last line. */
export const MAX_NOTES = 1_000;

/**
 * Where a parse says what it dropped or overrode as ENTSO-E documents it (a Point outside its
 * Period, a position given twice): one line each into `lines`, for the caller to log. `prefix`
 * names the ZIP entry being read. Lines past MAX_NOTES are only counted, so a broken document
 * cannot fill memory with them.
 */
type Notes = { lines: string[] | undefined; prefix: string; kept: number; unlisted: number };

function note(notes: Notes, line: string): void {
  if (notes.lines === undefined) return;
  if (notes.kept < MAX_NOTES) notes.lines.push(notes.prefix + line), notes.kept++;
  else notes.unlisted++;
}

/**
 * Parses one ENTSO-E response body (XML, ZIP of XML documents, or an error page). `notes`, when
 * given, receives a line for each Point the parse dropped or overrode and each withdrawn document dropped.
 */
export function parseEntsoe(body: Uint8Array | string, datasetFor: DatasetNamer, notes?: string[]): ParsedDocument {
  const sink: Notes = { lines: notes, prefix: '', kept: 0, unlisted: 0 };
  let doc: ParsedDocument;
  if (typeof body !== 'string' && body[0] === 0x50 && body[1] === 0x4b && body[2] === 0x03 && body[3] === 0x04) {
    doc = parseZip(body, datasetFor, sink);
  } else {
    const { documentType, dataset, observations } = typeof body === 'string' ? parseXmlDocument(body, datasetFor, sink) : parseXmlBytes(body, datasetFor, sink);
    doc = { documentType, dataset, observations };
  }
  if (sink.unlisted > 0) notes!.push(`ENTSO-E: ${sink.unlisted} more Points dropped or overridden (the first ${MAX_NOTES} are listed)`);
  return doc;
}

/**
 * A document as read, with the header fields that order it among the documents of a ZIP, as
 * written (read as numbers only where a ZIP has several documents to order).
 */
type ReadDocument = ParsedDocument & { version?: { mrid?: string; created?: string; revision?: string; status?: string } };

/**
 * docStatus A13, "withdrawn": "the information or action has been withdrawn by the submitter"
 * (ENTSO-E code list ET0025 StatusType; the API guide's DocStatus list: A01 intermediate, A02 final,
 * A05 active, A09 cancelled, A13 withdrawn, X01 estimated). Such a document's values are not data.
 */
const WITHDRAWN = 'A13';
/** docStatus A02, "final": "the document is in a definitive state" (ET0025). */
const FINAL = 'A02';
// docStatus holds its code in a value element (<docStatus><value>A13</value></docStatus>); a bare code is read alike.
const DOC_STATUS_RE = /<(?:[\w-]+:)?docStatus(?:\s[^>]*)?>\s*(?:<(?:[\w-]+:)?value(?:\s[^>]*)?>)?\s*([^<\s]+)/;

function decodeUtf8(body: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new ParseError('ENTSO-E response is neither ZIP nor UTF-8 text');
  }
}

function parseZip(body: Uint8Array, datasetFor: DatasetNamer, notes: Notes): ParsedDocument {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(body);
  } catch (e) {
    throw new ParseError(`ENTSO-E ZIP archive is damaged: ${(e as Error).message}`);
  }
  const docs = Object.entries(files)
    .filter(([name]) => !name.endsWith('/'))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, bytes]) => {
      try {
        notes.prefix = `${name} in ZIP: `;
        return { name, doc: parseXmlBytes(bytes, datasetFor, notes) };
      } catch (e) {
        if (e instanceof ParseError) e.message = `${name} in ZIP: ${e.message}`;
        throw e;
      } finally {
        notes.prefix = '';
      }
    });
  const withData = docs.filter((d) => d.doc.dataset !== null);
  const datasets = new Set(withData.map((d) => d.doc.dataset));
  if (datasets.size > 1) throw new ParseError(`ENTSO-E ZIP mixes datasets: ${[...datasets].join(', ')}`);
  const first = withData[0]?.doc;
  // Documents of one ZIP may give the same slots (one per docStatus, entsoe-py #47; windows bundled
  // by the client): their observations go out oldest document first, by (createdDateTime,
  // revisionNumber), so the store, which keeps the last of a batch's duplicates, keeps the newest
  // document's value. At a tie a final document (docStatus A02) goes after the others, then entry names decide.
  if (withData.length > 1) {
    const order = new Map(withData.map((d) => [d, documentOrder(d.doc, `${d.name} in ZIP: `, notes)] as const));
    withData.sort((a, b) => {
      const x = order.get(a)!;
      const y = order.get(b)!;
      return x.created - y.created || x.revision - y.revision || x.final - y.final;
    });
  }
  return {
    documentType: first?.documentType ?? null,
    dataset: first?.dataset ?? null,
    observations: withData.flatMap((d) => d.doc.observations),
  };
}

/**
 * Where a document goes among the documents of a ZIP: its createdDateTime (ms) and revisionNumber.
 * A field missing, or not readable (said in a note), orders the document as the oldest.
 */
function documentOrder(doc: ReadDocument, prefix: string, notes: Notes): { created: number; revision: number; final: number } {
  const { mrid, created, revision, status } = doc.version ?? {};
  const where = `ENTSO-E ${doc.documentType} document ${mrid ?? '?'}`;
  const read = (text: string | undefined, field: string, parse: (t: string) => number): number => {
    if (text === undefined) return -Infinity;
    try {
      return parse(text);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      const saved = notes.prefix;
      notes.prefix = prefix;
      note(notes, `${where}: ${field} ${JSON.stringify(text)} is not readable: ordered as the oldest of the ZIP`);
      notes.prefix = saved;
      return -Infinity;
    }
  };
  return {
    created: read(created, 'createdDateTime', (t) => parseStrictInstant(t, where).getTime()),
    revision: read(revision, 'revisionNumber', (t) => parseStrictInteger(t, where)),
    final: status === FINAL ? 1 : 0,
  };
}

const HTML_RE = /^(<!doctype html|<html)/i;
const ROOT_RE = /^(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:[\w-]+:)?([A-Za-z_]+_MarketDocument)\b/;
// ROOT_RE without comments and with the root's name ended inside the text: where this matches a
// header, ROOT_RE matches the whole document the same way (none of its runs reaches the header's end).
const PLAIN_ROOT_RE = /^(?:<\?xml[^>]*\?>\s*)?<(?:[\w-]+:)?([A-Za-z_]+_MarketDocument)[\s>]/;

/**
 * Whether `tail` (a document, or its end from some '</' on) ends with the root's end tag, past the
 * comments, processing instructions and whitespace XML allows after the root. Only its last tags
 * are looked at: a `$`-anchored pattern would walk the whole (maybe 100 MB) text.
 */
function closesRoot(root: string, tail: string): boolean {
  let end = tail.trimEnd();
  for (;;) {
    const open = end.endsWith('-->') ? end.lastIndexOf('<!--') : end.endsWith('?>') ? end.lastIndexOf('<?') : -1;
    if (open === -1) break;
    end = end.slice(0, open).trimEnd();
  }
  return new RegExp(`^</(?:[\\w-]+:)?${root}>$`).test(end.slice(end.lastIndexOf('</')));
}

function parseXmlDocument(text: string, datasetFor: DatasetNamer, notes: Notes): ReadDocument {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (HTML_RE.test(start)) {
    const message = start.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
    throw new ParseError(`ENTSO-E answered with an HTML page, not a document: ${message}`);
  }
  const root = ROOT_RE.exec(start)?.[1];
  if (!root) throw new ParseError(`not an ENTSO-E XML document: ${JSON.stringify(start.slice(0, 60))}`);
  if (!closesRoot(root, start)) throw new ParseError(`ENTSO-E ${root} is cut off (no closing tag)`);

  if (root === 'Acknowledgement_MarketDocument') {
    const code = headerField(start, 'code') ?? '?';
    const reason = headerField(start, 'text') ?? '(no reason given)';
    // Reason 999 is used for every error, so only the text tells "no data" apart.
    if (/No matching data found/i.test(reason)) return { documentType: null, dataset: null, observations: [] };
    throw new AcknowledgementError(code, reason);
  }

  const firstSeries = start.indexOf('<TimeSeries');
  // ENTSO-E writes the default namespace; prefixed TimeSeries would otherwise parse to nothing, silently.
  if (firstSeries === -1 && /<[\w.-]+:TimeSeries[\s>]/.test(start)) throw new ParseError(`ENTSO-E ${root}: namespace-prefixed elements (<…:TimeSeries>) are not read`);
  const header = firstSeries === -1 ? start : start.slice(0, firstSeries);
  const doc = documentContext(root, header, datasetFor, notes);
  if (doc.withdrawn) return { documentType: doc.type, dataset: doc.dataset, observations: [], version: doc.version };
  const observations: Observation[] = [];
  let pos = firstSeries;
  while (pos !== -1) {
    const end = start.indexOf('</TimeSeries>', pos);
    if (end === -1) throw new ParseError(`ENTSO-E ${doc.type}: a TimeSeries is not closed`);
    timeSeriesObservations(doc, start.slice(pos, end + '</TimeSeries>'.length), observations);
    pos = start.indexOf('<TimeSeries', end);
  }
  return { documentType: doc.type, dataset: doc.dataset, observations, version: doc.version };
}

function documentContext(root: string, header: string, datasetFor: DatasetNamer, notes: Notes): DocContext {
  const type = headerField(header, 'type');
  if (!type) throw new ParseError(`ENTSO-E ${root} has no document type`);
  const processType = headerField(header, 'process.processType');
  const dataset = datasetFor(type, processType);
  const status = DOC_STATUS_RE.exec(header)?.[1];
  const version = { mrid: headerField(header, 'mRID'), created: headerField(header, 'createdDateTime'), revision: headerField(header, 'revisionNumber'), status };
  const withdrawn = status === WITHDRAWN;
  if (withdrawn) note(notes, `ENTSO-E ${type} document ${version.mrid ?? '?'} is withdrawn (docStatus ${WITHDRAWN}): dropped, none of its values kept`);
  return { type, processType, dataset, area: headerField(header, 'area_Domain.mRID'), version, withdrawn, notes, instants: new Map(), periods: new Map(), strings: new Map() };
}

const chunkDecoder = new TextDecoder();
const SERIES_START = Buffer.from('<TimeSeries');
const SERIES_END = Buffer.from('</TimeSeries>');

/**
 * The same document read from its bytes without decoding it whole: the header and each TimeSeries
 * are decoded on their own, so memory follows the largest TimeSeries. Byte offsets of the ASCII tags
 * searched for are where the text has them (valid UTF-8 has no ASCII byte inside a character). Any
 * document this does not take plainly (not UTF-8, HTML, acknowledgements, comments before the root,
 * a missing closing tag) is decoded whole and read as text, so it meets exactly the same checks.
 */
function parseXmlBytes(body: Uint8Array, datasetFor: DatasetNamer, notes: Notes): ReadDocument {
  const asText = () => parseXmlDocument(decodeUtf8(body), datasetFor, notes);
  if (!isUtf8(body)) return asText();
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const firstSeries = bytes.indexOf(SERIES_START);
  const lastEndTag = bytes.lastIndexOf('</');
  if (firstSeries === -1 || lastEndTag === -1) return asText();
  // The decoder drops a leading byte-order mark, as it does for the whole body.
  const header = chunkDecoder.decode(bytes.subarray(0, firstSeries)).replace(/^\uFEFF/, '').trimStart();
  if (HTML_RE.test(header)) return asText();
  const root = PLAIN_ROOT_RE.exec(header)?.[1];
  if (!root || ROOT_RE.exec(header)?.[1] !== root || root === 'Acknowledgement_MarketDocument') return asText();
  // A comment after the root holding '</' leaves no end tag in this tail: the text path decides.
  if (!closesRoot(root, chunkDecoder.decode(bytes.subarray(lastEndTag)))) return asText();
  const doc = documentContext(root, header, datasetFor, notes);
  if (doc.withdrawn) return { documentType: doc.type, dataset: doc.dataset, observations: [], version: doc.version };
  const observations: Observation[] = [];
  let pos = firstSeries;
  while (pos !== -1) {
    const end = bytes.indexOf(SERIES_END, pos);
    if (end === -1) throw new ParseError(`ENTSO-E ${doc.type}: a TimeSeries is not closed`);
    timeSeriesObservations(doc, chunkDecoder.decode(bytes.subarray(pos, end + SERIES_END.length)), observations);
    pos = bytes.indexOf(SERIES_START, end);
  }
  return { documentType: doc.type, dataset: doc.dataset, observations, version: doc.version };
}

function timeSeriesObservations(doc: DocContext, chunk: string, out: Observation[]): void {
  // The one-pass reader takes the plain XML ENTSO-E writes; anything else goes to fast-xml-parser.
  let parsed = readPlainXml(chunk, true);
  if (parsed === null) {
    try {
      parsed = xml.parse(chunk, true) as Node;
    } catch (e) {
      throw new ParseError(`ENTSO-E ${doc.type}: malformed XML in a TimeSeries: ${(e as Error).message}`);
    }
  }
  seriesObservations(doc, parsed.TimeSeries as Node, out);
}

type DocContext = {
  type: string;
  processType?: string;
  dataset: string;
  area?: string;
  /** Header fields ordering the document in a ZIP (see ReadDocument). */
  version: NonNullable<ReadDocument['version']>;
  /** docStatus A13: the document is dropped whole. */
  withdrawn: boolean;
  notes: Notes;
  /**
   * The instants of fixed-step slots, one Date per instant for the whole document: the series of a
   * document share their slots, and a Date per observation was most of a parse's time and memory.
   * Observations are values; nothing may change a `ts` in place (none does).
   */
  instants: Map<number, Date>;
  /** The instants of each fixed-step Period shape (start, step, count) met in the document, in order. */
  periods: Map<string, Date[]>;
  /** The document's own copy of each string its observations keep (see `kept`). */
  strings: Map<string, string>;
};

/**
 * `s` as a string of its own, one per distinct value in the document. Text read out of a TimeSeries
 * is a slice of it in V8, holding the whole TimeSeries text: an area code kept in a series kept that
 * text alive as long as its observations (a parsed 100 MB document held about 100 MB of them).
 */
function kept(doc: DocContext, s: string): string {
  // split + join builds a new string unit by unit: exact for any UTF-16 (a lone surrogate included).
  let k = doc.strings.get(s);
  if (k === undefined) doc.strings.set((k = s.split('').join('')), k);
  return k;
}

/** The Dates of a fixed-step Period's slots, shared by every Period of the same shape (one lookup a Period, not a slot). */
function periodInstants(doc: DocContext, from: number, step: number, count: number): Date[] {
  const key = `${from}/${step}/${count}`;
  let dates = doc.periods.get(key);
  if (dates === undefined) {
    dates = new Array<Date>(count);
    for (let i = 0; i < count; i++) dates[i] = instantAt(doc, from + i * step);
    doc.periods.set(key, dates);
  }
  return dates;
}

/** The document's Date for `ms` (see DocContext.instants). */
function instantAt(doc: DocContext, ms: number): Date {
  let d = doc.instants.get(ms);
  if (d === undefined) doc.instants.set(ms, (d = new Date(ms)));
  return d;
}

function seriesObservations(doc: DocContext, ts: Node, out: Observation[]): void {
  const mrid = str(ts.mRID) ?? '?';
  const where = `ENTSO-E ${doc.type} TimeSeries ${mrid}`;
  const curve = str(ts.curveType) ?? 'A01';
  if (curve !== 'A01' && curve !== 'A03') throw new ParseError(`${where}: unknown curveType ${curve}`);
  const inZone = str(ts['inBiddingZone_Domain.mRID']);
  const outZone = str(ts['outBiddingZone_Domain.mRID']);
  const psr = str((ts.MktPSRType as Node | undefined)?.psrType);
  const businessType = str(ts.businessType);
  let series: Record<string, string>;
  let unit = UNITS[str(ts['quantity_Measure_Unit.name']) ?? 'MAW'] ?? str(ts['quantity_Measure_Unit.name']) ?? 'MW';
  let valueField = 'quantity';
  // The areas whose local calendar may step a calendar resolution (P1D and longer), preferred first.
  let calendarAreas: string[];
  const need = (v: string | undefined, what: string) => {
    if (!v) throw new ParseError(`${where}: ${what} is missing`);
    return v;
  };
  // Areas must be well-formed EICs with a right check character. Not the catalogue: ENTSO-E names
  // areas Scalar does not list (control areas, new zones), and refusing those would dead-letter whole
  // windows; a corrupted or invented code (control characters, a flipped letter) fails the check.
  const eic = (v: string | undefined, what: string) => {
    const code = need(v, what);
    if (!isEic(code)) throw new ParseError(`${where}: ${what} ${JSON.stringify(code)} is not a valid EIC area code`);
    return code;
  };
  switch (doc.type) {
    case 'A44': {
      const area = eic(str(ts['in_Domain.mRID']), 'in_Domain');
      series = { area, sequence: str(ts['classificationSequence_AttributeInstanceComponent.position']) ?? '1' };
      unit = priceUnit(ts);
      valueField = 'price.amount';
      calendarAreas = [area];
      break;
    }
    case 'A65': {
      const area = eic(outZone, 'outBiddingZone_Domain');
      series = { area, horizon: HORIZONS[doc.processType ?? ''] ?? doc.processType ?? 'unknown' };
      if (doc.dataset === 'entsoe.load_actual') delete series.horizon;
      // Week/month/year-ahead forecasts come as a minimum (A60) and a maximum (A61) series.
      if (businessType === 'A60') series.bound = 'min';
      if (businessType === 'A61') series.bound = 'max';
      calendarAreas = [area];
      break;
    }
    case 'A75': {
      // Storage pumping is published with outBiddingZone_Domain: consumption, kept apart from generation.
      const area = eic(inZone ?? outZone, 'inBiddingZone_Domain/outBiddingZone_Domain');
      series = { area, psr_type: need(psr, 'psrType'), direction: inZone ? 'generation' : 'consumption' };
      calendarAreas = [area];
      break;
    }
    case 'A69':
    case 'A68': {
      const area = eic(inZone ?? outZone, 'inBiddingZone_Domain');
      series = { area, psr_type: need(psr, 'psrType') };
      if (doc.type === 'A69') series.horizon = HORIZONS[doc.processType ?? ''] ?? doc.processType ?? 'unknown';
      calendarAreas = [area];
      break;
    }
    case 'A11':
    case 'A61': {
      // Flow and capacity go from out_Domain into in_Domain.
      const from = eic(str(ts['out_Domain.mRID']), 'out_Domain');
      const to = eic(str(ts['in_Domain.mRID']), 'in_Domain');
      series = { from_area: from, to_area: to };
      if (doc.type === 'A61') series.horizon = CONTRACT_HORIZONS[str(ts['contract_MarketAgreement.type']) ?? ''] ?? 'unknown';
      // A border's two areas may count days in different zones (GB>FR): calendarZone picks per Period.
      calendarAreas = [from, to];
      break;
    }
    case 'A85':
    case 'A86': {
      const area = eic(str(ts['area_Domain.mRID']) ?? doc.area, 'area_Domain');
      series = { area };
      if (businessType) series.business_type = businessType;
      const dir = str(ts['flowDirection.direction']);
      if (dir) series.direction = FLOW_DIRECTIONS[dir] ?? dir;
      if (doc.type === 'A85') {
        unit = priceUnit(ts);
        valueField = 'imbalance_Price.amount';
      }
      calendarAreas = [area];
      break;
    }
    default:
      throw new ParseError(`${where}: no parser`);
  }
  for (const k of Object.keys(series)) series[k] = kept(doc, series[k]!);
  unit = kept(doc, unit);
  const zones = calendarAreas.map(areaTimeZone);
  for (const period of (ts.Period as Node[] | undefined) ?? []) {
    periodObservations(doc, where, period, curve, series, unit, valueField, zones, out);
  }
}

/**
 * `currency/energy unit` of a price series. An energy unit we do not know keeps its code (EUR/KWH):
 * labelled MWh its values would pass validation off by a factor; as it is, validation refuses them.
 */
function priceUnit(ts: Node): string {
  const per = str(ts['price_Measure_Unit.name']) ?? 'MWH';
  return `${str(ts['currency_Unit.name']) ?? 'EUR'}/${UNITS[per] ?? per}`;
}

function instant(s: unknown, where: string): Date {
  // ENTSO-E writes yyyy-MM-ddTHH:mmZ (no seconds); the strict reader also takes seconds, always in UTC.
  const v = str(s);
  if (v === undefined || !v.endsWith('Z')) throw new ParseError(`${where}: not a UTC instant: ${JSON.stringify(s ?? null)}`);
  return parseStrictInstant(v, where);
}

/**
 * Most slots one Period may expand to. ENTSO-E answers at most a year per request, and a year of
 * PT1M is 527 040 minutes; calendar resolutions (P1D and longer) are stepped one by one in a time
 * zone, so ten years of days is their limit. A Period beyond either is a broken document (the year
 * 9999 at PT1M would otherwise be billions of slots), refused before any slot is built.
 */
export const MAX_FIXED_SLOTS = 527_040;
export const MAX_CALENDAR_SLOTS = 3_660;
/** Most observations one document may yield (a year of PT15M for 50 production types is 1.75 M). */
export const MAX_OBSERVATIONS = 4_000_000;
const NOMINAL_MS: Record<string, number> = { P1D: 86_400_000, P7D: 7 * 86_400_000, P1M: 28 * 86_400_000, P1Y: 365 * 86_400_000 };

/**
 * The zone a calendar Period is stepped in: the first of `zones` in which the Period starts at local
 * midnight, else the first. A border document's months may be those of either area (a CET month of
 * GB>FR starts 23:00 the day before in London: stepped there, 1 March would go on to 28 March).
 */
function calendarZone(start: Date, zones: readonly string[]): string {
  if (zones.length > 1) for (const tz of zones) if (floorTo(start, 'P1D', tz).getTime() === start.getTime()) return tz;
  return zones[0]!;
}

/**
 * The slots of a Period, bounded: fixed steps are exact in UTC (slot i starts at `from + i × step`,
 * computed as the observation is built), calendar steps counted in `tz` (`step` 0, `at(i)`).
 */
type Slots = { count: number; from: number; step: number; at(i: number): Date };

function periodSlots(where: string, start: Date, end: Date, resolution: string, tz: string): Slots {
  const span = end.getTime() - start.getTime();
  if (span <= 0) throw new ParseError(`${where}: Period ends (${end.toISOString()}) before it starts (${start.toISOString()})`);
  assertOnGrid(start, resolution, `${where} Period start`);
  assertOnGrid(end, resolution, `${where} Period end`);
  if (!isCalendarDuration(resolution)) {
    const step = fixedDurationMs(resolution);
    const count = span / step;
    if (count > MAX_FIXED_SLOTS) throw new ParseError(`${where}: Period ${start.toISOString()}/${end.toISOString()} is ${count} slots of ${resolution}, more than ${MAX_FIXED_SLOTS}`);
    return { count, from: start.getTime(), step, at: (i) => new Date(start.getTime() + i * step) };
  }
  // Calendar steps differ in length (23–25 h days, 28–31 day months): estimate before stepping.
  if (span / NOMINAL_MS[resolution]! > MAX_CALENDAR_SLOTS + 1) {
    throw new ParseError(`${where}: Period ${start.toISOString()}/${end.toISOString()} is more than ${MAX_CALENDAR_SLOTS} slots of ${resolution}`);
  }
  const slots: Date[] = [];
  for (let t = start, i = 1; t < end && slots.length <= MAX_CALENDAR_SLOTS; i++) {
    slots.push(t);
    t = addDuration(start, resolution, tz, i);
  }
  return { count: slots.length, from: start.getTime(), step: 0, at: (i) => slots[i]! };
}

// The typed arrays of one Period's simple values, reused from Period to Period (zeroed first).
let scratchValues = new Float64Array(1024);
let scratchSet = new Uint8Array(1024);

/** Typed arrays of at least `length` zeros (longer ones are not read past `length`). */
function slotScratch(length: number): { simple: Float64Array; isSimple: Uint8Array } {
  if (length > scratchValues.length) {
    scratchValues = new Float64Array(Math.max(length, scratchValues.length * 2));
    scratchSet = new Uint8Array(scratchValues.length);
  } else {
    scratchValues.fill(0, 0, length);
    scratchSet.fill(0, 0, length);
  }
  return { simple: scratchValues, isSimple: scratchSet };
}

function periodObservations(
  doc: DocContext,
  where: string,
  period: Node,
  curve: string,
  series: Record<string, string>,
  unit: string,
  valueField: string,
  zones: readonly string[],
  out: Observation[],
): void {
  const interval = period.timeInterval as Node | undefined;
  const start = instant(interval?.start, `${where} Period start`);
  const end = instant(interval?.end, `${where} Period end`);
  let resolution = str(period.resolution) ?? '';
  if (resolution === 'PT1H') resolution = 'PT60M';
  if (!RESOLUTIONS.has(resolution)) throw new ParseError(`${where}: unsupported resolution ${JSON.stringify(resolution)}`);
  const slots = periodSlots(where, start, end, resolution, isCalendarDuration(resolution) ? calendarZone(start, zones) : zones[0]!);
  const inPeriod = () => `${where} Period ${isoUtc(start)}/${isoUtc(end)}`;
  let points = (period.Point as Node[] | PackedPoints | undefined) ?? [];
  // Packed Points carry the value element they had; another element is what this dataset reads.
  if (points instanceof PackedPoints && points.field !== valueField) points = points.nodes();
  // Values without a category (nearly all) by position, in typed arrays rather than a Map: a
  // document of a million Points then allocates no per-Point structures. The same position twice:
  // the last wins (a corrected Point; docs §2.2), said in a note when the values differ.
  const { simple, isSimple } = slotScratch(slots.count + 1);
  const overridden = (position: number, value: number) =>
    note(doc.notes, `${inPeriod()}: position ${position} given twice (${simple[position]}, then ${value}): the last kept`);
  // A Point outside 1..N is dropped (docs §2.2), the rest of the Period kept. More of them than the
  // Period has slots is a Period mis-described (quarter-hours under PT60M), not a stray Point:
  // refused, which also bounds the notes by the Period.
  let outside = 0;
  const dropOutside = (position: number) => {
    if (++outside > slots.count) throw new ParseError(`${where}: more Points outside the Period ${isoUtc(start)}/${isoUtc(end)} than its ${slots.count} slots of ${resolution} (position ${position})`);
    note(doc.notes, `${inPeriod()}: position ${position} is outside the Period's ${slots.count} slots of ${resolution}: dropped`);
  };
  // A85 prices by category, then position. Documents give each category a Point of its own, A04
  // and A05 sharing a position (entsoe-py reads them so); a Point holding both pairs reads alike.
  // The same category twice at a position: the last wins.
  const categorised = new Map<string, Map<number, number>>();
  if (points instanceof PackedPoints) {
    // The same checks as below, in the same order, on Points of the common shape: a whole-number
    // position (its digits are all the reader took), in the Period or dropped, a decimal value, the last wins.
    const { positions, values } = points.arena();
    for (let k = points.from; k < points.to; k++) {
      const position = positions[k]!;
      if (position < 1 || position > slots.count) {
        dropOutside(position);
        continue;
      }
      let value = values[k]!;
      if (Number.isNaN(value)) value = parseStrictNumber(str(points.node(k - points.from)[valueField]) ?? '', `${where} position ${position} ${valueField}`);
      if (isSimple[position] && simple[position] !== value) overridden(position, value);
      (simple[position] = value), (isSimple[position] = 1);
    }
    points = [];
  }
  for (const p of points) {
    const position = parseStrictInteger(str(p.position), `${where} Point position`);
    if (position < 1 || position > slots.count) {
      dropOutside(position);
      continue;
    }
    const raw = p[valueField];
    const rawCategory = p['imbalance_Price.category'];
    const values = Array.isArray(raw) ? (raw as unknown[]) : [raw];
    const categories = Array.isArray(rawCategory) ? (rawCategory as unknown[]) : [rawCategory];
    for (let i = 0; i < values.length; i++) {
      const value = parseStrictNumber(str(values[i]) ?? '', `${where} position ${position} ${valueField}`);
      const category = str(categories[i]);
      if (category === undefined) {
        if (isSimple[position] && simple[position] !== value) overridden(position, value);
        (simple[position] = value), (isSimple[position] = 1);
        continue;
      }
      let byPosition = categorised.get(category);
      if (byPosition === undefined) categorised.set(category, (byPosition = new Map()));
      const seen = byPosition.get(position);
      if (seen !== undefined && seen !== value) note(doc.notes, `${inPeriod()}: position ${position} category ${category} given twice (${seen}, then ${value}): the last kept`);
      byPosition.set(position, value);
    }
  }
  // One series object per period (and price category), shared by its observations: memory.
  const plain: Readonly<Record<string, string>> = { ...series, resolution };
  // Categories in one order (A04 before A05), each holding its own value under A03: a Point that
  // names one category leaves the other's value in place.
  const categories = [...categorised.keys()].sort();
  const categorySeries = categories.map((c) => ({ ...plain, category: kept(doc, c) }));
  const categoryValues = categories.map((c) => categorised.get(c)!);
  const held: (number | undefined)[] = categories.map(() => undefined);
  const instants = slots.step > 0 ? periodInstants(doc, slots.from, slots.step, slots.count) : null;
  let holding = false;
  let heldValue = 0;
  for (let i = 0; i < slots.count; i++) {
    if (isSimple[i + 1]) (holding = true), (heldValue = simple[i + 1]!);
    // A03: a Point is omitted while its value repeats; it holds until the next Point or the Period's end.
    else if (curve === 'A01') holding = false;
    const ts = instants !== null ? instants[i]! : slots.at(i);
    if (holding) {
      if (out.length + 1 > MAX_OBSERVATIONS) throw new ParseError(`${where}: the document yields more than ${MAX_OBSERVATIONS} observations`);
      out.push({ dataset: doc.dataset, series: plain, ts, resolution, value: heldValue, unit });
    }
    for (let c = 0; c < categories.length; c++) {
      const value = categoryValues[c]!.get(i + 1);
      if (value !== undefined) held[c] = value;
      else if (curve === 'A01') held[c] = undefined;
      if (held[c] === undefined) continue;
      if (out.length + 1 > MAX_OBSERVATIONS) throw new ParseError(`${where}: the document yields more than ${MAX_OBSERVATIONS} observations`);
      out.push({ dataset: doc.dataset, series: categorySeries[c]!, ts, resolution, value: held[c]!, unit });
    }
  }
}
