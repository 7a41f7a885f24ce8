// Hostile HTTP requests generated from a service's own OpenAPI document, with fast-check.
//
// Every operation of the document gets the same share of the requests. Each request is one of a
// fixed set of kinds (below); all but one are invalid by construction, so they must be refused
// with a 4xx and record nothing. The exception, `odd-values`, sends a body that matches the
// document but is full of unusual values (unicode, NUL, boundary numbers, the longest allowed
// strings): it may be accepted, and whatever it records is accounted for by its correlation id.
//
// The generator is pure: the same document, seed and count give the same requests.

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
// Bodies the services must refuse as too large (413): their JSON limit is 100 KiB.
const OVERSIZED_BYTES = [200 * 1024, 1024 * 1024 + 1];

/** Operations of a document: method, path template, parameters and the body schema (resolved). */
export function operationsOf(doc) {
  const ops = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = (op.parameters ?? []).filter((p) => !(p.in === 'header' && p.name === 'X-Correlation-Id'));
      const body = op.requestBody?.content?.['application/json']?.schema;
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      ops.push({
        method: method.toUpperCase(),
        path,
        params,
        body: body ? resolve(doc, body) : null,
        isPublic,
        responses: op.responses ?? {},
      });
    }
  }
  return ops;
}

/** Follows `$ref` (and one-element `allOf`, as Nest writes a described reference). */
function resolve(doc, schema, depth = 0) {
  if (!schema || depth > 20) return schema ?? {};
  if (schema.$ref) {
    const target = schema.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((node, key) => node?.[key], doc);
    return resolve(doc, { ...target, ...withoutKeys(schema, ['$ref']) }, depth + 1);
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1) {
    return resolve(doc, { ...withoutKeys(schema, ['allOf']), ...resolve(doc, schema.allOf[0], depth + 1) }, depth + 1);
  }
  const out = { ...schema };
  if (schema.properties)
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, resolve(doc, v, depth + 1)]));
  if (schema.items) out.items = resolve(doc, schema.items, depth + 1);
  for (const key of ['anyOf', 'oneOf']) if (schema[key]) out[key] = schema[key].map((s) => resolve(doc, s, depth + 1));
  return out;
}

function withoutKeys(obj, keys) {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k)));
}

// ---------------------------------------------------------------------------------------------
// Values

/** Strings that have broken parsers, databases and subjects elsewhere. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202egnp.exe',
  '\ufeff',
  'ʻʻʻ',
  '💥🔥🧨'.repeat(20),
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
  '../../../../etc/passwd',
  "' OR 1=1 --",
  '"; DROP TABLE events; --',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e400',
  'a.b.*.>',
  'hosts.>',
  '\r\nX-Injected: 1',
  '%00',
  '%',
  '\\',
];

const NASTY_NUMBERS = [
  0,
  -0,
  -1,
  1.5,
  -1.5,
  4095,
  4094.0001,
  2 ** 31,
  -(2 ** 31),
  2 ** 53,
  2 ** 53 + 2,
  1e21,
  1e308,
  -1e308,
  5e-324,
  Number.MAX_SAFE_INTEGER,
];

/** A raw JSON text for a number no double holds (it parses to Infinity or loses its digits). */
const RAW_NUMBERS = ['1e400', '-1e400', '123456789012345678901234567890', '0.0000000000000000000000000000001', '-0.0', '1E+2'];

function nastyString(fc) {
  return fc.oneof(
    fc.constantFrom(...NASTY_STRINGS),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.integer({ min: 256, max: 5000 }).map((n) => 'x'.repeat(n)),
    fc.integer({ min: 1, max: 300 }).map((n) => '\u{1F4A5}'.repeat(n)),
  );
}

/** Any JSON value of another kind than `type` (`undefined` for "any kind"). */
function valueOfAnotherType(fc, type) {
  const kinds = {
    string: nastyString(fc),
    // For an integer field only the fractions are of another type: an integer out of range is drawn
    // from the schema's bounds below, and one in range (0, -0 written as 0) is valid.
    number: fc.constantFrom(...(type === 'integer' ? NASTY_NUMBERS.filter((n) => !Number.isInteger(n)) : NASTY_NUMBERS)),
    integer: fc.constantFrom(1.5, -0.25, 1e308),
    boolean: fc.boolean(),
    null: fc.constant(null),
    array: fc.array(fc.oneof(fc.integer(), nastyString(fc)), { maxLength: 4 }),
    object: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), nastyString(fc)), { maxKeys: 3 }),
  };
  const wrong = Object.entries(kinds)
    .filter(([k]) => k !== type && !(type === 'number' && k === 'integer') && !(type === 'integer' && k === 'integer'))
    .map(([, arb]) => arb);
  return fc.oneof(...wrong);
}

