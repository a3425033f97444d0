import * as avro from 'avsc';
import { crc64Avro } from './crc64-avro';
import { parsingCanonicalForm, schemaFingerprint } from './schema-fingerprint';

// Vectors from Apache Avro's share/test/data/schema-tests.txt, published as signed 64-bit integers.
const VECTORS: [string, bigint][] = [
  ['"null"', 7195948357588979594n],
  ['"boolean"', -6970731678124411036n],
  ['"int"', 8247732601305521295n],
  ['{"name":"foo","type":"fixed","size":15}', 1756455273707447556n],
  ['{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}', 7843277075252814651n],
  [
    '{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
    -1759257747318642341n,
  ],
];

describe('crc64Avro', () => {
  it.each(VECTORS)('fingerprints %s as in the Avro test vectors', (canonical, signed) => {
    expect(crc64Avro(Buffer.from(canonical, 'utf8'))).toBe(BigInt.asUintN(64, signed));
  });

  it('gives "int" the spec value 8247732601305521295 as unsigned 64-bit', () => {
    expect(crc64Avro(Buffer.from('"int"'))).toBe(8247732601305521295n);
  });
});

describe('parsingCanonicalForm', () => {
  it('strips doc, defaults, aliases and logical types and writes full names', () => {
    const type = avro.Type.forSchema({
      type: 'record',
      name: 'foo',
      namespace: 'x',
      doc: 'ignored',
      fields: [
        { name: 'f1', type: 'boolean', doc: 'ignored', default: true },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
      ],
    });
    expect(parsingCanonicalForm(type)).toBe(
      '{"name":"x.foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"at","type":"long"}]}',
    );
  });

  it('fingerprints a parsed schema like its canonical text', () => {
    const type = avro.Type.forSchema({
      type: 'record',
      name: 'foo',
      fields: [{ name: 'f1', type: 'boolean' }],
    });
    expect(schemaFingerprint(type)).toBe(7843277075252814651n);
  });
});
