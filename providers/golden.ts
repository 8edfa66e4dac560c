// `npm run golden`: checks every dataset fixture's golden file against the parser and lists the
// differences (exit 1 when any). `npm run golden -- --write [dataset or provider ...]` rewrites them:
// only after reading the diff and checking a few rows against the payload by hand.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { datasets } from './index.ts';
import { goldenDifferences, goldenPath, readGolden, renderGolden } from './golden-files.ts';

const args = process.argv.slice(2);
const write = args.includes('--write');
const only = args.filter((a) => a !== '--write');
const selected = datasets.filter((d) => only.length === 0 || only.includes(d.id) || only.includes(d.provider));
if (selected.length === 0) {
  process.stderr.write(`golden: no dataset matches ${only.join(' ')}\n`);
  process.exit(2);
}

let differing = 0;
for (const ds of selected) {
  for (const f of ds.fixtures) {
    const path = relative(process.cwd(), goldenPath(ds, f));
    let actual: string;
    try {
      actual = renderGolden(ds, f);
    } catch (e) {
      differing += 1;
      process.stdout.write(`FAIL ${ds.id} ${f.file}: ${(e as Error).message}\n`);
      continue;
    }
    const expected = readGolden(ds, f);
    if (expected === actual) {
      process.stdout.write(`ok   ${path}\n`);
    } else if (write) {
      writeFileSync(goldenPath(ds, f), actual);
      process.stdout.write(`wrote ${path} (${actual.split('\n').length - 1} observations)\n`);
    } else {
      differing += 1;
      process.stdout.write(expected === null ? `MISSING ${path}\n` : `DIFF ${path}\n  ${goldenDifferences(expected, actual).join('\n  ')}\n`);
    }
  }
}
if (differing > 0) {
  process.stdout.write(`\n${differing} golden file(s) differ${write ? '' : '; review, then `npm run golden -- --write`'}\n`);
  process.exitCode = 1;
}