/** A value the schema accepts; `odd` prefers unusual ones (unicode, NUL, boundaries). */
function validValue(fc, schema, odd, depth = 0) {
  if (!schema || depth > 6) return fc.constant(null);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf || schema.oneOf)
    return fc.oneof(...(schema.anyOf ?? schema.oneOf).map((s) => validValue(fc, s, odd, depth + 1)));
  switch (schema.type) {
    case 'string': {
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.format === 'date-time')
        return fc
          .date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString());
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => fits(schema, s));
      const min = schema.minLength ?? 0;
      const max = Math.min(schema.maxLength ?? 64, 300);
      if (!odd) return fc.string({ minLength: Math.max(min, 1), maxLength: Math.max(max, 1) });
      return fc
        .oneof(
          fc.string({ unit: 'binary', minLength: Math.max(min, 1), maxLength: Math.min(max, 40) }),
          fc.string({ unit: 'grapheme', minLength: Math.max(min, 1), maxLength: Math.min(max, 40) }),
          fc.constantFrom(...NASTY_STRINGS.filter((s) => s.length >= min && s.length <= max), 'é'.repeat(Math.max(min, 1))),
          fc.constant('\u00e9'.repeat(Math.max(min, Math.min(schema.maxLength ?? 255, 300)))),
        )
        .filter((s) => fits(schema, s));
    }
    case 'integer': {
      const min = schema.minimum ?? -(2 ** 31);
      const max = schema.maximum ?? 2 ** 31;
      return odd ? fc.oneof(fc.constantFrom(min, max), fc.integer({ min, max })) : fc.integer({ min, max });
    }
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const max = Math.min(schema.maxItems ?? 3, 3);
      return fc.array(validValue(fc, schema.items ?? {}, odd, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(max, schema.minItems ?? 0),
      });
    }
    case 'object':
    default: {
      const props = Object.entries(schema.properties ?? {});
      if (props.length === 0)
        return schema.type === 'object' ? fc.constant({}) : fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.boolean());
      const required = new Set(schema.required ?? []);
      return fc.record(Object.fromEntries(props.map(([k, v]) => [k, validValue(fc, v, odd, depth + 1)])), {
        requiredKeys: props.map(([k]) => k).filter((k) => required.has(k)),
      });
    }
  }
}

function fits(schema, s) {
  const len = [...s].length;
  return len >= (schema.minLength ?? 0) && len <= (schema.maxLength ?? Infinity);
}

/** A value the property's schema refuses, or null when the schema accepts anything. */
function invalidValue(fc, schema) {
  const options = [];
  if (schema.type && !schema.anyOf && !schema.oneOf) options.push(valueOfAnotherType(fc, schema.type));
  if (schema.enum) options.push(nastyString(fc).filter((s) => !schema.enum.includes(s)));
  if (schema.type === 'integer' || schema.type === 'number') {
    const out = [];
    if (schema.minimum !== undefined) out.push(schema.minimum - 1, -1e308);
    if (schema.maximum !== undefined) out.push(schema.maximum + 1, 1e308);
    if (out.length) options.push(fc.constantFrom(...out));
  }
  if (schema.type === 'string') {
    if (schema.maxLength !== undefined)
      options.push(fc.constantFrom('y'.repeat(schema.maxLength + 1), '\u{1F4A5}'.repeat(schema.maxLength + 1)));
    if (schema.minLength) options.push(fc.constant(''));
    if (schema.pattern || schema.format === 'uuid' || schema.format === 'date-time') {
      const re = schema.pattern ? new RegExp(schema.pattern) : null;
      options.push(
        nastyString(fc).filter((s) => (re ? !re.test(s) : true) && !/^[0-9a-f-]{36}$/i.test(s) && Number.isNaN(Date.parse(s))),
      );
    }
  }
  if (schema.type === 'array') {
    if (schema.maxItems !== undefined && schema.maxItems <= 20000)
      options.push(fc.constant(Array.from({ length: schema.maxItems + 1 }, (_, i) => `h${i}`)));
    if (schema.items?.type)
      options.push(fc.tuple(invalidValue(fc, schema.items) ?? fc.constant(null)).filter((t) => t[0] !== null));
  }
  return options.length ? fc.oneof(...options) : null;
}

