/** Sums the samples of Prometheus metrics whose names start with `prefix`, filtered by a label match. */
export function sumMetric(text: string, name: string, labelFilter?: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const rest = line.slice(name.length);
    if (rest.length > 0 && rest[0] !== '{' && rest[0] !== ' ') continue;
    if (labelFilter && !line.includes(labelFilter)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

export async function scrape(url: string): Promise<string> {
  try {
    const res = await fetch(`${url}/metrics`);
    return res.ok ? await res.text() : '';
  } catch {
    return '';
  }
}
