// A one-pass reader for the plain XML ENTSO-E writes inside a TimeSeries: elements without namespace
// prefixes, attributes (ignored), leaf text without entities, whitespace between elements. It builds
// exactly the tree fast-xml-parser builds with the options parse.ts uses (removeNSPrefix,
// ignoreAttributes, parseTagValue false, trimValues, Period/Point always arrays), about ten times
// faster. Anything else (entities, CDATA, comments, prefixes, self-closing tags, mixed content,
// mismatched tags, odd attributes) answers null, and the caller hands the chunk to fast-xml-parser,
// which decides, so malformed input meets the same errors as before.

export type PlainNode = { [name: string]: unknown };

const ALWAYS_ARRAY = new Set(['Period', 'Point']);
// Keys a plain object would not take as data.
const FORBIDDEN_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
// Name characters accepted here: ASCII letters, digits, '_', '.', '-' (first: letter or '_').
const isNameStart = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isNameChar = (c: number) => isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d;

// <Point><position>n</position><quantity>v</quantity></Point> (or price.amount), whitespace between
// elements, no attributes, entities or comments; any other Point is read tag by tag. Two patterns
// rather than one alternation so each Point object gets its literal shape.
const QUANTITY_POINT = /<Point>\s*<position>(\d{1,9})<\/position>\s*<quantity>\s*([^<&>\s]*)\s*<\/quantity>\s*<\/Point>/y;
const PRICE_POINT = /<Point>\s*<position>(\d{1,9})<\/position>\s*<price\.amount>\s*([^<&>\s]*)\s*<\/price\.amount>\s*<\/Point>/y;

type Open = { name: string; node: PlainNode | null; contentStart: number };

function add(parent: PlainNode, name: string, value: unknown): void {
  const seen = parent[name];
  if (seen === undefined) parent[name] = ALWAYS_ARRAY.has(name) ? [value] : value;
  else if (Array.isArray(seen)) seen.push(value);
  else parent[name] = [seen, value];
}

/** Skips the attributes of a start tag from `i`; returns the index of its '>' or -1 when they are not plain `name="value"` pairs. */
function skipAttributes(text: string, i: number): number {
  const names: string[] = [];
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x3e) return i; // '>'
    if (!isSpace(c)) return -1;
    while (isSpace(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) === 0x3e) return i;
    const nameStart = i;
    if (!isNameStart(text.charCodeAt(i))) return -1;
    while (isNameChar(text.charCodeAt(i)) || text.charCodeAt(i) === 0x3a) i++;
    const name = text.slice(nameStart, i);
    if (names.includes(name)) return -1;
    names.push(name);
    if (text.charCodeAt(i) !== 0x3d) return -1; // '='
    const quote = text.charCodeAt(i + 1);
    if (quote !== 0x22 && quote !== 0x27) return -1;
    const close = text.indexOf(quote === 0x22 ? '"' : "'", i + 2);
    if (close === -1) return -1;
    const value = text.slice(i + 2, close);
    if (value.includes('<') || value.includes('&')) return -1;
    i = close + 1;
  }
}

let pointEnd = 0;

/** The Point at `at` when it has one of the two common shapes (its end in `pointEnd`), else null. */
function readPoint(text: string, at: number): PlainNode | null {
  QUANTITY_POINT.lastIndex = at;
  let m = QUANTITY_POINT.exec(text);
  if (m !== null) {
    pointEnd = QUANTITY_POINT.lastIndex;
    return { position: m[1]!, quantity: m[2]! };
  }
  PRICE_POINT.lastIndex = at;
  m = PRICE_POINT.exec(text);
  if (m !== null) {
    pointEnd = PRICE_POINT.lastIndex;
    return { position: m[1]!, 'price.amount': m[2]! };
  }
  return null;
}

/**
 * The tree of one XML fragment (a TimeSeries cut out of a document), or null when the fragment uses
 * more of XML than this reader handles.
 */
export function readPlainXml(text: string): PlainNode | null {
  const root: PlainNode = {};
  const stack: Open[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const lt = text.indexOf('<', i);
    const top = stack[stack.length - 1];
    // Text before the next tag: only whitespace unless it is a leaf's value (checked at its end tag).
    if (lt === -1) {
      for (let k = i; k < n; k++) if (!isSpace(text.charCodeAt(k))) return null;
      break;
    }
    const c = text.charCodeAt(lt + 1);
    if (c === 0x2f) {
      // End tag.
      if (!top) return null;
      const nameEnd = lt + 2 + top.name.length;
      if (!text.startsWith(top.name, lt + 2)) return null;
      let k = nameEnd;
      while (isSpace(text.charCodeAt(k))) k++;
      if (text.charCodeAt(k) !== 0x3e) return null;
      stack.pop();
      const parent = stack.length === 0 ? root : stack[stack.length - 1]!.node!;
      if (top.node === null) {
        const value = text.slice(top.contentStart, lt).trim();
        if (value.includes('&') || value.includes('>')) return null;
        add(parent, top.name, value);
      } else {
        for (let j = i; j < lt; j++) if (!isSpace(text.charCodeAt(j))) return null;
        add(parent, top.name, top.node);
      }
      i = k + 1;
      continue;
    }
    if (!isNameStart(c)) return null; // comments, CDATA, processing instructions, stray '<'
    // Most of a document is Points of one shape: read those with one sticky pattern.
    if (c === 0x50 && top?.name === 'Period') {
      const point = readPoint(text, lt);
      if (point !== null) {
        for (let j = i; j < lt; j++) if (!isSpace(text.charCodeAt(j))) return null;
        if (top.node === null) top.node = {};
        add(top.node, 'Point', point);
        i = pointEnd;
        continue;
      }
    }
    // Start tag: the text before it must be whitespace, and its parent becomes an element with children.
    for (let j = i; j < lt; j++) if (!isSpace(text.charCodeAt(j))) return null;
    if (top) {
      if (top.node === null) top.node = {};
    } else if (stack.length === 0 && Object.keys(root).length > 0) {
      return null; // a second top-level element
    }
    let k = lt + 2;
    while (isNameChar(text.charCodeAt(k))) k++;
    const name = text.slice(lt + 1, k);
    if (FORBIDDEN_NAMES.has(name)) return null;
    const gt = skipAttributes(text, k);
    if (gt === -1) return null;
    stack.push({ name, node: null, contentStart: gt + 1 });
    i = gt + 1;
  }
  return stack.length === 0 ? root : null;
}
