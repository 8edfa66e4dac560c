// The table `scalar reconcile` prints: per check and zone, the agreement, each source's counts and
// status, and the largest differences at local times with units.
import { localTime, type ZoneReconciliation } from '../app/reconcile.ts';
import { writeTable } from './output.ts';

const num = (x: number) => (Math.abs(x) >= 1000 ? x.toFixed(0) : x.toFixed(2));
const signed = (x: number) => `${x >= 0 ? '+' : ''}${num(x)}`;

export function writeReconciliation(results: readonly ZoneReconciliation[], out: NodeJS.WritableStream): void {
  for (const r of results) {
    const head = `${r.check}  ${r.zone}  ${r.title}`;
    if (r.sources.every((s) => s.slots === 0)) {
      out.write(`${head}\n  no source has data in the range\n\n`);
      continue;
    }
    const tol = `±${r.tolerance.absolute} ${r.unit}${r.tolerance.relative ? ` or ${r.tolerance.relative * 100} %` : ''}`;
    const verdict = r.agreement === null ? 'nothing to compare (one source only)' : `${r.agreement.toFixed(1)} % agree`;
    out.write(`${head}\n  ${r.compared} slots compared at ${r.resolution} in ${r.unit} (tolerance ${tol}): ${verdict}\n\n`);
    writeTable(
      ['source', 'slots', 'compared', 'agree %', 'missing', 'late', `last slot (${r.timeZone})`, 'status'],
      r.sources.map((s) => [
        s.source,
        String(s.slots),
        String(s.compared),
        s.agreement === null ? '' : s.agreement.toFixed(1),
        String(s.missing),
        String(s.late),
        s.lastTs ? localTime(s.lastTs, r.timeZone) : '',
        s.status + (s.unconverted.length > 0 ? ` (unconverted: ${s.unconverted.join('; ')})` : ''),
      ]),
      out,
    );
    if (r.largest.length > 0) {
      out.write('\n  largest differences\n');
      writeTable(
        ['slot start', 'source', 'value', 'others (median)', 'difference'],
        r.largest.map((d) => [localTime(d.ts, r.timeZone), d.source, `${num(d.value)} ${r.unit}`, `${num(d.others)} ${r.unit}`, `${signed(d.difference)} ${r.unit}`]),
        out,
      );
    }
    out.write('\n');
  }
}
