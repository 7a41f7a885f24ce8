import { ApiError } from './errors.js';
import { cell, details, formatApiError, table } from './format.js';

describe('output', () => {
  it('aligns a table under upper-case headers, without colours or trailing blanks', () => {
    const text = table(
      [
        { header: 'id', value: (r: { id: string; hosts: string[] }) => r.id },
        { header: 'hosts', value: (r) => r.hosts },
      ],
      [
        { id: 'a', hosts: ['host-1', 'host-2'] },
        { id: 'longer-id', hosts: [] },
      ],
    );
    expect(text.split('\n')).toEqual(['ID         HOSTS', 'a          host-1, host-2', 'longer-id  -']);
    expect(text).not.toMatch(/\u001b/);
  });

  it('shows one object as aligned fields', () => {
    expect(
      details([
        ['id', 'x'],
        ['revision', 3],
      ]).split('\n'),
    ).toEqual(['id        x', 'revision  3']);
  });

  it('shows nothing as a dash and objects as JSON', () => {
    expect(cell(null)).toBe('-');
    expect(cell('')).toBe('-');
    expect(cell({ a: 1 })).toBe('{"a":1}');
    expect(cell(0)).toBe('0');
    expect(cell(false)).toBe('false');
  });

  it("shows an error's status, code, message and extra fields", () => {
    const err = new ApiError(
      409,
      {
        statusCode: 409,
        error: 'Conflict',
        message: 'the target lacks networks',
        code: 'NETWORK_NOT_ON_TARGET',
        missing: ['n1', 'n2'],
      },
      'compute-manager',
    );
    expect(formatApiError(err)).toBe('error: 409 NETWORK_NOT_ON_TARGET: the target lacks networks\n  missing: n1, n2');
    expect(formatApiError(new ApiError(502, 'Bad gateway', 'host-agent'))).toBe('error: host-agent answered 502: Bad gateway');
    expect(formatApiError(new ApiError(400, { statusCode: 400, message: ['a', 'b'] }, 'x'))).toBe('error: 400 ERROR: a; b');
  });
});
