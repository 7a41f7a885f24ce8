// CPU time spent by the stack's processes over an interval, from /proc (Linux): where a benchmark's time goes.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of a process (all its threads), in ms; 0 once it is gone. */
function processCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** A process and its children (PostgreSQL's backends): their pids now. */
function withChildren(pid) {
  const pids = [pid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) pids.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

/** Busy and total time of the whole machine, in ms (every core). */
function machineMs() {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0) * TICK_MS;
  const idle = (cpu[3] + cpu[4]) * TICK_MS;
  return { busy: total - idle, total, iowait: cpu[4] * TICK_MS };
}

/**
 * Measures the CPU time of named processes (and, with `children`, of their child processes) from
 * `start()` to `stop()`; `stop()` answers `{ name: ms, ..., machine: { busy, total, iowait } }`. A
 * child started in between counts from its start; one that exited in between is missed.
 */
export function cpuMeter(targets) {
  let before = null;
  // Per pid: a backend that exits between two samples must not count negative.
  const sample = () => {
    const out = {};
    for (const t of targets) {
      const pids = t.children ? withChildren(t.pid) : [t.pid];
      out[t.name] = new Map(pids.map((pid) => [pid, processCpuMs(pid)]));
    }
    out.machine = machineMs();
    return out;
  };
  return {
    start() {
      before = sample();
    },
    stop() {
      const after = sample();
      const out = {};
      for (const t of targets) {
        let ms = 0;
        for (const [pid, cpu] of after[t.name]) ms += cpu - (before[t.name].get(pid) ?? 0);
        out[t.name] = ms;
      }
      out.machine = {
        busy: after.machine.busy - before.machine.busy,
        total: after.machine.total - before.machine.total,
        iowait: after.machine.iowait - before.machine.iowait,
      };
      return out;
    },
  };
}

/** One line: each process's CPU ms, and the machine's busy share. */
export function formatCpu(used) {
  const { machine, ...procs } = used;
  const parts = Object.entries(procs).map(([name, ms]) => `${name} ${Math.round(ms)}`);
  return `CPU ms ${parts.join(', ')}; machine busy ${Math.round(machine.busy)} of ${Math.round(machine.total)} (iowait ${Math.round(machine.iowait)})`;
}
