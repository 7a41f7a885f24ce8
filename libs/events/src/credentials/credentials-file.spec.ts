import { CredentialsFileError, parseCredentialsFile } from './credentials-file.js';

const FILE = '/etc/vnet/tokens.json';
const parse = (value: unknown) => parseCredentialsFile(FILE, typeof value === 'string' ? value : JSON.stringify(value));
const failure = (value: unknown): CredentialsFileError => {
  try {
    parse(value);
  } catch (err) {
    if (err instanceof CredentialsFileError) return err;
    throw err;
  }
  throw new Error('parsed');
};

describe('parseCredentialsFile', () => {
  it('reads named credentials with their roles', () => {
    expect(
      parse([
        { name: 'alice', token: 'alice-token-1', role: 'admin' },
        { name: 'ops.bob@example', token: 'bob-token-22', role: 'viewer' },
      ]),
    ).toEqual([
      { name: 'alice', token: 'alice-token-1', role: 'admin' },
      { name: 'ops.bob@example', token: 'bob-token-22', role: 'viewer' },
    ]);
    expect(parse([])).toEqual([]);
  });

  it('names the file when it is not a JSON array', () => {
    expect(failure('{not json').message).toMatch(/^ADMIN_TOKENS_FILE \/etc\/vnet\/tokens\.json: not JSON/);
    const notArray = failure({ name: 'alice', token: 'alice-token-1', role: 'admin' });
    expect(notArray.message).toBe('ADMIN_TOKENS_FILE /etc/vnet/tokens.json: must be a JSON array of {name, token, role}');
    expect(notArray.entry).toBeUndefined();
  });

  it.each([
    [['alice'], 'must be an object {name, token, role}'],
    [[{ name: 'alice', token: 'alice-token-1', role: 'owner' }], '"alice": role must be "admin" or "viewer"'],
    [[{ name: 'alice', token: 'short', role: 'admin' }], '"alice": token must be 8-512 printable characters without spaces'],
    [
      [{ name: 'alice', token: 'has a space', role: 'admin' }],
      '"alice": token must be 8-512 printable characters without spaces',
    ],
    [[{ name: 'alice', role: 'admin' }], '"alice": token must be 8-512 printable characters without spaces'],
    [
      [{ name: 'al ice', token: 'alice-token-1', role: 'admin' }],
      '"al ice": name must be 1-64 characters of A-Z a-z 0-9 . _ @ -',
    ],
    [[{ token: 'alice-token-1', role: 'admin' }], 'name must be 1-64 characters of A-Z a-z 0-9 . _ @ -'],
    [[{ name: 'alice', token: 'alice-token-1', role: 'admin', expires: 'never' }], '"alice": unknown field expires'],
    [[{ name: 'system', token: 'system-token', role: 'admin' }], '"system": name "system" is reserved'],
    [[{ name: 'admin', token: 'admin-token-1', role: 'admin' }], '"admin": name "admin" is reserved'],
  ])('refuses entry 0 of %j: %s', (value, problem) => {
    const err = failure(value);
    expect(err.entry).toBe(0);
    expect(err.problem).toBe(problem);
    expect(err.message).toBe(`ADMIN_TOKENS_FILE ${FILE}: entry 0: ${problem}`);
  });

  it('refuses a name or a token used twice, naming both entries', () => {
    const alice = { name: 'alice', token: 'alice-token-1', role: 'admin' };
    const twice = failure([alice, { name: 'bob', token: 'bob-token-22', role: 'viewer' }, { ...alice, token: 'another-token' }]);
    expect(twice.message).toBe(`ADMIN_TOKENS_FILE ${FILE}: entry 2: name "alice" is also entry 0's`);
    const shared = failure([alice, { name: 'bob', token: 'alice-token-1', role: 'viewer' }]);
    expect(shared.entry).toBe(1);
    expect(shared.problem).toBe('"bob" has the same token as entry 0');
  });
});
