// Process bookkeeping for the `npm start` supervisor: stopping children (and their process groups),
// and finding the children of a supervisor that died without stopping them.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The kernel's start time of `pid` (clock ticks since boot), or null when it does not exist. A pid
 * together with its start time names one process: a pid recycled by another process does not match.
 */
export function startTimeOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** True while the process recorded as {pid, start} is still the same running process. */
export function isSameProcess({ pid, start }) {
  const now = startTimeOf(pid);
  if (now === null) return false;
  if (start == null) return true;
  if (now !== start) return false;
  try {
    // A zombie has exited: it only waits for its parent to collect it.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function signal(pid, sig, group) {
  try {
    process.kill(group ? -pid : pid, sig);
    return true;
  } catch {
    return false;
  }
}

const exited = (child) => child.exitCode !== null || child.signalCode !== null;

/**
 * Stops a child we spawned: `sig` to it (or to its whole process group), SIGKILL after `graceMs`,
 * and finally (`sweep`) SIGKILL to its process group for anything it left behind. `group` and `sweep`
 * are for children spawned detached, which lead a process group of their own.
 */
export async function stopChild(child, { sig = 'SIGTERM', graceMs = 5000, group = true, sweep = true } = {}) {
  if (!child.pid) return;
  if (!exited(child)) {
    const done = new Promise((r) => child.once('exit', r));
    signal(child.pid, sig, group);
    const timer = setTimeout(() => signal(child.pid, 'SIGKILL', sweep), graceMs);
    await done;
    clearTimeout(timer);
  }
  if (sweep) signal(child.pid, 'SIGKILL', true);
}

/** Stops a process that is not our child (a leftover of an earlier supervisor), as stopChild does. */
export async function stopRecorded(rec, { graceMs = 5000 } = {}) {
  if (!isSameProcess(rec)) return false;
  signal(rec.pid, rec.sig ?? 'SIGTERM', rec.group ?? true);
  const t0 = Date.now();
  while (isSameProcess(rec) && Date.now() - t0 < graceMs) await sleep(100);
  signal(rec.pid, 'SIGKILL', true);
  while (isSameProcess(rec) && Date.now() - t0 < graceMs + 2000) await sleep(50);
  return true;
}

/**
 * The record of what a supervisor runs: `supervisor.pid` holds its pid, `pids.json` its own identity
 * and that of every child, written as each child appears. A later supervisor that finds them while the
 * recorded one is gone (killed with SIGKILL, machine reset) stops the leftovers before it starts.
 */
export class PidFile {
  constructor(pidPath, jsonPath) {
    this.pidPath = pidPath;
    this.jsonPath = jsonPath;
    this.children = [];
  }

  /** The recorded supervisor when it is still running, else null. */
  runningSupervisor() {
    const rec = this.#read();
    let pid = rec?.supervisor?.pid;
    if (!pid && existsSync(this.pidPath)) pid = Number(readFileSync(this.pidPath, 'utf8').trim()) || null;
    if (!pid || pid === process.pid) return null;
    const sup = { pid, start: rec?.supervisor?.start ?? null };
    if (!isSameProcess(sup)) return null;
    if (sup.start == null) {
      // Without a recorded start time, trust the pid only if it still looks like a supervisor.
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('start.mjs')) return null;
    }
    return sup;
  }

  /** Children recorded by a supervisor that is gone and that are still running, services first. */
  leftovers() {
    const rec = this.#read();
    return (rec?.children ?? []).filter(isSameProcess).sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  }

  claim() {
    writeFileSync(this.pidPath, `${process.pid}\n`);
    this.children = [];
    this.#write();
  }

  add(name, child, { sig = 'SIGTERM', group = true, order = 0 } = {}) {
    this.children.push({ name, pid: child.pid, start: startTimeOf(child.pid), sig, group, order });
    this.#write();
  }

  release() {
    rmSync(this.pidPath, { force: true });
    rmSync(this.jsonPath, { force: true });
  }

  #read() {
    try {
      return JSON.parse(readFileSync(this.jsonPath, 'utf8'));
    } catch {
      return null;
    }
  }

  #write() {
    const supervisor = { pid: process.pid, start: startTimeOf(process.pid) };
    writeFileSync(this.jsonPath, `${JSON.stringify({ supervisor, children: this.children }, null, 2)}\n`);
  }
}
