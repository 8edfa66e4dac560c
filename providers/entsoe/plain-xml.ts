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
// rather than one alternation so each Point object gets its literal shape. Each also takes the XML
// whitespace before the Point, so a run of Points is read pattern after pattern. The *_SHAPE twins
// (no groups) only test: a match costs no allocation.
const QUANTITY_POINT = /[ \t\n\r]*<Point>\s*<position>(\d{1,9})<\/position>\s*<quantity>\s*([^<&>\s]*)\s*<\/quantity>\s*<\/Point>/y;
const PRICE_POINT = /[ \t\n\r]*<Point>\s*<position>(\d{1,9})<\/position>\s*<price\.amount>\s*([^<&>\s]*)\s*<\/price\.amount>\s*<\/Point>/y;
const QUANTITY_SHAPE = /[ \t\n\r]*<Point>\s*<position>\d{1,9}<\/position>\s*<quantity>\s*[^<&>\s]*\s*<\/quantity>\s*<\/Point>/y;
const PRICE_SHAPE = /[ \t\n\r]*<Point>\s*<position>\d{1,9}<\/position>\s*<price\.amount>\s*[^<&>\s]*\s*<\/price\.amount>\s*<\/Point>/y;
// What `\s` matches in a pattern.
const isPatternSpace = (c: number) =>
  c === 0x20 || (c >= 0x09 && c <= 0x0d) ||
  (c >= 0xa0 && (c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff));

// Packed Points of the fragment being read, in one arena reused from fragment to fragment (a
// document's Points then allocate nothing): per Point its offset in the text, position and value.
const ARENA_KEPT = 1 << 16;
let arenaStart = new Int32Array(4096);
let arenaPosition = new Int32Array(4096);
let arenaValue = new Float64Array(4096);
let arenaLength = 0;
let arenaEpoch = 0;

function growArena(): void {
  const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
    const b = make(a.length * 2);
    b.set(a);
    return b;
  };
  arenaStart = grow(arenaStart, (n) => new Int32Array(n));
  arenaPosition = grow(arenaPosition, (n) => new Int32Array(n));
  arenaValue = grow(arenaValue, (n) => new Float64Array(n));
}

/**
 * The Points of one Period that have the common shape, kept as numbers in the reader's arena rather
 * than one object per Point: valid until the reader reads its next fragment. `node(k)` is the object
 * the tree would hold for Point k, read again from the text.
 */
export class PackedPoints {
  constructor(
    readonly text: string,
    /** The value element every Point here has: `quantity` or `price.amount`. */
    readonly field: string,
    readonly from: number,
    public to: number,
    readonly epoch: number,
  ) {}
  get length(): number {
    return this.to - this.from;
  }
  /**
   * The arena holding these Points at [from, to): positions, and values where written plainly (see
   * `plainDecimal`; NaN otherwise: read `node(k - from)` for the text).
   */
  arena(): { positions: Int32Array; values: Float64Array } {
    if (this.epoch !== arenaEpoch) throw new Error('PackedPoints read after the reader moved on to another fragment');
    return { positions: arenaPosition, values: arenaValue };
  }
  node(k: number): PlainNode {
    if (this.epoch !== arenaEpoch) throw new Error('PackedPoints read after the reader moved on to another fragment');
    return pointNodeAt(this.text, arenaStart[this.from + k]!);
  }
  nodes(): PlainNode[] {
    return Array.from({ length: this.length }, (_, k) => this.node(k));
  }
}

/**
 * The number `s` says when it is plain decimal of at most 15 digits (what ENTSO-E writes), else NaN.
 * Exactly what Number(s) gives there: the digits make an integer below 2^53 and the divisor a power
 * of ten below 10^16, both exact, and one division rounds correctly, as the conversion does.
 */
export function plainDecimal(s: string): number {
  const value = decimalAt(s, 0, s.length);
  return decimalEnd === s.length ? value : NaN;
}

// Where the text `decimalAt` read last ended.
let decimalEnd = 0;

/** `plainDecimal` of the text from `i` up to `end` or the first '<' or space, whichever comes first (its end in `decimalEnd`). */
function decimalAt(text: string, i: number, end: number): number {
  let c = text.charCodeAt(i);
  const negative = c === 0x2d;
  if (negative || c === 0x2b) c = text.charCodeAt(++i);
  let digits = 0;
  let mantissa = 0;
  let scale = 1;
  let fraction = false;
  for (; i < end && c !== 0x3c && !isPatternSpace(c); c = text.charCodeAt(++i)) {
    if (c >= 0x30 && c <= 0x39) {
      mantissa = mantissa * 10 + (c - 0x30);
      digits++;
      if (fraction) scale *= 10;
    } else if (c === 0x2e && !fraction) fraction = true;
    else return (decimalEnd = i), NaN;
  }
  decimalEnd = i;
  if (digits === 0 || digits > 15) return NaN;
  return negative ? -(mantissa / scale) : mantissa / scale;
}

type Open = { name: string; node: PlainNode | null; contentStart: number };

