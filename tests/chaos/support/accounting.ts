/**
 * The line every scenario prints (issue 9): sent, validated, dead-lettered, predicted, duplicates,
 * missing. A stage a scenario does not run is printed as "-".
 */
export interface Accounting {
  readonly scenario: string;
  readonly sent: number;
  readonly validated: number;
  readonly deadLettered: number;
  readonly predicted?: number;
  readonly duplicates: number;
  readonly missing: number;
  readonly seconds: number;
  readonly extra?: Record<string, string | number>;
}

export function printAccounting(a: Accounting): string {
  const extra = Object.entries(a.extra ?? {})
    .map(([k, v]) => ` ${k}=${v}`)
    .join('');
  const line =
    `accounting[${a.scenario}]: sent=${a.sent} validated=${a.validated} deadLettered=${a.deadLettered} ` +
    `predicted=${a.predicted ?? '-'} duplicates=${a.duplicates} missing=${a.missing} ` +
    `seconds=${a.seconds.toFixed(1)}${extra}\n`;
  process.stdout.write(line);
  return line;
}
