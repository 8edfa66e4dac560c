// Which dataset a raw payload belongs to, decided by the datasets' own `detect`: the one place
// `scalar parse` (and anything else holding bytes without a dataset) places a payload.
import type { Dataset, Provider } from './dataset.ts';
import { ParseError, UnknownDatasetError } from './errors.ts';

/**
 * The dataset of `provider` whose `detect` claims `body`, or the one named by `forced` (a dataset id,
 * with or without the `provider.` prefix). None or several claiming it is a ParseError naming what
 * the payload looked like.
 */
export function identifyDataset(provider: Provider, body: Uint8Array, forced?: string): Dataset {
  if (forced !== undefined) {
    const id = forced.includes('.') ? forced : `${provider.id}.${forced}`;
    const ds = provider.datasets.find((d) => d.id === id);
    if (!ds) throw new UnknownDatasetError(`${provider.id} has no dataset ${forced} (known: ${provider.datasets.map((d) => d.id).join(', ')})`);
    return ds;
  }
  const claiming = provider.datasets.filter((d) => d.detect(body));
  if (claiming.length === 1) return claiming[0]!;
  if (claiming.length === 0) {
    throw new ParseError(`${provider.id}: no dataset recognises this payload (${describePayload(body)}); name one with --dataset`);
  }
  throw new ParseError(`${provider.id}: several datasets claim this payload (${claiming.map((d) => d.id).join(', ')}; ${describePayload(body)}); name one with --dataset`);
}

const MAX_NAMES = 12;
const list = (names: readonly string[]) => (names.length > MAX_NAMES ? `${names.slice(0, MAX_NAMES).join(', ')}, …` : names.join(', '));

/** A one-line account of what a payload looks like: JSON keys, the XML root element, or its first bytes. */
export function describePayload(body: Uint8Array): string {
  if (body.length === 0) return 'an empty file';
  if (body[0] === 0x50 && body[1] === 0x4b && body[2] === 0x03 && body[3] === 0x04) return 'a ZIP archive';
  const text = new TextDecoder().decode(body).replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('{') || text.startsWith('[')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return `text that starts like JSON but does not parse: ${JSON.stringify(text.slice(0, 60))}`;
    }
    if (Array.isArray(doc)) {
      const first = doc.find((r): r is Record<string, unknown> => typeof r === 'object' && r !== null && !Array.isArray(r));
      return `a JSON array of ${doc.length} item(s)${first ? `, fields ${list(Object.keys(first))}` : ''}`;
    }
    if (typeof doc === 'object' && doc !== null) {
      const keys = Object.keys(doc);
      const records = Object.values(doc).find((v): v is unknown[] => Array.isArray(v) && typeof v[0] === 'object' && v[0] !== null);
      const fields = records ? `; records with fields ${list(Object.keys(records[0] as object))}` : '';
      return `a JSON object with top-level keys ${list(keys)}${fields}`;
    }
    return `a JSON ${typeof doc}`;
  }
  if (/^(<!doctype html|<html)/i.test(text)) return `an HTML page: ${text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 120)}`;
  const root = /^(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<([\w:.-]+)/.exec(text)?.[1];
  if (root) {
    // The first simple elements are the header (document type, process, ...): what a reader needs to place it.
    const leaves = [...text.slice(0, 4000).matchAll(/<([\w.:-]+)(?:\s[^>]*)?>([^<]{1,40})<\/\1>/g)].slice(0, 10).map((m) => `${m[1]}=${m[2]!.trim()}`);
    return `XML with root element <${root}>${leaves.length > 0 ? `, first fields ${leaves.join(', ')}` : ''}`;
  }
  return `text starting ${JSON.stringify(text.slice(0, 60))}`;
}
