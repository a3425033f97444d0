import { join } from 'node:path';
import { createDecoder, loadSchemaHistory } from '@streamscore/contracts';
import { buildCorpus, MAX_ARRAY_ITEMS, MAX_MESSAGE_BYTES } from './input-corpus';

describe('the ingestion test corpus', () => {
  it('should decode to exactly what each message expects', async () => {
    const decoder = createDecoder(loadSchemaHistory(join(__dirname, 'fixtures', 'schemas', 'reading')), {
      maxMessageBytes: MAX_MESSAGE_BYTES,
      maxArrayItems: MAX_ARRAY_ITEMS,
    });
    for (const message of buildCorpus(200, 100)) {
      const result = await decoder.decode(message.value, message.headers);
      if (message.expect.valid) {
        expect(result.ok && result.record['id']).toBe(message.expect.id);
      } else {
        expect(result.ok ? 'ok' : result.code).toBe(message.expect.code);
      }
    }
  });
});
