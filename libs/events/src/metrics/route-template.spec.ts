import { routeTemplateOf, UNMATCHED_ROUTE, type RouterLike } from './route-template.js';

const route = (path: string, method: string, matches: (p: string) => boolean) => ({
  route: { path, _handlesMethod: (m: string) => m === method },
  match: matches,
});

describe('routeTemplateOf', () => {
  const router: RouterLike = {
    stack: [
      { match: () => true }, // a middleware layer: no route, never a label
      route('/switches/:id', 'GET', (p) => /^\/switches\/[^/]+$/.test(p)),
      route('/switches/:id/port-groups', 'POST', (p) => /^\/switches\/[^/]+\/port-groups$/.test(p)),
    ],
  };

  it('names the template of the route a path and method belong to', () => {
    expect(routeTemplateOf(router, 'POST', '/switches/5b0e5d8c/port-groups')).toBe('/switches/:id/port-groups');
    expect(routeTemplateOf(router, 'GET', '/switches/abc')).toBe('/switches/:id');
  });

  it('answers one label for anything no route serves, never the path', () => {
    expect(routeTemplateOf(router, 'DELETE', '/switches/abc')).toBe(UNMATCHED_ROUTE);
    expect(routeTemplateOf(router, 'GET', '/no/such/route')).toBe(UNMATCHED_ROUTE);
  });

  it('matches nothing, and throws nothing, for a path whose escape does not decode', () => {
    const decoding: RouterLike = {
      stack: [
        route('/switches/:id', 'GET', (p) => {
          decodeURIComponent(p.split('/')[2]);
          return true;
        }),
      ],
    };
    expect(routeTemplateOf(decoding, 'GET', '/switches/%C0%AE')).toBe(UNMATCHED_ROUTE);
  });
});
