import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { api, SuiteStack, type RunningService, type ServiceName } from './harness/stack.js';

const REDOCLY = resolve(import.meta.dirname, '../node_modules/.bin/redocly');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const PUBLIC_PATHS = new Set(['/health']);
const SERVICES: ServiceName[] = ['network-manager', 'compute-manager', 'host-agent'];

interface Operation {
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface Document {
  openapi: string;
  security?: Array<Record<string, string[]>>;
  paths: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: Record<string, { type: string; scheme?: string; bearerFormat?: string }> };
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
  const run = await promisify(execFile)(REDOCLY, ['lint', '--extends', 'recommended', '--format', 'json', '--max-problems', '1000', file], {
    cwd: dir,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    maxBuffer: 16 * 1024 * 1024,
  }).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
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

  it.each(SERVICES)('%s: Redocly recommended ruleset finds no error', async (name) => {
    const problems = await lint(documents[name], dir, name);
    const errors = problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    expect(errors).toEqual([]);
  }, 60000);

  it.each(SERVICES)('%s: every JSON success answer has a schema', (name) => {
    const missing = operations(documents[name]).flatMap(({ path, method, op }) =>
      Object.entries(op.responses)
        .filter(([status, response]) => /^2/.test(status) && status !== '204' && !response.content?.['application/json']?.schema)
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

  it('answers 404 NOT_FOUND with the plain message for an id that is not a UUID', async () => {
    const nm = api(services['network-manager'].url);
    const cm = api(services['compute-manager'].url);
    expect((await nm.get('/transport-zones/zz')).body).toEqual({ statusCode: 404, error: 'Not Found', message: 'transport zone zz not found', code: 'NOT_FOUND' });
    expect((await nm.get('/logical-networks/nope')).body).toMatchObject({ statusCode: 404, message: 'logical network nope not found', code: 'NOT_FOUND' });
    expect((await cm.get('/switches/nope')).body).toMatchObject({ statusCode: 404, message: 'switch nope not found', code: 'NOT_FOUND' });
    expect((await cm.get('/dcns/nope')).body).toMatchObject({ statusCode: 404, message: 'DCN nope not found', code: 'NOT_FOUND' });
    expect((await cm.patch('/switches/nope/port-groups/other', { vlanId: 3 })).body).toMatchObject({ statusCode: 404, message: 'switch nope not found' });
  });
});
