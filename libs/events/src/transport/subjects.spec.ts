import { consumerName, isValidSubject, subjectCovers } from './subjects.js';

describe('subjectCovers', () => {
  it.each([
    ['hosts.>', 'hosts.*.reported', true],
    ['hosts.>', 'hosts.>', true],
    ['hosts.>', 'hosts', false],
    ['hosts.*.reported', 'hosts.h1.reported', true],
    ['hosts.*.reported', 'hosts.*.reported', true],
    ['hosts.*', 'hosts.>', false],
    ['hosts.*', 'hosts.h1.reported', false],
    ['hosts.h1.reported', 'hosts.*.reported', false],
    ['>', 'anything.at.all', true],
  ])('%s covers %s: %s', (filter, subject, expected) => {
    expect(subjectCovers(filter, subject)).toBe(expected);
  });
});

describe('isValidSubject', () => {
  it.each([
    ['hosts.*.reported', true],
    ['hosts.>', true],
    ['hosts.>.x', false],
    ['hosts..x', false],
    ['hosts.a*', false],
    ['hosts x', false],
    ['', false],
  ])('%s: %s', (subject, expected) => {
    expect(isValidSubject(subject)).toBe(expected);
  });
});

describe('consumerName', () => {
  it('turns a pattern into a durable name without dots or wildcards', () => {
    expect(consumerName('compute-manager', 'hosts.*.reported')).toBe('compute-manager__hosts_ANY_reported');
    expect(consumerName('host-agent', 'switches.>')).toBe('host-agent__switches_ALL');
  });
});
