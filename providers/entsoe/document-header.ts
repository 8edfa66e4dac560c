// What kind of ENTSO-E document a body is, read from its header alone: cheap enough for every
// dataset's `detect`, and never throws (a body it cannot read has no header).
import { unzipSync } from 'fflate';

export type DocumentHeader = {
  /** Root element, e.g. `GL_MarketDocument`. */
  root: string;
  /** `type`: A44, A65, ... */
  type: string;
  /** `process.processType`: A16, A01, ...; Publication documents have none. */
  processType?: string;
};

/** The header sits before the first TimeSeries; a few kilobytes hold it in every document seen. */
const HEADER_BYTES = 8192;

const field = (header: string, name: string) =>
  new RegExp(`<(?:[\\w-]+:)?${name.replace(/\./g, '\\.')}(?:\\s[^>]*)?>([^<]*)</`).exec(header)?.[1]?.trim() || undefined;

/** The header of a document, or of the first data document in a ZIP; null for anything else (acknowledgements included). */
export function readDocumentHeader(body: Uint8Array): DocumentHeader | null {
  try {
    if (body[0] === 0x50 && body[1] === 0x4b && body[2] === 0x03 && body[3] === 0x04) {
      const files = unzipSync(body);
      for (const name of Object.keys(files).sort()) {
        const header = readDocumentHeader(files[name]!);
        if (header) return header;
      }
      return null;
    }
    const text = new TextDecoder().decode(body.subarray(0, HEADER_BYTES)).replace(/^\uFEFF/, '');
    const series = text.indexOf('<TimeSeries');
    const head = series === -1 ? text : text.slice(0, series);
    const root = /^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:[\w-]+:)?([A-Za-z_]+_MarketDocument)\b/.exec(head)?.[1];
    if (!root || root === 'Acknowledgement_MarketDocument') return null;
    const type = field(head, 'type');
    if (!type) return null;
    const processType = field(head, 'process.processType');
    return processType ? { root, type, processType } : { root, type };
  } catch {
    return null;
  }
}
