import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createDecoder } from '../avro/decoder';
import { loadSchemaHistory } from '../avro/schema-history';
import { encodeConfluent } from '../avro/single-object';
import { RetriableError } from '../errors';
import { SchemaRegistryClient } from './schema-registry-client';

const repo = resolve(__dirname, '../../../..');
const departures = loadSchemaHistory(resolve(repo, 'demo/flights/schemas/flight-departure'));
const [v1, v2] = [departures.versions[0]!, departures.latest];
const flight = {
  eventId: 'e-1',
  scheduledAt: 978336000000,
  origin: 'SFO',
  destination: 'LAX',
  distance: 337,
};
const OTHER = {
  type: 'record',
  name: 'FlightDeparture',
  namespace: 'elsewhere',
  fields: [{ name: 'x', type: 'int' }],
};

/** A small in-process Confluent registry: `GET /schemas/ids/{id}`, plus ids that misbehave. */
function startRegistry(): Promise<{ server: Server; url: string; hits: number[] }> {
  const hits: number[] = [];
  const schemas = new Map<number, object>([
    [1, { schema: JSON.stringify(v1.schema) }],
    [2, { schema: v2.canonicalForm, schemaType: 'AVRO' }],
    [3, { schema: JSON.stringify(OTHER) }],
    [4, { schema: 'syntax = "proto3";', schemaType: 'PROTOBUF' }],
  ]);
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const id = Number(/^\/schemas\/ids\/(\d+)$/.exec(request.url ?? '')?.[1]);
    hits.push(id);
    if (id === 500) {
      response.writeHead(500).end('{"error_code":50001}');
    } else if (id === 504) {
      setTimeout(() => response.writeHead(200).end('{"schema":"\\"int\\""}'), 500);
    } else if (schemas.has(id)) {
      response.writeHead(200, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      response.end(JSON.stringify(schemas.get(id)));
    } else {
      response.writeHead(404).end('{"error_code":40403,"message":"Schema not found"}');
    }
  });
  return new Promise((done) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      done({ server, url: `http://127.0.0.1:${port}/`, hits });
    });
  });
}

describe('SchemaRegistryClient', () => {
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await new Promise((done) => registry.server.close(done));
  });

  it('fetches a schema by id once and serves repeats from the cache', async () => {
    const client = new SchemaRegistryClient({ url: registry.url });
    const [a, b] = await Promise.all([client.getSchema(2), client.getSchema(2)]);
    await client.getSchema(2);
    expect(a).toEqual({ id: 2, schema: v2.canonicalForm, schemaType: 'AVRO' });
    expect(b).toBe(a);
    expect(client.requests).toBe(1);
  });

  it('resolves null for an unknown id and remembers it for the not-found TTL', async () => {
    let now = 0;
    const client = new SchemaRegistryClient({ url: registry.url, notFoundTtlMs: 1000, now: () => now });
    expect(await client.getSchema(99)).toBeNull();
    expect(await client.getSchema(99)).toBeNull();
    expect(client.requests).toBe(1);
    now = 2000;
    expect(await client.getSchema(99)).toBeNull();
    expect(client.requests).toBe(2);
  });

  it('throws a RetriableError on 5xx and does not cache it', async () => {
    const client = new SchemaRegistryClient({ url: registry.url });
    await expect(client.getSchema(500)).rejects.toBeInstanceOf(RetriableError);
    await expect(client.getSchema(500)).rejects.toThrow(/answered 500/);
    expect(client.requests).toBe(2);
  });

  it('throws a RetriableError when the registry is too slow', async () => {
    const client = new SchemaRegistryClient({ url: registry.url, timeoutMs: 100 });
    await expect(client.getSchema(504)).rejects.toMatchObject({ retriable: true, code: 'DEADLINE' });
  });

  it('throws a RetriableError when nothing listens', async () => {
    const closed = createServer();
    const port = await new Promise<number>((done) =>
      closed.listen(0, '127.0.0.1', () => {
        done((closed.address() as AddressInfo).port);
      }),
    );
    await new Promise((done) => closed.close(done));
    const client = new SchemaRegistryClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 1000 });
    await expect(client.getSchema(1)).rejects.toThrow(RetriableError);
    await expect(client.getSchema(1)).rejects.toMatchObject({ retriable: true, code: 'UNAVAILABLE' });
  });
});

describe('createDecoder with a schema registry (Confluent wire format)', () => {
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await new Promise((done) => registry.server.close(done));
  });

  function decoder(timeoutMs = 1000): ReturnType<typeof createDecoder> {
    return createDecoder(departures, {
      registry: new SchemaRegistryClient({ url: registry.url, timeoutMs }),
    });
  }

  it('reads the latest schema by id and emits canonical single-object bytes', async () => {
    const result = await decoder().decode(encodeConfluent(v2.type, 2, { ...flight, carrier: 'UA' }));
    expect(result).toMatchObject({
      ok: true,
      format: 'confluent',
      writerVersion: 2,
      record: { carrier: 'UA' },
    });
    const direct = await decoder().decode(result.ok ? result.canonical : Buffer.alloc(0));
    expect(direct).toMatchObject({ ok: true, format: 'single-object', writerVersion: 2 });
  });

  it('resolves an older registry schema to the reader and recognises its local version', async () => {
    const result = await decoder().decode(encodeConfluent(v1.type, 1, flight));
    expect(result).toMatchObject({ ok: true, writerVersion: 1, record: { ...flight, carrier: null } });
  });

  it('dead-letters an unknown id as UNKNOWN_SCHEMA', async () => {
    const result = await decoder().decode(encodeConfluent(v2.type, 77, { ...flight, carrier: null }));
    expect(result).toMatchObject({ ok: false, code: 'UNKNOWN_SCHEMA' });
    expect(!result.ok && result.reason).toContain('77');
  });

  it('dead-letters a registry schema the reader cannot resolve as UNKNOWN_SCHEMA', async () => {
    const result = await decoder().decode(Buffer.from([0, 0, 0, 0, 3, 2]));
    expect(result).toMatchObject({ ok: false, code: 'UNKNOWN_SCHEMA' });
    expect(!result.ok && result.reason).toContain('cannot be read');
  });

  it('dead-letters a non-Avro registry schema as UNSUPPORTED_FORMAT', async () => {
    expect(await decoder().decode(Buffer.from([0, 0, 0, 0, 4, 2]))).toMatchObject({
      ok: false,
      code: 'UNSUPPORTED_FORMAT',
    });
  });

  it('rejects with a RetriableError when the registry fails, so nothing is dead-lettered', async () => {
    await expect(decoder().decode(Buffer.from([0, 0, 0, 1, 0xf4, 2]))).rejects.toBeInstanceOf(RetriableError);
    await expect(decoder(100).decode(Buffer.from([0, 0, 0, 1, 0xf8, 2]))).rejects.toBeInstanceOf(
      RetriableError,
    );
  });
});
