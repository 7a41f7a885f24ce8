import { applyOutcome, newTask, type Task } from './task.js';
import { TaskWriteBack, type TaskRowUpdate } from './task-write-back.js';

function setup() {
  const running = new Map<string, Task>();
  const table = new Map<string, TaskRowUpdate>();
  let release: (() => void) | null = null;
  let hold = false;
  const writeBack = new TaskWriteBack(
    (id) => running.get(id),
    async (rows) => {
      if (hold) await new Promise<void>((r) => (release = r));
      for (const row of rows) table.set(row.id, row);
    },
  );
  const task = newTask('t1', 'switch.update', ['h1', 'h2'], { kind: 'switch', targetId: 's1', revision: 2 }, new Date(), 60000);
  running.set(task.id, task);
  const apply = (hostId: string) => {
    applyOutcome(task, { hostId, kind: 'switch', targetId: 's1', revision: 2, state: 'applied' }, new Date());
    if (task.state !== 'running') running.delete(task.id);
    writeBack.changed(task);
  };
  return { writeBack, task, table, apply, holdWrites: (on: boolean) => (hold = on), release: () => release?.() };
}

describe('TaskWriteBack', () => {
  it('writes the final state of a task that finished while an earlier state was being written', async () => {
    const { writeBack, table, apply, holdWrites, release } = setup();
    apply('h1');
    holdWrites(true);
    const first = writeBack.flush();
    // The last host answers while the first write (h1 only) is under way.
    apply('h2');
    release();
    await first;
    expect(table.get('t1')?.state).toBe('running');
    // Until its final state is written, the finished task is served from memory.
    expect(writeBack.peek('t1')?.state).toBe('succeeded');
    holdWrites(false);
    await writeBack.flush();
    expect(table.get('t1')?.state).toBe('succeeded');
    expect(JSON.parse(table.get('t1')!.hosts)).toEqual({
      h1: { state: 'succeeded', detail: 'applied revision 2' },
      h2: { state: 'succeeded', detail: 'applied revision 2' },
    });
    expect(writeBack.peek('t1')).toBeUndefined();
  });

  it('keeps what a failed write carried for the next one', async () => {
    const running = new Map<string, Task>();
    let fail = true;
    const written: TaskRowUpdate[] = [];
    const writeBack = new TaskWriteBack(
      (id) => running.get(id),
      async (rows) => {
        if (fail) throw new Error('database away');
        written.push(...rows);
      },
    );
    const task = newTask('t2', 'k', ['h1'], { kind: 'ports', targetId: 'h1', revision: 1 }, new Date(), 60000);
    applyOutcome(task, { hostId: 'h1', kind: 'ports', targetId: 'h1', revision: 1, state: 'applied' }, new Date());
    writeBack.changed(task);
    await expect(writeBack.flush()).rejects.toThrow('database away');
    expect(writeBack.peek('t2')?.state).toBe('succeeded');
    fail = false;
    await writeBack.flush();
    expect(written.map((r) => [r.id, r.state])).toEqual([['t2', 'succeeded']]);
    expect(writeBack.pending).toBe(false);
  });
});
