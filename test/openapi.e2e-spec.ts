import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { checkAnswer } from './harness/openapi-check.js';
import { api, SuiteStack, type RunningService, type ServiceName } from './harness/stack.js';

const REDOCLY = resolve(import.meta.dirname, '../node_modules/.bin/redocly');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const PUBLIC_PATHS = new Set(['/health']);
const SERVICES: ServiceName[] = ['network-manager', 'compute-manager', 'host-agent'];

interface Operation {
  security?: Array<Record<string, string[]>>;
  requestBody?: { content: Record<string, { schema: { $ref: string } }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface Document {
  openapi: string;
  security?: Array<Record<string, string[]>>;
  paths: Record<string, Record<string, Operation>>;
  components?: {
    schemas?: Record<string, { additionalProperties?: unknown }>;
    securitySchemes?: Record<string, { type: string; scheme?: string; bearerFormat?: string }>;
  };
}

interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: Array<{ pointer: string }>;
}

/** Lints a document with Redocly CLI's recommended ruleset; answers its problems. */
async function lint(document: Document, dir: string, name: string): Promise<LintProblem[]> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(document));
  const run = await promisify(execFile)(
    REDOCLY,
    ['lint', '--extends', 'recommended', '--format', 'json', '--max-problems', '1000', file],
    {
      cwd: dir,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    },
  ).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
  const json = run.stdout.slice(run.stdout.indexOf('{'));
  return (JSON.parse(json) as { problems: LintProblem[] }).problems;
}

const operations = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => (METHODS as readonly string[]).includes(method))
      .map(([method, op]) => ({ path, method, op })),
  );

/** Each service's served OpenAPI document is valid, and says what the service answers. */
describe('OpenAPI documents', () => {
  const stack = new SuiteStack();
  const services = {} as Record<ServiceName, RunningService>;
  const documents = {} as Record<ServiceName, Document>;
  const dir = mkdtempSync(join(stack.dir, 'openapi-'));

  beforeAll(async () => {
    await stack.start();
    for (const name of SERVICES) services[name] = await stack.startService(name);
    for (const name of SERVICES) documents[name] = (await api(services[name].url, null).get<Document>('/docs-json')).body;
  }, 120000);
  afterAll(() => stack.stop(), 30000);

  it.each(SERVICES)(
    '%s: Redocly recommended ruleset finds no error',
    async (name) => {
      const problems = await lint(documents[name], dir, name);
      const errors = problems
        .filter((p) => p.severity === 'error')
        .map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
      expect(errors).toEqual([]);
    },
    60000,
  );

  it.each(SERVICES)('%s: every JSON success answer has a schema', (name) => {
    // An event stream (GET /topology/events) is not JSON: its schema is the stream's, its events' in `x-events`.
    const described = (content: Record<string, { schema?: unknown }> | undefined) =>
      Boolean(content?.['application/json']?.schema ?? content?.['text/event-stream']?.schema);
    const missing = operations(documents[name]).flatMap(({ path, method, op }) =>
      Object.entries(op.responses)
        .filter(([status, response]) => /^2/.test(status) && status !== '204' && !described(response.content))
        .map(([status]) => `${method.toUpperCase()} ${path} ${status}`),
    );
    expect(missing).toEqual([]);
  });

  it.each(SERVICES)('%s: every protected operation documents 401; public ones need no token', (name) => {
    const doc = documents[name];
    const scheme = Object.values(doc.components?.securitySchemes ?? {});
    expect(scheme).toEqual([{ type: 'http', scheme: 'bearer', description: expect.any(String) }]);
    expect(doc.security?.length).toBe(1);
    for (const { path, method, op } of operations(doc)) {
      const open = PUBLIC_PATHS.has(path);
      if (open) expect({ path, method, security: op.security }).toEqual({ path, method, security: [] });
      else {
        expect({ path, method, security: op.security ?? doc.security }).toEqual({ path, method, security: doc.security });
        expect({ path, method, has401: '401' in op.responses }).toEqual({ path, method, has401: true });
      }
    }
  });

  it.each(SERVICES)('%s: request bodies allow no unknown field, as the validation refuses them', (name) => {
    const doc = documents[name];
    const bodies = operations(doc).flatMap(({ op }) =>
      op.requestBody ? [op.requestBody.content['application/json'].schema.$ref.split('/').pop()!] : [],
    );
    expect(bodies.length).toBeGreaterThan(0);
    for (const schema of bodies)
      expect({ schema, closed: doc.components?.schemas?.[schema].additionalProperties }).toEqual({ schema, closed: false });
  });

  it('the e2e client refuses answers the served document does not describe', async () => {
    const nm = services['network-manager'].url;
    await expect(
      checkAnswer(nm, 'GET', '/transport-zones', 200, 'application/json', [{ id: 'z', name: 'a', colour: 'red' }]),
    ).rejects.toThrow(/OpenAPI: GET \/transport-zones answered 200.*does not match the documented schema/);
    await expect(checkAnswer(nm, 'GET', '/transport-zones', 418, 'application/json', {})).rejects.toThrow(
      /status 418 is not documented/,
    );
    await expect(api(nm).get('/no-such-route')).rejects.toThrow(
      /OpenAPI: GET \/no-such-route answered 404.*the path is not documented/,
    );
    expect((await api(nm).unchecked.get('/no-such-route')).status).toBe(404);
  });

  it('answers 404 NOT_FOUND with the plain message for an id that is not a UUID', async () => {
    const nm = api(services['network-manager'].url);
    const cm = api(services['compute-manager'].url);
    expect((await nm.get('/transport-zones/zz')).body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'transport zone zz not found',
      code: 'NOT_FOUND',
    });
    expect((await nm.get('/logical-networks/nope')).body).toMatchObject({
      statusCode: 404,
      message: 'logical network nope not found',
      code: 'NOT_FOUND',
    });
    expect((await cm.get('/switches/nope')).body).toMatchObject({
      statusCode: 404,
      message: 'switch nope not found',
      code: 'NOT_FOUND',
    });
    expect((await cm.get('/dcns/nope')).body).toMatchObject({
      statusCode: 404,
      message: 'DCN nope not found',
      code: 'NOT_FOUND',
    });
    expect((await cm.get('/tasks/nope')).body).toMatchObject({
      statusCode: 404,
      message: 'task nope not found',
      code: 'NOT_FOUND',
    });
    expect((await cm.post('/dcns/nope/nics', { logicalNetworkId: '5b0e5d8c-8a47-4a4c-9d53-2f3b7c1f6a11' })).body).toMatchObject({
      message: 'DCN nope not found',
    });
    expect((await nm.delete('/transport-nodes/host-1/zones/nope')).body).toMatchObject({
      statusCode: 404,
      message: 'transport zone nope not found',
    });
  });
});
