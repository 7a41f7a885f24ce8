import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ERROR_BODY_SCHEMA, ERROR_SCHEMA, ERROR_SCHEMA_REF, type ErrorDocs, mergeErrorDocs } from './api-errors.decorator.js';

export const BEARER_SCHEME = 'bearer';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;
type Parameter = { name: string; in: string };
type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: unknown;
  $ref?: string;
  oneOf?: Schema[];
};

export interface DocumentOptions {
  title: string;
  /** True where POSTs honour `Idempotency-Key` (services with an event log). */
  idempotency: boolean;
}

const SUCCESS: Record<string, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted: the task of the host work',
  204: 'No Content',
};

const CORRELATION = {
  name: 'X-Correlation-Id',
  in: 'header',
  required: false,
  description: 'carried on every event, message and host outcome the request causes; generated when absent, always echoed',
  schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
};
const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'the same key and body within 24 h answers as the first request did and creates nothing new',
  schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,255}$' },
};

/** The service's OpenAPI document: one bearer scheme for every route but the public ones, one error schema. */
export function createServiceDocument(app: INestApplication, options: DocumentOptions): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(
      'vnet control plane service. Errors are CONTRACT §2 bodies (`ErrorBody`); every response echoes `X-Correlation-Id`.',
    )
    .setVersion('1')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addServer('/', 'this service')
    .addSecurity(BEARER_SCHEME, {
      type: 'http',
      scheme: 'bearer',
      description:
        '`Authorization: Bearer <token>`: `ADMIN_TOKEN` (acting as `admin`) or a named credential of `ADMIN_TOKENS_FILE` (role `admin`, or `viewer`: reads only)',
    })
    .addSecurityRequirements(BEARER_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  return completeDocument(document, options);
}

/** Adds what every route of a service shares by construction (the global guard, pipes, middleware). */
export function completeDocument(document: OpenAPIObject, options: DocumentOptions): OpenAPIObject {
  const components = (document.components ??= {});
  components.schemas = { ...components.schemas, [ERROR_SCHEMA]: ERROR_BODY_SCHEMA as never };
  components.headers = {
    ...components.headers,
    'X-Correlation-Id': { description: CORRELATION.description, schema: CORRELATION.schema },
  };
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) completeOperation(op, method, options);
    }
  }
  closeSchemas(document);
  return document;
}

function completeOperation(op: Operation, method: (typeof METHODS)[number], options: DocumentOptions): void {
  const params = (op.parameters ?? []) as Parameter[];
  const isPublic = Array.isArray(op.security) && op.security.length === 0;
  const invalid: string[] = [];
  const docs: ErrorDocs[] = [];
  // Every route reads a body sent to it (a route that takes none too): the parser's refusals apply to all.
  if (op.requestBody) invalid.push('VALIDATION_FAILED: an invalid, missing or unknown body field (`fields` names each)');
  invalid.push(
    'MALFORMED_JSON: a body that is not JSON',
    'VALIDATION_FAILED: a body nesting deeper than 512 levels, or a URL holding a NUL character (%00)',
  );
  if (params.some((p) => p.in === 'path')) invalid.push('BAD_REQUEST: a path parameter whose %-escapes do not decode');
  docs.push({
    413: 'PAYLOAD_TOO_LARGE: a body over the size limit (100 KiB)',
    415: 'UNSUPPORTED_MEDIA_TYPE: a body whose Content-Type is not application/json',
  });
  if (params.some((p) => p.in === 'query')) invalid.push('VALIDATION_FAILED: a bad query parameter (the message names it)');
  if (params.some((p) => p.in === 'header' && p.name === 'If-Match'))
    invalid.push('VALIDATION_FAILED: an If-Match that is not a revision');
  if (method === 'post' && options.idempotency) {
    params.push(IDEMPOTENCY_KEY);
    invalid.push('VALIDATION_FAILED: a malformed Idempotency-Key');
    docs.push({
      409: 'IDEMPOTENCY_KEY_IN_PROGRESS: a request with this Idempotency-Key is still running',
      422: 'IDEMPOTENCY_KEY_REUSED: this Idempotency-Key was used with another body',
    });
  }
  if (invalid.length > 0) docs.unshift({ 400: invalid.join('; ') });
  if (!isPublic) {
    docs.unshift({ 401: 'UNAUTHORIZED: no bearer token, or an unknown one' });
    if (method !== 'get') docs.push({ 403: 'FORBIDDEN: a viewer credential, which may only read (nothing is recorded)' });
    docs.push({ 503: 'DEPENDENCY_UNAVAILABLE: NATS or PostgreSQL (the host store) is unreachable' });
  }
  op.parameters = [...params, CORRELATION] as never;
  for (const [status, description] of Object.entries(mergeErrorDocs(...docs))) {
    const existing = op.responses[status] as { description: string } | undefined;
    op.responses[status] = existing
      ? { ...existing, description: `${existing.description}; ${description}` }
      : { description, content: { 'application/json': { schema: { $ref: ERROR_SCHEMA_REF } } } };
  }
  for (const [status, response] of Object.entries(op.responses) as Array<
    [string, { description?: string; headers?: Record<string, unknown> }]
  >) {
    if (!response.description) response.description = SUCCESS[status] ?? 'the answer';
    response.headers = { ...response.headers, 'X-Correlation-Id': { $ref: '#/components/headers/X-Correlation-Id' } };
  }
}

/**
 * Unknown fields are rejected (CONTRACT §2), so request bodies, and everything they nest, allow
 * no other property; the views the services answer are exact as well.
 */
function closeSchemas(document: OpenAPIObject): void {
  const close = (schema: Schema | undefined): void => {
    if (!schema || schema.$ref) return;
    if (schema.type === 'object' && schema.properties && schema.additionalProperties === undefined)
      schema.additionalProperties = false;
    for (const child of Object.values(schema.properties ?? {})) close(child);
    close(schema.items);
    for (const alt of schema.oneOf ?? []) close(alt);
  };
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {}))
    if (name !== ERROR_SCHEMA) close(schema as Schema);
}
