import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { PackedPoints, plainDecimal, readPlainXml } from './plain-xml.ts';

// The options parse.ts gives fast-xml-parser: the one-pass reader must build the same tree or none.
const general = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, trimValues: true, isArray: (n) => n === 'Period' || n === 'Point' });

function timeSeriesChunks(text: string): string[] {
  const out: string[] = [];
  for (let pos = text.indexOf('<TimeSeries'); pos !== -1; ) {
    const end = text.indexOf('</TimeSeries>', pos) + '</TimeSeries>'.length;
    out.push(text.slice(pos, end));
    pos = text.indexOf('<TimeSeries', end);
  }
  return out;
}

test('every TimeSeries of every ENTSO-E fixture reads to the tree fast-xml-parser builds', () => {
  const dir = new URL('./fixtures/', import.meta.url);
  let chunks = 0;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.xml'))) {
    for (const chunk of timeSeriesChunks(readFileSync(new URL(f, dir), 'utf8'))) {
      const tree = readPlainXml(chunk);
      assert.notEqual(tree, null, `${f}: a plain TimeSeries was handed to the general parser`);
      assert.deepEqual(tree, general.parse(chunk, true), f);
      chunks++;
    }
  }
  assert.ok(chunks > 20);
});

test('repeated elements become arrays, Period and Point always are, attributes are ignored, values trimmed', () => {
  const xml = `<TimeSeries><mRID a="1" b='2'> 7 </mRID><x>a</x><x>b</x><Period><timeInterval><start>s</start></timeInterval><Point><position>1</position><quantity></quantity></Point></Period></TimeSeries>`;
  assert.deepEqual(readPlainXml(xml), general.parse(xml, true));
  assert.deepEqual(readPlainXml(xml), { TimeSeries: { mRID: '7', x: ['a', 'b'], Period: [{ timeInterval: { start: 's' }, Point: [{ position: '1', quantity: '' }] }] } });
});

test('XML beyond the plain subset is left to the general parser', () => {
  for (const xml of [
    '<TimeSeries><mRID>a&amp;b</mRID></TimeSeries>', // entity
    '<TimeSeries><!-- c --><mRID>1</mRID></TimeSeries>', // comment
    '<TimeSeries><mRID><![CDATA[1]]></mRID></TimeSeries>', // CDATA
    '<ns:TimeSeries><mRID>1</mRID></ns:TimeSeries>', // prefix
    '<TimeSeries><mRID/></TimeSeries>', // self-closing
    '<TimeSeries>text<mRID>1</mRID></TimeSeries>', // mixed content
    '<TimeSeries><mRID>1</mrid></TimeSeries>', // mismatched
    '<TimeSeries><mRID>1</mRID>', // not closed
    '<TimeSeries><mRID a=1>1</mRID></TimeSeries>', // unquoted attribute
    '<TimeSeries><mRID a="1" a="2">1</mRID></TimeSeries>', // duplicate attribute
    '<TimeSeries><constructor>1</constructor></TimeSeries>',
  ]) {
    assert.equal(readPlainXml(xml), null, xml);
  }
});

/** The tree with every PackedPoints replaced by the objects it stands for. */
function unpacked(node: unknown): unknown {
  if (node instanceof PackedPoints) return node.nodes();
  if (Array.isArray(node)) return node.map(unpacked);
  if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, unpacked(v)]));
  return node;
}

test('packed Points stand for exactly the Point objects of the tree, in every fixture', () => {
  const dir = new URL('./fixtures/', import.meta.url);
  let packed = 0;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.xml'))) {
    for (const chunk of timeSeriesChunks(readFileSync(new URL(f, dir), 'utf8'))) {
      const tree = readPlainXml(chunk, true);
      if (JSON.stringify(tree, (_, v: unknown) => (v instanceof PackedPoints ? (packed++, 'packed') : v)).includes('"packed"')) assert.deepEqual(unpacked(tree), readPlainXml(chunk), f);
    }
  }
  assert.ok(packed > 20, 'the fixtures have Periods of common-shape Points');
});

test('a Period whose Points change shape keeps them all as objects, in document order', () => {
  const point = (p: number, tag: string, v: string) => `<Point><position>${p}</position><${tag}>${v}</${tag}></Point>`;
  for (const points of [
    point(1, 'quantity', '1') + point(2, 'price.amount', '2') + point(3, 'quantity', '3'),
    point(1, 'quantity', '1') + '<Point a="x"><position>2</position><quantity>2</quantity></Point>' + point(3, 'quantity', '3'),
    point(1, 'quantity', '1') + '<Point><quantity>2</quantity><position>2</position></Point>' + point(3, 'quantity', ' 3 '),
  ]) {
    const xml = `<TimeSeries><Period><resolution>PT60M</resolution>${points}</Period></TimeSeries>`;
    const tree = readPlainXml(xml, true) as { TimeSeries: { Period: { Point: unknown }[] } };
    assert.ok(Array.isArray(tree.TimeSeries.Period[0]!.Point), 'objects, not packed');
    assert.deepEqual(tree, general.parse(xml, true));
  }
});

test('plainDecimal reads plain decimals of up to 15 digits exactly as Number does, and nothing else', () => {
  fc.assert(
    fc.property(fc.constantFrom('', '-', '+'), fc.stringMatching(/^[0-9]{0,9}$/), fc.boolean(), fc.stringMatching(/^[0-9]{0,8}$/), (sign, int, dot, frac) => {
      const s = `${sign}${int}${dot ? '.' : ''}${dot ? frac : ''}`;
      const digits = int.length + (dot ? frac.length : 0);
      const expected = digits === 0 || digits > 15 ? NaN : Number(s);
      assert.ok(Object.is(plainDecimal(s), expected), `${s}: ${plainDecimal(s)} vs ${expected}`);
    }),
    { numRuns: 2000 },
  );
  for (const s of ['1e3', '0x1A', '1,5', 'Infinity', '1.2.3', '--1', ' 1', '1 ', '']) assert.ok(Number.isNaN(plainDecimal(s)), s);
});
