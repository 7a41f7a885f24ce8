import Table from 'cli-table3';
import { ApiError, type ErrorBody } from './errors.js';

/** A table column: its header and how a row shows in it. */
export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

/** How a cell shows a value: lists comma-separated, nothing as `-`, objects as compact JSON. */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.length ? value.map(cell).join(', ') : '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// Borderless, as kubectl's: columns aligned by two spaces, no colours (the output is often piped).
const PLAIN = {
  chars: {
    top: '',
    'top-mid': '',
    'top-left': '',
    'top-right': '',
    bottom: '',
    'bottom-mid': '',
    'bottom-left': '',
    'bottom-right': '',
    left: '',
    'left-mid': '',
    mid: '',
    'mid-mid': '',
    right: '',
    'right-mid': '',
    middle: '  ',
  },
  style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
};

/** Rows as an aligned table with a header line; trailing blanks trimmed. */
export function table<T>(columns: Column<T>[], rows: T[]): string {
  const t = new Table({ ...PLAIN, head: columns.map((c) => c.header.toUpperCase()) });
  for (const row of rows) t.push(columns.map((c) => cell(c.value(row))));
  return trimLines(t.toString());
}

/** One object as `field  value` lines, aligned. */
export function details(pairs: Array<[string, unknown]>): string {
  const t = new Table(PLAIN);
  for (const [k, v] of pairs) t.push([k, cell(v)]);
  return trimLines(t.toString());
}

/** A titled block (a table under a heading), for views with several parts. */
export function section(title: string, body: string): string {
  return `${title}\n${body
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}`;
}

const trimLines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');

const STANDARD_FIELDS = new Set(['statusCode', 'error', 'message', 'code']);

/** An error answer as the operator reads it: status, machine code, message, and its extra fields. */
export function formatApiError(err: ApiError): string {
  const body = err.body;
  if (body === null || typeof body !== 'object') {
    return `error: ${err.service} answered ${err.status}${body ? `: ${String(body).slice(0, 500)}` : ''}`;
  }
  const b = body as ErrorBody;
  const message = Array.isArray(b.message) ? b.message.join('; ') : (b.message ?? b.error ?? '');
  const lines = [`error: ${err.status} ${b.code ?? b.error ?? 'ERROR'}: ${message}`];
  for (const [k, v] of Object.entries(b)) {
    if (!STANDARD_FIELDS.has(k)) lines.push(`  ${k}: ${cell(v)}`);
  }
  return lines.join('\n');
}