// ---------------------------------------------------------------------------------------------
// Path, query and headers

const HOSTILE_SEGMENTS = [
  '..',
  '%2e%2e',
  '%2F',
  '%00',
  '%ZZ',
  '%E0%A4%A',
  '%C0%AE',
  'null',
  '-1',
  '0',
  '1e400',
  '00000000-0000-0000-0000-000000000000',
  '{id}',
  ':id',
  '*',
  'x'.repeat(3000),
  encodeURIComponent('💥'.repeat(30)),
  encodeURIComponent("' OR 1=1 --"),
  encodeURIComponent('a.b.>'),
  encodeURIComponent('host 1'),
  encodeURIComponent('\u0000'),
];

/** A path parameter: a real id (from `known`), an unknown UUID, or something that is no id at all. */
function pathValue(fc, param, known, allowKnown) {
  const real = allowKnown ? (known[param.name] ?? []) : [];
  const options = [
    fc.uuid().map((u) => ({ text: u, hostile: false })),
    fc.constantFrom(...HOSTILE_SEGMENTS).map((s) => ({ text: s, hostile: true, raw: true })),
    nastyString(fc)
      .filter((s) => s.length > 0)
      .map((s) => ({ text: s, hostile: true })),
  ];
  if (param.schema?.enum) options.push(fc.constantFrom(...param.schema.enum).map((s) => ({ text: s, hostile: false })));
  if (param.schema?.pattern)
    options.push(fc.stringMatching(new RegExp(param.schema.pattern)).map((s) => ({ text: s, hostile: false })));
  if (real.length) options.push(fc.constantFrom(...real).map((s) => ({ text: s, hostile: false, real: true })));
  return fc.oneof(...options);
}

function encodeSegment(v) {
  if (v.raw) return v.text;
  // Lone surrogates cannot be percent-encoded as UTF-8: send them as their replacement.
  return encodeURIComponent(v.text.toWellFormed());
}

const HOSTILE_QUERY = [
  '-1',
  '0',
  '1001',
  '1e400',
  '99999999999999999999',
  '1.5',
  'abc',
  '',
  'null',
  '2026-13-45T25:61:00Z',
  'yesterday',
  '%ZZ',
  '💥',
  'x'.repeat(2000),
  'true',
  '[1]',
];

