import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { buildInferenceResponse, signatureOf } from '@streamscore/inference';
import { loadModelDirectory, scoreTensor } from '@streamscore/models';

/**
 * The floor the serving bench compares the inference service with: a bare node:http server, in a
 * process of its own like the service, that parses the infer request's JSON and runs the same
 * model file on one ONNX Runtime session (the scoring workers' options: CPU, one intra-op and one
 * inter-op thread) once per request, on its event loop. No framework, no validation beyond what
 * the run needs, no worker thread, no batching. GET /requests answers how many infer requests it
 * answered, for the bench's count. Prints `{"port":…}` once it listens.
 */
interface BareRequest {
  readonly id?: string;
  readonly inputs: readonly { readonly name: string; readonly shape: number[]; readonly data: number[] }[];
}

async function main(modelDir: string): Promise<void> {
  const model = await loadModelDirectory(modelDir, {
    sessionOptions: { intraOpNumThreads: 1, interOpNumThreads: 1, executionProviders: ['cpu'] },
  });
  const signature = signatureOf(model.manifest);
  const name = model.manifest.name;
  const version = String(model.manifest.version);
  let answered = 0;

  const infer = async (text: string): Promise<string> => {
    const request = JSON.parse(text) as BareRequest;
    const input = request.inputs.find((i) => i.name === signature.input.name);
    if (!input) throw new Error(`no input ${signature.input.name}`);
    const rows = input.shape[0] ?? 0;
    const scores = await scoreTensor(model, Float32Array.from(input.data), rows);
    return JSON.stringify(
      buildInferenceResponse({
        model: name,
        version,
        id: request.id ?? '',
        signature,
        outputs: [signature.output.name],
        rows,
        scores,
      }),
    );
  };

  const reply = (response: ServerResponse, status: number, body: string): void => {
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method === 'GET' && request.url === '/requests') {
      reply(response, 200, JSON.stringify({ answered }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    try {
      const body = await infer(Buffer.concat(chunks).toString('utf8'));
      answered += 1;
      reply(response, 200, body);
    } catch (error) {
      reply(response, 400, JSON.stringify({ error: (error as Error).message }));
    }
  };

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ port })}\n`);
  });
  process.once('SIGTERM', () => {
    server.close();
    void model.session.release().then(() => process.exit(0));
  });
}

main(process.argv[2] ?? '').catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
