import type { LineInput, LineProblem } from '../io/line-records';
import type { EncodedMessage, EncodeResult } from './record-encoder';
import type { InputRecord } from '../io/record-formats';

/** An encoded record and the input line it came from. */
export interface LineMessage {
  readonly line: number;
  readonly message: EncodedMessage;
}

/** Which lines of the input to send: from a line on, and at most so many. */
export interface LineSelection {
  readonly fromLine?: number;
  readonly max?: number;
}

/** Lines that cannot be sent; thrown before anything is sent, naming every one of them. */
export class LinesRefused extends Error {
  override readonly name = 'LinesRefused';

  constructor(
    readonly problems: readonly LineProblem[],
    readonly selected: number,
  ) {
    super(describeProblems(problems, selected));
  }
}

export function describeProblem(problem: LineProblem): string {
  const fields = problem.fields.length > 0 ? ` (${problem.fields.join(', ')})` : '';
  return `line ${problem.line}: ${problem.code}${fields}: ${problem.reason}`;
}

function describeProblems(problems: readonly LineProblem[], selected: number): string {
  const head = `${problems.length} of ${selected} line(s) cannot be sent; nothing was sent:`;
  return [head, ...problems.map((problem) => `  ${describeProblem(problem)}`)].join('\n');
}

type Entry = { readonly line: number } & (
  | { readonly record: InputRecord; readonly problem?: undefined }
  | { readonly problem: LineProblem; readonly record?: undefined }
);

/**
 * Encodes the selected lines, all of them before anything is sent: returns the messages in line
 * order, or throws LinesRefused listing every selected line that is not a record or does not
 * encode. Lines without a record count towards `max` like records do.
 */
export function encodeLines(
  input: LineInput,
  encode: (record: InputRecord) => EncodeResult,
  selection: LineSelection = {},
): LineMessage[] {
  const entries: Entry[] = [
    ...input.records.map(({ line, record }) => ({ line, record })),
    ...input.problems.map((problem) => ({ line: problem.line, problem })),
  ].sort((a, b) => a.line - b.line);
  const from = selection.fromLine ?? 1;
  const chosen = entries.filter((entry) => entry.line >= from).slice(0, selection.max);
  const messages: LineMessage[] = [];
  const problems: LineProblem[] = [];
  for (const entry of chosen) {
    if (entry.problem !== undefined) {
      problems.push(entry.problem);
      continue;
    }
    const result = encode(entry.record);
    if (result.ok) messages.push({ line: entry.line, message: result.message });
    else problems.push({ line: entry.line, code: result.code, reason: result.reason, fields: result.fields });
  }
  if (problems.length > 0) throw new LinesRefused(problems, chosen.length);
  return messages;
}
