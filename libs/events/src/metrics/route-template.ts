/** The bits of an Express 5 router that tell which route template a path belongs to. */
interface RouterLayer {
  route?: { path: string; _handlesMethod(method: string): boolean };
  match(path: string): boolean;
}
export interface RouterLike {
  stack: RouterLayer[];
}

/** The label of an answer that no route of ours matched (an unknown path). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Finds the route template (`/switches/:id`) of a request the router never reached, such as a body
 * the parser refused (400, 413): the label must be the template, never the raw path.
 */
export function routeTemplateOf(router: RouterLike, method: string, path: string): string {
  for (const layer of router.stack) {
    if (layer.route && layer.route._handlesMethod(method) && matches(layer, path)) return layer.route.path;
  }
  return UNMATCHED_ROUTE;
}

/** A layer's match decodes the path's parameters: a malformed escape (`%C0%AE`) throws, and matches nothing. */
function matches(layer: RouterLayer, path: string): boolean {
  try {
    return layer.match(path);
  } catch {
    return false;
  }
}