function add(parent: PlainNode, name: string, value: unknown): void {
  let seen = parent[name];
  if (seen instanceof PackedPoints) seen = parent[name] = seen.nodes();
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
// The shape matched last is tried first (a document has one); the two never match the same text.
let pricesFirst = false;

/**
 * The value element of the common-shape Point at `at` (after XML whitespace), its end in
 * `pointEnd`; null when there is none.
 */
function matchPoint(text: string, at: number): string | null {
  const first = pricesFirst ? PRICE_SHAPE : QUANTITY_SHAPE;
  first.lastIndex = at;
  if (first.test(text)) {
    pointEnd = first.lastIndex;
    return pricesFirst ? 'price.amount' : 'quantity';
  }
  const second = pricesFirst ? QUANTITY_SHAPE : PRICE_SHAPE;
  second.lastIndex = at;
  if (!second.test(text)) return null;
  pointEnd = second.lastIndex;
  pricesFirst = !pricesFirst;
  return pricesFirst ? 'price.amount' : 'quantity';
}

/** The object of the common-shape Point at `at`, as the tree holds it. */
function pointNodeAt(text: string, at: number): PlainNode {
  QUANTITY_POINT.lastIndex = at;
  let m = QUANTITY_POINT.exec(text);
  if (m !== null) return { position: m[1]!, quantity: m[2]! };
  PRICE_POINT.lastIndex = at;
  m = PRICE_POINT.exec(text);
  if (m === null) throw new Error(`no common-shape Point at ${at}`);
  return { position: m[1]!, 'price.amount': m[2]! };
}

// Where the last packed Point had its digits (from its start) and its value tag's end (from its digits' end).
let digitsOffset = 0;
let valueOffset = 0;

/**
 * Adds the common-shape Point at `at` (value element `field`) to a Period: into the arena while
 * the Period's Points so far all went there in one run with this element, else as an object.
 */
function addPackedPoint(text: string, period: PlainNode, at: number, field: string): void {
  const seen = period.Point;
  const packed = seen instanceof PackedPoints && seen.field === field && seen.to === arenaLength && seen.epoch === arenaEpoch ? seen : undefined;
  if (seen !== undefined && packed === undefined) {
    add(period, 'Point', pointNodeAt(text, at));
    return;
  }
  if (arenaLength === arenaStart.length) growArena();
  // The shape is known to match, so its tags are the next '<'s: <Point>, <position> and its digits
  // up to </position>, then the value's tag, spaces and the value. The Points of a document are
  // laid out alike, so where the previous one had its digits and value is tried first: a '<', a 'p'
  // and a '>' ten characters apart inside the match can only be <position>, a '<' and 'q' or 'p'
  // with the '>' 10 or 14 on, after </position>, only the value's tag.
  let i = at + digitsOffset;
  if (i - 10 < at || i > pointEnd || text.charCodeAt(i - 10) !== 0x3c || text.charCodeAt(i - 9) !== 0x70 || text.charCodeAt(i - 1) !== 0x3e) {
    i = text.indexOf('<', text.indexOf('<', at) + 7) + 10;
    digitsOffset = i - at;
  }
  let position = 0;
  for (let c = text.charCodeAt(i); c !== 0x3c; c = text.charCodeAt(++i)) position = position * 10 + (c - 0x30);
  const digitsEnd = i;
  const tag = field === 'quantity' ? 10 : 14;
  i = digitsEnd + valueOffset;
  if (i - tag < digitsEnd + 11 || i > pointEnd || text.charCodeAt(i - tag) !== 0x3c || text.charCodeAt(i - tag + 1) !== field.charCodeAt(0) || text.charCodeAt(i - 1) !== 0x3e) {
    i = text.indexOf('<', digitsEnd + 11) + tag;
    valueOffset = i - digitsEnd;
  }
  while (isPatternSpace(text.charCodeAt(i))) i++;
  arenaStart[arenaLength] = at;
  arenaPosition[arenaLength] = position;
  arenaValue[arenaLength] = decimalAt(text, i, pointEnd);
  arenaLength++;
  if (packed) packed.to = arenaLength;
  else period.Point = new PackedPoints(text, field, arenaLength - 1, arenaLength, arenaEpoch);
}

/**
 * The tree of one XML fragment (a TimeSeries cut out of a document), or null when the fragment uses
 * more of XML than this reader handles. With `packPoints`, a Period whose Points all have the common
 * shape holds them as one PackedPoints instead of an array of objects (same content, no per-Point objects).
 */
export function readPlainXml(text: string, packPoints = false): PlainNode | null {
  if (packPoints) {
    arenaEpoch++;
    arenaLength = 0;
    // One huge TimeSeries does not keep its arena for the rest of the process.
    if (arenaStart.length > ARENA_KEPT) (arenaStart = new Int32Array(4096)), (arenaPosition = new Int32Array(4096)), (arenaValue = new Float64Array(4096));
  }
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
      let field = matchPoint(text, lt);
      if (field !== null) {
        for (let j = i; j < lt; j++) if (!isSpace(text.charCodeAt(j))) return null;
        if (top.node === null) top.node = {};
        // The Points that follow, each after whitespace only, as the loop would read them one by one.
        let at = lt;
        do {
          const end = pointEnd;
          if (packPoints) addPackedPoint(text, top.node, at, field);
          else add(top.node, 'Point', pointNodeAt(text, at));
          at = i = end;
          field = matchPoint(text, at);
        } while (field !== null);
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
