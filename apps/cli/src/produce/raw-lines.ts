import { ContentTypes, entityKeyOf, Headers } from '@streamscore/contracts';
import type { LineProblem } from '../io/line-records';
import { LinesRefused, type LineMessage, type LineSelection } from './line-messages';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * `--encoding raw`: each JSONL line's bytes as they are, for the ingestion gate to judge. Nothing
 * is decoded or re-serialized, so what the gate sees is exactly the file: invalid UTF-8, `1e400`,
 * 2^53+1 and broken JSON arrive unchanged (`--encoding json` parses and writes the record again).
 * The key is the entity key when the line parses as a JSON object, else none. A line over
 * `maxMessageBytes` is refused TOO_LARGE, as the gate would only dead-letter it; blank lines are
 * skipped. All or nothing, like the other encodings.
 */
export function rawLines(
  bytes: Buffer,
  keyFields: readonly string[],
  maxMessageBytes: number,
  selection: LineSelection = {},
): LineMessage[] {
  const lines: { line: number; value: Buffer }[] = [];
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    const newline = bytes.indexOf(NEWLINE, start);
    const end = newline === -1 ? bytes.length : newline;
    const value = bytes.subarray(start, end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end);
    if (value.toString('latin1').trim() !== '') lines.push({ line, value: Buffer.from(value) });
    start = end + 1;
  }
  const from = selection.fromLine ?? 1;
  const chosen = lines.filter((l) => l.line >= from).slice(0, selection.max);
  const problems: LineProblem[] = chosen
    .filter((l) => l.value.length > maxMessageBytes)
    .map((l) => ({
      line: l.line,
      code: 'TOO_LARGE',
      reason: `payload of ${l.value.length} bytes exceeds ${maxMessageBytes}`,
      fields: [],
    }));
  if (problems.length > 0) throw new LinesRefused(problems, chosen.length);
  return chosen.map(({ line, value }) => ({
    line,
    message: {
      key: keyOf(value, keyFields),
      value,
      headers: { [Headers.contentType]: ContentTypes.json },
    },
  }));
}

function keyOf(value: Buffer, keyFields: readonly string[]): string | null {
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? entityKeyOf(parsed, keyFields)
      : null;
  } catch {
    return null;
  }
}