function hostileQuery(fc, params) {
  const names = params.filter((p) => p.in === 'query').map((p) => p.name);
  const name = names.length ? fc.constantFrom(...names) : fc.constantFrom('limit', 'after', 'asOf', 'x');
  return fc
    .array(
      fc.tuple(
        fc.oneof(
          name,
          name.map((n) => `${n}[]`),
          name.map((n) => `${n}[$gt]`),
          fc.constant('__proto__[x]'),
        ),
        fc.oneof(fc.constantFrom(...HOSTILE_QUERY), nastyString(fc)),
        fc.boolean(),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((pairs) =>
      pairs
        .map(
          ([k, v, raw]) =>
            `${encodeURIComponent(k)}=${raw && !/[\s#]/.test(v) ? v.replace(/[&#\s]/g, '') : encodeURIComponent(v.toWellFormed())}`,
        )
        .join('&'),
    );
}

const BAD_IF_MATCH = ['abc', '-1', '"1', '1.5', '*', 'W/', '1e400', '9'.repeat(40), ' ', '"1","2"'];
const BAD_IDEMPOTENCY_KEYS = ['', ' ', 'has space', 'x'.repeat(300), 'ä', 'key/with/slash', '💥'];
const BAD_AUTH = [
  null,
  '',
  'Bearer',
  'Bearer ',
  'Bearer wrong-token',
  'Basic YWRtaW46YWRtaW4=',
  'bearer',
  'Bearer \u00ff\u00fe',
  'Token e2e',
];

/** Header values as Node may send them (latin-1, no control characters). */
function headerSafe(s) {
  return [...s].map((c) => (c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) <= 0xff && c !== '\u007f' ? c : '')).join('');
}

// ---------------------------------------------------------------------------------------------
// Bodies

/** JSON text of `value` where keys may be `__proto__` (JSON.stringify of such an object loses them). */
function withKey(text, key, valueText) {
  const inner = text.trim().replace(/^\{/, '').replace(/\}$/, '').trim();
  return `{${JSON.stringify(key)}:${valueText}${inner ? `,${inner}` : ''}}`;
}

// Texts that are not JSON (or, the last ones, JSON whose strings hold what a database or a
// subject may choke on: those may be accepted, and are accounted for).
const MALFORMED = [
  (t) => t.slice(0, Math.max(1, Math.floor(t.length / 2))),
  (t) => `${t}}`,
  (t) => `${t},`,
  (t) => t.replace(/"/g, "'"),
  (t) => `${t} trailing`,
  () => '{"a":}',
  () => '{',
  () => '[',
  () => 'NaN',
  () => 'undefined',
  () => "{'name':'x'}",
  () => '{"name": "x" /* comment */}',
  () => '{"name": "\\x41"}',
  () => '{"name": 01}',
  () => '\u0000',
];
const ODD_JSON = [(t) => `\ufeff${t}`, () => '{"name": "\\ud800"}', () => '{"name": "\\u0000"}', () => '{"a":1,"a":2}'];

function without(obj, key) {
  const copy = { ...obj };
  delete copy[key];
  return copy;
}

/** A JSON text nested `depth` levels deep. */
const nested = (depth, open, close, leaf = '1') => open.repeat(depth) + leaf + close.repeat(depth);

/** How often each kind is drawn, relative to the others (the big bodies are rarer: they are slow to send). */
const WEIGHT = { oversized: 1, 'deep-nesting': 1, headers: 2, method: 1, query: 2, 'path-id': 2, 'odd-values': 2 };
const weighted = (kind, arbitrary) => ({ arbitrary, weight: WEIGHT[kind] ?? 3 });

function bodyKinds(fc, op) {
  const schema = op.body;
  const props = Object.entries(schema?.properties ?? {});
  const required = schema?.required ?? [];
  const base = schema ? validValue(fc, schema, false) : fc.constant({});
  const kinds = [];
  if (schema) {
    const typed = props.filter(([, s]) => invalidValue(fc, s) !== null);
    if (typed.length) {
      kinds.push([
        'wrong-value',
        fc
          .tuple(base, fc.constantFrom(...typed))
          .chain(([b, [k, s]]) => invalidValue(fc, s).map((v) => ({ text: JSON.stringify({ ...b, [k]: v }), field: k }))),
      ]);
    }
    if (required.length) {
      kinds.push([
        'missing-field',
        fc.tuple(base, fc.constantFrom(...required)).map(([b, k]) => {
          const copy = { ...b };
          delete copy[k];
          return { text: JSON.stringify(copy), field: k };
        }),
      ]);
    }
    const names = new Set(props.map(([k]) => k));
    kinds.push([
      'extra-field',
      fc
        .tuple(
          base,
          fc
            .oneof(
              fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'revision', 'owner', 'isAdmin', '$where', ''),
              fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
            )
            .filter((k) => !names.has(k)),
          fc.oneof(fc.jsonValue({ maxDepth: 2 }), nastyString(fc)),
        )
        .map(([b, k, v]) => ({ text: withKey(JSON.stringify(b), k, JSON.stringify(v) ?? 'null'), field: k })),
    ]);
    kinds.push([
      'not-an-object',
      fc
        .oneof(
          fc.constantFrom('[]', '""', '0', 'null', 'true', '"{}"', '[{}]'),
          base.map((b) => JSON.stringify([b])),
        )
        .map((text) => ({ text })),
    ]);
    // A property that takes any JSON (an opaque value) takes these numbers too: left out.
    const numberKeys = props.filter(([, s]) => s.type || s.enum).map(([k]) => k);
    kinds.push([
      'raw-number',
      fc
        .tuple(base, fc.constantFrom(...(numberKeys.length ? numberKeys : ['__not_a_field__'])), fc.constantFrom(...RAW_NUMBERS))
        .map(([b, k, n]) => {
          const copy = { ...b };
          delete copy[k];
          return {
            text: withKey(JSON.stringify(copy), k, n),
            field: k,
            invalid: isValidRaw(schema.properties?.[k], n) ? 'maybe' : true,
          };
        }),
    ]);
  }
  kinds.push([
    'malformed-json',
    fc.oneof(
      fc.tuple(base, fc.constantFrom(...MALFORMED)).map(([b, f]) => ({ text: f(JSON.stringify(b)) })),
      fc.tuple(base, fc.constantFrom(...ODD_JSON)).map(([b, f]) => ({ text: f(JSON.stringify(b)), invalid: 'maybe' })),
    ),
  ]);
  kinds.push([
    'deep-nesting',
    fc
      .tuple(
        base,
        fc.constantFrom(...(props.length ? props.map(([k]) => k) : ['x'])),
        fc.constantFrom(1000, 5000, 20000),
        fc.boolean(),
      )
      .map(([b, k, depth, arr]) => ({
        text: withKey(JSON.stringify(without(b, k)), k, arr ? nested(depth, '[', ']') : nested(depth, '{"a":', '}')),
        field: k,
      })),
  ]);
  kinds.push([
    'oversized',
    fc.tuple(base, fc.constantFrom(...OVERSIZED_BYTES)).map(([b, n]) => ({
      text: withKey(JSON.stringify(b), props[0]?.[0] ?? 'x', JSON.stringify('z'.repeat(n))),
      oversized: true,
    })),
  ]);
  kinds.push([
    'content-type',
    fc
      .tuple(
        base,
        fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
          'application/jsonx',
          'application/json-patch+json',
          'application/merge-patch+json',
          'json',
          '*/*',
          'application/json; charset=utf-16',
          'application/json; charset=latin1',
          '',
        ),
      )
      .map(([b, type]) => ({
        text: type === 'application/x-www-form-urlencoded' ? new URLSearchParams(flat(b)).toString() : JSON.stringify(b),
        contentType: type,
      })),
  ]);
  return kinds;
}

