import { plainToInstance, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateNested, validate } from 'class-validator';
import { MAX_BODY_DEPTH, nestsDeeperThan } from './json-body.middleware.js';
import { createValidationPipe, describeValidationErrors, hiddenProblems, IsOptionalField, type InvalidRequestException } from './validation.js';

const vlan = { message: 'vlanId must be an integer from 0 to 4094' };

class Policy {
  @IsOptional()
  @IsInt({ message: 'mtu must be an integer' })
  @Min(576, { message: 'mtu must be at least 576' })
  mtu?: number;
}

class Body {
  @IsString()
  @MaxLength(255)
  name!: string;

  @IsInt(vlan)
  @Min(0, vlan)
  @Max(4094, vlan)
  vlanId!: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => Policy)
  policy?: Policy;
}

const problems = async (input: object) =>
  describeValidationErrors(await validate(plainToInstance(Body, input), { whitelist: true, forbidNonWhitelisted: true }));

describe('describeValidationErrors: one line per offending field, the most relevant reason', () => {
  it('reports the wrong type rather than a length the value cannot have', async () => {
    expect(await problems({ name: 5, vlanId: 1 })).toEqual(['name must be a string']);
  });

  it('says a message shared by several constraints once', async () => {
    expect(await problems({ name: 'x', vlanId: '7' })).toEqual(['vlanId must be an integer from 0 to 4094']);
  });

  it('names every offending field, nested ones by their dotted path, and unknown ones', async () => {
    const lines = await problems({ name: 'x'.repeat(300), vlanId: 5000, policy: { mtu: 10 }, colour: 'red' });
    expect([...lines].sort()).toEqual([
      'name must be shorter than or equal to 255 characters',
      'policy.mtu must be at least 576',
      'property colour should not exist',
      'vlanId must be an integer from 0 to 4094',
    ]);
  });

  it('reports a missing field once', async () => {
    expect(await problems({ vlanId: 1 })).toEqual(['name must be a string']);
  });
});

describe('the global pipe: what the whitelist cannot see', () => {
  const pipe = createValidationPipe();
  const run = (body: unknown) => pipe.transform(body, { type: 'body', metatype: Body });
  const refusal = (body: unknown) =>
    run(body).then(
      () => null,
      (err: InvalidRequestException) => err.problems,
    );

  it('refuses keys that class-transformer never copies (inherited names, __proto__), at any depth', async () => {
    expect(await refusal(JSON.parse('{"name":"a","vlanId":1,"constructor":"x"}'))).toEqual([
      'property constructor should not exist',
    ]);
    expect(await refusal(JSON.parse('{"name":"a","vlanId":1,"valueOf":1}'))).toEqual(['property valueOf should not exist']);
    expect(await refusal(JSON.parse('{"name":"a","vlanId":1,"prototype":[]}'))).toEqual(['property prototype should not exist']);
    expect(await refusal(JSON.parse('{"__proto__":{"isAdmin":true},"name":"a","vlanId":1}'))).toEqual([
      'property __proto__ should not exist',
    ]);
    expect(await refusal(JSON.parse('{"name":"a","vlanId":1,"policy":{"mtu":600,"toString":"x"}}'))).toEqual([
      'property policy.toString should not exist',
    ]);
  });

  it('refuses text PostgreSQL cannot store (NUL, a lone surrogate) in string fields', async () => {
    expect(await refusal({ name: 'a\u0000b', vlanId: 1 })).toEqual([
      'name must be text without NUL characters or lone surrogates',
    ]);
    expect(await refusal({ name: '\udfff\ud800', vlanId: 1 })).toEqual([
      'name must be text without NUL characters or lone surrogates',
    ]);
  });

  it('lets a clean body through, unicode included', async () => {
    expect(await run({ name: 'Zürich 💥', vlanId: 1, policy: { mtu: 600 } })).toBeInstanceOf(Body);
    expect(hiddenProblems({ name: 'x' }, { name: 'x' })).toEqual([]);
  });
});

describe('nestsDeeperThan', () => {
  it('measures depth without recursion, even for 100,000 levels', () => {
    const deep = JSON.parse('['.repeat(100000) + ']'.repeat(100000)) as unknown;
    expect(nestsDeeperThan(deep, MAX_BODY_DEPTH)).toBe(true);
    expect(nestsDeeperThan({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [{ b: {} }] }, 3)).toBe(true);
    expect(nestsDeeperThan('text', 0)).toBe(false);
  });
});

class Patch {
  @IsOptionalField()
  @IsString({ message: 'name must be a string' })
  name?: string;

  @IsOptionalField()
  @IsInt({ message: 'mtu must be an integer' })
  mtu?: number;
}

describe('IsOptionalField: a field that may be left out, but not set to null', () => {
  const check = async (input: object) =>
    describeValidationErrors(await validate(plainToInstance(Patch, input), { whitelist: true, forbidNonWhitelisted: true }));

  it('accepts the field absent or valid', async () => {
    expect(await check({})).toEqual([]);
    expect(await check({ name: 'web', mtu: 9000 })).toEqual([]);
  });

  it("refuses null with the field's own reason, where IsOptional would let it through", async () => {
    expect(await check({ name: null })).toEqual(['name must be a string']);
    expect(await check({ name: 'web', mtu: null })).toEqual(['mtu must be an integer']);
  });
});
