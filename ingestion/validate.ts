// Checks parsed observations against their dataset's rules before anything is stored.
import type { Dataset } from '../shared/dataset.ts';
import { ValidationError } from '../shared/errors.ts';
import type { Observation } from '../shared/observation.ts';
import { addDuration, isoUtc, parseDuration } from '../shared/time.ts';

const MAX_LISTED = 3;

/** Throws a ValidationError listing the first few violations; `fetchedAt` is when the payload was fetched. */
export function validateObservations(ds: Dataset, observations: readonly Observation[], fetchedAt: Date): void {
  const latest = addDuration(fetchedAt, ds.validation.maxLead, ds.window.tz);
  const problems: string[] = [];
  // A payload uses one or two resolutions: each is checked once.
  const durations = new Set<string>();
  let count = 0;
  const flag = (o: Observation, why: string) => {
    count += 1;
    if (problems.length < MAX_LISTED) problems.push(`${JSON.stringify(o.series)} ${isoUtc(o.ts)}: ${why}`);
  };
  for (const o of observations) {
    if (o.dataset !== ds.id) flag(o, `belongs to ${o.dataset}, not ${ds.id}`);
    if (Number.isNaN(o.ts.getTime())) {
      flag(o, 'invalid instant');
      continue;
    }
    if (!durations.has(o.resolution)) {
      try {
        parseDuration(o.resolution);
        durations.add(o.resolution);
      } catch {
        flag(o, `resolution ${o.resolution} is not an ISO 8601 duration`);
      }
    }
    if (o.ts >= latest) flag(o, `starts after ${isoUtc(latest)} (fetched ${isoUtc(fetchedAt)} + ${ds.validation.maxLead})`);
    const range = ds.validation.plausible[o.unit];
    if (!range) flag(o, `unit ${o.unit} is not one of ${Object.keys(ds.validation.plausible).join(', ')}`);
    else if (o.value !== null && (!Number.isFinite(o.value) || o.value < range[0] || o.value > range[1])) {
      flag(o, `value ${o.value} ${o.unit} outside the plausible range [${range[0]}, ${range[1]}]`);
    }
  }
  if (count > 0) {
    throw new ValidationError(`${count} implausible observation(s): ${problems.join('; ')}${count > MAX_LISTED ? '; …' : ''}`);
  }
}
