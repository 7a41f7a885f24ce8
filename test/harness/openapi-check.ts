import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * Checks an answer against the OpenAPI document the service itself serves at /docs-json: the
 * route and status must be documented, and a JSON body must match the documented schema.
 */
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

/** Answers no document can describe: the documents themselves, the Prometheus text and the UI's page and assets. */
const EXEMPT = [/^\/docs(-json|-yaml|\/.*)?$/, /^\/metrics$/, /^\/ui(\/.*)?$/];
const DOC_ID = 'openapi.json';

interface Response {
  description?: string;
  content?: Record<string, { schema?: unknown }>;
}
interface Document {
  paths: Record<string, Record<string, { responses?: Record<string, Response> }>>;
  components?: { schemas?: Record<string, unknown> };
}

interface Checker {
  document: Document;
  routes: Array<{ template: string; pattern: RegExp; params: number }>;
  ajv: Ajv;
  compiled: Map<string, ValidateFunction>;
}

/** OpenAPI 3.0 schemas to JSON Schema: `nullable` becomes a null alternative; refs name the document. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/')) out.$ref = `${DOC_ID}${value}`;
    else if (key !== 'nullable' && key !== 'example') out[key] = toJsonSchema(value);
  }
  if ((node as { nullable?: boolean }).nullable === true) {
    if (typeof out.type === 'string' && !out.allOf && !out.oneOf) {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
      return out;
    }
    const { description, ...rest } = out;
    if (rest.allOf && rest.type) delete rest.type;
    return { description, anyOf: [rest, { type: 'null' }] };
  }
  return out;
}

const checkers = new Map<string, Promise<Checker>>();

async function load(baseUrl: string): Promise<Checker> {
  const res = await fetch(`${baseUrl}/docs-json`);
  if (res.status !== 200) throw new Error(`cannot check answers of ${baseUrl}: GET /docs-json answered ${res.status}`);
  const document = (await res.json()) as Document;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: DOC_ID, components: { schemas: toJsonSchema(document.components?.schemas ?? {}) } });
  const routes = Object.keys(document.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^/}]+\}/g, '[^/]+')}$`),
    params: (template.match(/\{/g) ?? []).length,
  }));
  return { document, routes, ajv, compiled: new Map() };
}

function checker(baseUrl: string, fresh = false): Promise<Checker> {
  let found = checkers.get(baseUrl);
  if (!found || fresh) {
    found = load(baseUrl);
    found.catch(() => checkers.delete(baseUrl));
    checkers.set(baseUrl, found);
  }
  return found;
}

/** The mismatch between an answer and the served document, or null when the document describes it. */
async function mismatch(
  c: Checker,
  method: string,
  path: string,
  status: number,
  contentType: string,
  body: unknown,
): Promise<string | null> {
  const route = c.routes.filter((r) => r.pattern.test(path)).sort((a, b) => a.params - b.params)[0];
  if (!route) return 'the path is not documented';
  const operation = c.document.paths[route.template][method.toLowerCase()];
  if (!operation) return `${method} is not documented for ${route.template}`;
  const response =
    operation.responses?.[String(status)] ?? operation.responses?.[`${String(status)[0]}XX`] ?? operation.responses?.default;
  if (!response)
    return `status ${status} is not documented for ${method} ${route.template} (documented: ${Object.keys(operation.responses ?? {}).join(', ')})`;
  const schema = response.content?.['application/json']?.schema;
  if (!schema) return null;
  if (!/json/.test(contentType)) return `the document says JSON, the answer is ${contentType || 'without a body'}`;
  const key = `${method} ${route.template} ${status}`;
  let validate = c.compiled.get(key);
  if (!validate) {
    validate = c.ajv.compile(toJsonSchema(schema) as object);
    c.compiled.set(key, validate);
  }
  if (validate(body)) return null;
  return `the body does not match the documented schema: ${c.ajv.errorsText(validate.errors, { dataVar: 'body' })}\nbody: ${JSON.stringify(body).slice(0, 2000)}`;
}

/** Throws, naming method, path, status and the mismatch, when the served document does not describe the answer. */
export async function checkAnswer(
  baseUrl: string,
  method: string,
  url: string,
  status: number,
  contentType: string,
  body: unknown,
): Promise<void> {
  const path = url.split('?')[0];
  if (EXEMPT.some((e) => e.test(path))) return;
  let problem = await mismatch(await checker(baseUrl), method, path, status, contentType, body);
  // Another service may since have taken the port of a stopped one: read its document once more.
  if (problem) {
    const again = await checker(baseUrl, true).catch(() => null);
    if (again) problem = await mismatch(again, method, path, status, contentType, body);
  }
  if (problem)
    throw new Error(`OpenAPI: ${method} ${url} answered ${status}, which ${baseUrl}/docs-json does not describe: ${problem}`);
}
