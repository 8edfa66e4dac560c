import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import { readPlainXml } from './plain-xml.ts';

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
