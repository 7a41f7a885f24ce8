import { type api, eventually } from './stack.js';

/** A task once it has ended (any state but `running`), polled on the service that started it. */
export function taskEnd(client: ReturnType<typeof api>, id: string, timeoutMs = 20000): Promise<any> {
  return eventually(
    async () => {
      const t = (await client.get(`/tasks/${id}`)).body;
      return t.state !== 'running' ? t : null;
    },
    timeoutMs,
    `task ${id} to end`,
  );
}
