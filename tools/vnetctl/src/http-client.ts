import { ApiError, UnreachableError } from './errors.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, as JSON text (opaque values pass through unread, as the services keep them). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** The query string of a request: undefined values are left out. */
export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * The text each parsed answer came as: `--json` prints it as the service sent it, so that a value
 * JSON.parse would round (a 64-bit integer in opaque data) reaches a script unchanged.
 */
const answerText = new WeakMap<object, string>();
export const serverTextOf = (value: unknown): string | undefined =>
  value !== null && typeof value === 'object' ? answerText.get(value) : undefined;

/** One service's admin API: bearer token in, JSON out, an error status as an ApiError. */
export class ApiClient {
  constructor(
    readonly service: string,
    readonly baseUrl: string,
    private readonly token: string | null,
    private readonly timeoutMs = 30000,
    /** Sent as `Idempotency-Key` on every POST (the same key and body within 24 h creates nothing new). */
    private readonly idempotencyKey?: string,
  ) {}

  async request<T = unknown>(req: ApiRequest): Promise<ApiAnswer<T>> {
    const url = `${this.baseUrl}${req.path}${queryString(req.query)}`;
    const hasBody = req.rawBody !== undefined || req.body !== undefined;
    let res: Response;
    try {
      res = await fetch(url, {
        method: req.method,
        headers: {
          accept: 'application/json',
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(hasBody ? { 'content-type': 'application/json' } : {}),
          ...(this.idempotencyKey && req.method === 'POST' ? { 'idempotency-key': this.idempotencyKey } : {}),
          ...req.headers,
        },
        body: req.rawBody ?? (req.body === undefined ? undefined : JSON.stringify(req.body)),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new UnreachableError(this.service, this.baseUrl, reasonOf(err));
    }
    const text = await res.text();
    let body: unknown = text === '' ? null : text;
    try {
      if (text) body = JSON.parse(text);
    } catch {
      /* not JSON: keep the text */
    }
    if (body !== null && typeof body === 'object') answerText.set(body, text);
    if (res.status >= 400) throw new ApiError(res.status, body as ApiError['body'], this.service);
    return { status: res.status, body: body as T, headers: res.headers };
  }

  get<T = any>(path: string, query?: Query): Promise<T> {
    return this.request<T>({ method: 'GET', path, query }).then((a) => a.body);
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'no answer in time';
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code) return cause.code;
    if (cause?.message) return cause.message;
    return err.message;
  }
  return String(err);
}