/** Whether a raw JSON number text still satisfies an integer/number schema once parsed. */
function isValidRaw(schema, text) {
  if (!schema || (schema.type !== 'integer' && schema.type !== 'number')) return false;
  const n = Number(text);
  if (!Number.isFinite(n)) return false;
  if (schema.type === 'integer' && !Number.isInteger(n)) return false;
  return n >= (schema.minimum ?? -Infinity) && n <= (schema.maximum ?? Infinity);
}

function flat(obj) {
  return Object.fromEntries(
    Object.entries(obj ?? {}).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]),
  );
}

// ---------------------------------------------------------------------------------------------
// Requests

/**
 * One request arbitrary for an operation. `known` maps path parameter names to ids that exist.
 * `valid` is false when the request is invalid by construction (it must get a 4xx), 'maybe' when
 * it may be accepted.
 */
function requestArbitrary(fc, op, known, options) {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const isWrite = op.method !== 'GET';
  const hasBody = op.body !== null;
  const variants = [];

  // Path params that may be real: only when the body is invalid, or the call only reads.
  const path = (allowKnown) =>
    fc.tuple(...pathParams.map((p) => pathValue(fc, p, known, allowKnown))).map((values) => ({
      path: pathParams.reduce((acc, p, i) => acc.replace(`{${p.name}}`, encodeSegment(values[i])), op.path),
      hostilePath: values.some((v) => v.hostile),
      realPath: values.every((v) => v.real),
    }));

  for (const [kind, body] of hasBody || isWrite ? bodyKinds(fc, op) : []) {
    variants.push(
      weighted(
        kind,
        // A bodiless write runs on unknown ids only: it would otherwise delete the fixtures.
        fc.tuple(path(hasBody), body).map(([p, b]) => ({
          kind,
          method: op.method,
          path: p.path,
          body: b.text,
          contentType: b.contentType ?? 'application/json',
          field: b.field,
          // A bodiless write (DELETE, POST /admin/rebuild) may ignore a body it does not read.
          valid: hasBody ? (b.invalid ?? false) : 'maybe',
        })),
      ),
    );
  }

  // Hostile path ids, valid-shaped body: a 404 or a 400 naming the parameter.
  if (pathParams.length) {
    variants.push(
      weighted(
        'path-id',
        fc.tuple(path(false), hasBody ? validValue(fc, op.body, false) : fc.constant(undefined)).map(([p, b]) => ({
          kind: 'path-id',
          method: op.method,
          path: p.path,
          body: b === undefined ? undefined : JSON.stringify(b),
          contentType: 'application/json',
          // An unknown UUID with a valid body on a route that creates under it (PUT opaque-data on a
          // host) may be accepted; anything else hostile must not be.
          valid: !isWrite || !p.hostilePath ? 'maybe' : false,
        })),
      ),
    );
  }

  // Hostile query strings. A write gets an unknown id or an invalid body as well, so that a query
  // it does not read cannot let it through.
  variants.push(
    weighted(
      'query',
      fc.tuple(path(!isWrite), hostileQuery(fc, op.params)).map(([p, q]) => ({
        kind: 'query',
        method: op.method,
        path: `${p.path}?${q}`,
        body: hasBody ? '{"__not_a_field__":1}' : undefined,
        contentType: 'application/json',
        valid: isWrite ? (hasBody ? false : 'maybe') : 'maybe',
      })),
    ),
  );

  // Hostile headers, on an invalid body so that nothing may be accepted.
  const headerKinds = [];
  if (op.params.some((p) => p.name === 'If-Match'))
    headerKinds.push(fc.constantFrom(...BAD_IF_MATCH).map((v) => ({ 'if-match': v })));
  if (op.params.some((p) => p.name === 'Idempotency-Key'))
    headerKinds.push(fc.constantFrom(...BAD_IDEMPOTENCY_KEYS).map((v) => ({ 'idempotency-key': v })));
  if (op.params.some((p) => p.name === 'X-Extension-Key'))
    headerKinds.push(nastyString(fc).map((v) => ({ 'x-extension-key': headerSafe(v) })));
  headerKinds.push(nastyString(fc).map((v) => ({ 'x-correlation-id': headerSafe(v) || 'x y' })));
  if (!op.isPublic) headerKinds.push(fc.constantFrom(...BAD_AUTH).map((v) => ({ authorization: v })));
  variants.push(
    weighted(
      'headers',
      fc.tuple(path(hasBody || !isWrite), fc.oneof(...headerKinds), fc.boolean()).map(([p, h, badBody]) => {
        const authOnly = 'authorization' in h;
        const sendBody = hasBody || badBody;
        return {
          kind: 'headers',
          method: op.method,
          path: p.path,
          body: sendBody ? (hasBody ? '{"__not_a_field__":1}' : '{"x":1}') : undefined,
          contentType: 'application/json',
          headers: h,
          // A bad token is refused before anything else; otherwise the body is invalid too, except
          // for bodiless routes, which a bad correlation id alone does not stop.
          valid: authOnly ? false : hasBody ? false : isWrite ? 'maybe' : 'maybe',
          ...(authOnly && h.authorization === null ? { noAuth: true } : {}),
        };
      }),
    ),
  );

  // Another method on the same path: 404 (no such route) or 405.
  const other = METHODS.map((m) => m.toUpperCase()).filter((m) => !options.methodsOf(op.path).includes(m));
  if (other.length) {
    variants.push(
      weighted(
        'method',
        fc.tuple(path(true), fc.constantFrom(...other)).map(([p, m]) => ({
          kind: 'method',
          method: m,
          path: p.path,
          body: m === 'GET' || m === 'DELETE' ? undefined : '{}',
          contentType: 'application/json',
          valid: false,
        })),
      ),
    );
  }

  // A body the document accepts, full of odd values: may be accepted, is accounted for.
  if (hasBody && options.oddValues) {
    variants.push(
      weighted(
        'odd-values',
        fc.tuple(path(true), validValue(fc, op.body, true)).map(([p, b]) => ({
          kind: 'odd-values',
          method: op.method,
          path: p.path,
          body: JSON.stringify(b),
          contentType: 'application/json',
          valid: 'maybe',
        })),
      ),
    );
  }
  return fc.oneof(...variants);
}

/**
 * `count` hostile requests for the document, spread evenly over its operations, reproducible from
 * `seed`. `known` maps path parameter names to ids that exist; `oddValues` (default true) allows
 * the accountable `odd-values` kind; `skip(op)` leaves operations out (such as `/health`).
 */
export function hostileRequests(fc, doc, { seed, count, known = {}, oddValues = true, skip = () => false }) {
  const ops = operationsOf(doc).filter((op) => !skip(op));
  const methodsOf = (path) => ops.filter((o) => o.path === path).map((o) => o.method);
  const out = [];
  ops.forEach((op, index) => {
    const n = Math.floor(count / ops.length) + (index < count % ops.length ? 1 : 0);
    if (n === 0) return;
    const odd = typeof oddValues === 'function' ? oddValues(op) : oddValues;
    const arb = requestArbitrary(fc, op, known, { methodsOf, oddValues: odd });
    for (const req of fc.sample(arb, { seed: (seed + index * 7919) | 0, numRuns: n }))
      out.push({ ...req, operation: `${op.method} ${op.path}` });
  });
  return out;
}
