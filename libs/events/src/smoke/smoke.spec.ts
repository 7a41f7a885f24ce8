import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';

@Injectable()
class A { hi() { return 'hi'; } }
@Injectable()
class B { constructor(readonly a: A) {} }
@Module({ providers: [A, B] })
class M {}

it('nest esm', async () => {
  const m = await Test.createTestingModule({ imports: [M] }).compile();
  expect(m.get(B).a.hi()).toBe('hi');
});
