import { applyOutcome, newTask, type Task } from './task.js';
import { TaskWriteBack, type TaskRowUpdate } from './task-write-back.js';

type StoredRow = Omit<TaskRowUpdate, 'hosts'> & { hosts: Task['hosts'] };

/** What the UPDATE does: state and finish replaced, the hosts' entries merged (`hosts || delta`). */
function store(table: Map<string, StoredRow>, row: TaskRowUpdate): void {
  const before = table.get(row.id)?.hosts ?? {};
  table.set(row.id, { ...row, hosts: { ...before, ...(JSON.parse(row.hosts) as Task['hosts']) } });
}

function setup() {
  const running = new Map<string, Task>();
  const table = new Map<string, StoredRow>();
  let release: (() => void) | null = null;
  let hold = false;
  const writeBack = new TaskWriteBack(
    (id) => running.get(id),
    async (rows) => {
      if (hold) await new Promise<void>((r) => (release = r));
      for (const row of rows) store(table, row);
    },
    0,
  );
  const task = newTask('t1', 'switch.update', ['h1', 'h2'], { kind: 'switch', targetId: 's1', revision: 2 }, new Date(), 60000);
  running.set(task.id, task);
  const apply = (hostId: string) => {
    applyOutcome(task, { hostId, kind: 'switch', targetId: 's1', revision: 2, state: 'applied' }, new Date());
    if (task.state !== 'running') running.delete(task.id);
    writeBack.changed(task, hostId);
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
    expect(table.get('t1')!.hosts).toEqual({
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

  it("writes a running task's progress at most every interval, with only the hosts that changed", async () => {
    const running = new Map<string, Task>();
    const writes: TaskRowUpdate[][] = [];
    const table = new Map<string, StoredRow>();
    const writeBack = new TaskWriteBack(
      (id) => running.get(id),
      async (rows) => {
        writes.push(rows);
        for (const row of rows) store(table, row);
      },
      250,
    );
    const hostIds = Array.from({ length: 2000 }, (_, i) => `h${i}`);
    const task = newTask('t3', 'switch.update', hostIds, { kind: 'switch', targetId: 's1', revision: 5 }, new Date(), 60000);
    running.set(task.id, task);
    table.set(task.id, { id: task.id, state: task.state, hosts: structuredClone(task.hosts), finishedAt: null });
    const answer = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        applyOutcome(task, { hostId: `h${i}`, kind: 'switch', targetId: 's1', revision: 5, state: 'applied' }, new Date());
        writeBack.changed(task, `h${i}`);
      }
      if (task.state !== 'running') running.delete(task.id);
    };
    // Hosts answer over 400 ms, a flush every 50 ms.
    for (let t = 0; t < 8; t++) {
      answer(t * 250, (t + 1) * 250);
      await writeBack.flush(1000 + t * 50);
    }
    // The first progress at once, then at most one per 250 ms, and the final state at once.
    expect(writes.map((w) => w[0].state)).toEqual(['running', 'running', 'succeeded']);
    expect(writes.map((w) => Object.keys(JSON.parse(w[0].hosts) as object).length)).toEqual([250, 1250, 500]);
    expect(table.get('t3')!.state).toBe('succeeded');
    expect(Object.values(table.get('t3')!.hosts).every((h) => h.state === 'succeeded')).toBe(true);
    expect(writeBack.pending).toBe(false);
  });
});
