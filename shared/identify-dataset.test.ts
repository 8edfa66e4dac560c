import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Dataset, Provider } from './dataset.ts';
import { ParseError, UnknownDatasetError } from './errors.ts';
import { describePayload, identifyDataset } from './identify-dataset.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
// Only what identification reads: ids and detect.
const dataset = (id: string, detect: (text: string) => boolean) => ({ id, detect: (b: Uint8Array) => detect(new TextDecoder().decode(b)) }) as unknown as Dataset;
const provider = {
  id: 'p',
  datasets: [dataset('p.prices', (t) => t.includes('"Price"')), dataset('p.load', (t) => t.includes('"Load"')), dataset('p.any_load', (t) => t.includes('"Load"') && t.includes('"Any"'))],
} as unknown as Provider;

describe('identifyDataset', () => {
  it('returns the one dataset whose detect claims the payload', () => {
    assert.equal(identifyDataset(provider, bytes('{"records":[{"Price":1}]}')).id, 'p.prices');
  });

  it('names what it saw when no dataset claims the payload', () => {
    assert.throws(
      () => identifyDataset(provider, bytes('{"total":1,"records":[{"Minutes5UTC":"x","Wind":2}]}')),
      (e: unknown) => e instanceof ParseError && /p: no dataset recognises this payload \(a JSON object with top-level keys total, records; records with fields Minutes5UTC, Wind\)/.test(e.message),
    );
  });

  it('names the claimants when several datasets claim the payload', () => {
    assert.throws(() => identifyDataset(provider, bytes('{"Load":1,"Any":2}')), /several datasets claim this payload \(p\.load, p\.any_load;/);
  });

  it('takes a forced dataset, with or without the provider prefix, without asking detect', () => {
    assert.equal(identifyDataset(provider, bytes('{"Load":1,"Any":2}'), 'p.any_load').id, 'p.any_load');
    assert.equal(identifyDataset(provider, bytes(''), 'prices').id, 'p.prices');
    assert.throws(() => identifyDataset(provider, bytes(''), 'nope'), UnknownDatasetError);
  });
});

describe('describePayload', () => {
  it('describes XML by its root element and first fields, HTML by its text, and anything else by its start', () => {
    assert.equal(describePayload(bytes('<?xml version="1.0"?>\n<GL_MarketDocument xmlns="x"><mRID>1</mRID><type>A65</type><TimeSeries>')), 'XML with root element <GL_MarketDocument>, first fields mRID=1, type=A65');
    assert.equal(describePayload(bytes('<html><body><h1>503</h1> Service Unavailable</body></html>')), 'an HTML page: 503 Service Unavailable');
    assert.equal(describePayload(bytes('[{"a":1,"b":null}]')), 'a JSON array of 1 item(s), fields a, b');
    assert.equal(describePayload(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0])), 'a ZIP archive');
    assert.equal(describePayload(bytes('')), 'an empty file');
    assert.equal(describePayload(bytes('hello')), 'text starting "hello"');
  });
});
