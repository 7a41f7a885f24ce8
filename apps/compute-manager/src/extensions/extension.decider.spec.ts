import { ConflictError } from '@vnet/events';
import { deciderSpec } from '../../../../test/harness/decider-spec.js';
import { type ExtensionEvent, extensionDecider } from './extension.decider.js';

const spec = deciderSpec(extensionDecider);
const registered: ExtensionEvent = { type: 'ExtensionRegistered', data: { key: 'com.acme.mon', namespaces: ['com.acme.mon'] } };
const register = (namespaces: string[], owners: Record<string, string> = {}, key = 'com.acme.mon') =>
  ({ type: 'RegisterExtension', key, namespaces, owners }) as const;

describe('extension decider', () => {
  it('registers a new extension with its namespaces', () => {
    spec.given([]).when(register(['com.acme.mon', 'com.acme.mon'])).then([registered]);
  });

  it('adds only the namespaces a known extension does not have yet', () => {
    spec
      .given([registered])
      .when(register(['com.acme.mon', 'com.acme.v2'], { 'com.acme.mon': 'com.acme.mon' }))
      .then([{ type: 'ExtensionNamespacesAdded', data: { key: 'com.acme.mon', namespaces: ['com.acme.v2'] } }]);
    spec.given([registered]).when(register(['com.acme.mon'], { 'com.acme.mon': 'com.acme.mon' })).then([]);
  });

  it('refuses the whole registration when another extension owns a namespace', () => {
    spec.given([]).when(register(['org.free.ns', 'com.acme.mon'], { 'com.acme.mon': 'com.acme.mon' }, 'org.other')).thenThrows(ConflictError, /com.acme.mon/);
    try {
      extensionDecider.decide(register(['com.acme.mon'], { 'com.acme.mon': 'com.acme.mon' }, 'org.other'), extensionDecider.initialState());
    } catch (err) {
      expect(err).toMatchObject({ code: 'NAMESPACE_TAKEN', status: 409, details: { namespaces: ['com.acme.mon'] } });
    }
    expect.assertions(3);
  });
});
