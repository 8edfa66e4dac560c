// The few STOMP 1.2 frames the intraday simulator speaks (https://stomp.github.io/stomp-specification-1.2.html):
// COMMAND, header lines, a blank line, the body, NUL. Header values are escaped (\\, \n, \r, \c).
export type StompFrame = { command: string; headers: Record<string, string>; body: string };

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/:/g, '\\c');
const unescape = (v: string) => v.replace(/\\([\\nrc])/g, (_, c: string) => ({ '\\': '\\', n: '\n', r: '\r', c: ':' })[c]!);

export function encodeFrame(f: StompFrame): string {
  const lines = [f.command, ...Object.entries(f.headers).map(([k, v]) => `${escape(k)}:${escape(v)}`)];
  return `${lines.join('\n')}\n\n${f.body}\u0000`;
}

/** Frames in one WebSocket message (heart-beat newlines skipped); null for anything that is not a frame. */
export function decodeFrames(data: string): StompFrame[] | null {
  const out: StompFrame[] = [];
  for (const raw of data.split('\u0000')) {
    const text = raw.replace(/^[\r\n]+/, '');
    if (text === '') continue;
    const split = text.indexOf('\n\n');
    const head = (split === -1 ? text : text.slice(0, split)).split(/\r?\n/);
    const command = head[0]!;
    if (!/^[A-Z]+$/.test(command)) return null;
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const i = line.indexOf(':');
      if (i <= 0) return null;
      const k = unescape(line.slice(0, i));
      // STOMP 1.2: the first occurrence of a repeated header wins.
      if (!(k in headers)) headers[k] = unescape(line.slice(i + 1));
    }
    out.push({ command, headers, body: split === -1 ? '' : text.slice(split + 2) });
  }
  return out;
}
