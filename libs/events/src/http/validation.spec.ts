import { plainToInstance, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateNested, validate } from 'class-validator';
import { describeValidationErrors } from './validation.js';

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
