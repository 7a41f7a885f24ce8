export interface TemplateStream {
  streamId: string;
  owned: string[];
}
export function cloneStreams(
  client: { query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>>; rowCount: number | null }> },
  schema: string,
  templates: TemplateStream[],
  copies: number,
  options?: { chunk?: number; first?: number },
): Promise<number>;
