/**
 * A progress bar on stderr (stdout stays clean): redrawn in place at most every 100 ms on a
 * terminal, one line per 10% step otherwise (CI logs).
 */
export function progressBar(
  stream: NodeJS.WriteStream = process.stderr,
): (label: string, done: number) => void {
  const width = 30;
  let lastDraw = 0;
  let lastLabel = '';
  let lastStep = -1;
  return (label, done) => {
    const now = Date.now();
    const step = Math.floor(done * 10);
    const sameStage = label === lastLabel;
    if (sameStage && stream.isTTY && done < 1 && now - lastDraw < 100) return;
    if (sameStage && !stream.isTTY && step === lastStep) return;
    lastDraw = now;
    lastLabel = label;
    lastStep = step;
    const filled = Math.round(Math.min(1, Math.max(0, done)) * width);
    const line = `${label.padEnd(10)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(done * 100).toFixed(0).padStart(3)}%`;
    stream.write(stream.isTTY ? `\r${line}` : `${line}\n`);
    if (done >= 1 && stream.isTTY) stream.write('\n');
  };
}
