/**
 * Stream ids are `<category>-<id>` (see AggregateStore.streamId) and a category holds no '-': the id
 * of the object, as the API returns it, is what follows the first '-'.
 */
export function objectIdOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(dash + 1);
}
