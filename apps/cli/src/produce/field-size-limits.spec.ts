import { fieldSizeLimits } from '@streamscore/platform';
import { parseLineRecords } from '../io/line-records';
import { encodeLines, LinesRefused } from './line-messages';
import { DEMO_PIPELINE, departureEncoder, departureLine } from './demo-departures.fixture';

/**
 * `streamscore produce` applies the pipeline's field size limits: a record that ingestion would
 * dead-letter TOO_LARGE is refused before anything is sent, and the refusal names its line and
 * field (issue #18). The encoder here has the size limits alone (produce.command.ts adds the field
 * rules with `inputChecks`; field-rules.spec.ts covers those), so records at the size limits pass.
 */
const encoder = departureEncoder(fieldSizeLimits(DEMO_PIPELINE, 'events'));
const departure = departureLine;

describe('produce: field size limits', () => {
  it('refuses an oversized key field and string before sending, naming each line and field', () => {
    const text = [
      departure(),
      departure({ origin: 'O'.repeat(300_000) }),
      departure(),
      departure({ eventId: 'e'.repeat(70_000) }),
    ].join('\n');
    const refuse = (): unknown =>
      encodeLines(parseLineRecords(Buffer.from(text), 'jsonl'), (r) => encoder.encode(r));
    expect(refuse).toThrow(LinesRefused);
    expect(refuse).toThrow(
      [
        '2 of 4 line(s) cannot be sent; nothing was sent:',
        '  line 2: TOO_LARGE (origin): origin is 300000 bytes; a key field may have at most 1024',
        '  line 4: TOO_LARGE (eventId): eventId is 70000 bytes; a string may have at most 65536',
      ].join('\n'),
    );
  });

  it('sends records at the limits, keyed by their entity key', () => {
    const origin = 'O'.repeat(1_024);
    const text = departure({ origin, eventId: 'e'.repeat(65_536) });
    const [line] = encodeLines(parseLineRecords(Buffer.from(text), 'jsonl'), (r) => encoder.encode(r));
    expect(line?.line).toBe(1);
    expect(line?.message.key).toBe(origin);
  });
});
