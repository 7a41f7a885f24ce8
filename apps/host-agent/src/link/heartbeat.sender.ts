import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createInbox, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { HEARTBEAT_INTERVAL_MS, heartbeatSubject, type Heartbeat, type HeartbeatReply } from '@vnet/contracts';
import { BOOT_ID } from '../common/boot-id.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { HOST_NATS, type HostNats } from '../common/host-nats.js';
import { HeartbeatWheel, type RoundTrips } from './heartbeat-wheel.js';
import type { ManagementLink } from './management-link.js';

/** A host as heartbeats see it. */
export interface HeartbeatTarget {
  readonly id: string;
  readonly link: ManagementLink;
  readonly roundTrips: RoundTrips;
  /** Every reply that came back through the link, late or not, for the round trip sent at `sentAt`. */
  roundTripBack?(sentAt: number): void;
}

const TICK_MS = 50;
/** A reply later than this proves nothing the next heartbeat will not (and may be one buffered across a reconnect). */
export const REPLY_TIMEOUT_MS = Math.min(HEARTBEAT_INTERVAL_MS, 1000);

/**
 * Every HEARTBEAT_INTERVAL_MS each host whose link carries traffic asks the compute manager for a
 * round trip: a core NATS request, spread over the interval by one timer for all hosts. Replies come
 * to one subscription of the process, addressed `<inbox>.<hostId>.<link epoch>.<sent at>`: no promise,
 * timer or error per heartbeat (2,000 hosts make 2,000 a second). A reply counts only if it came back
 * within REPLY_TIMEOUT_MS through the same, uninterrupted link; a heartbeat that gets no such reply
 * simply is not a round trip.
 */
@Injectable()
export class HeartbeatSender implements OnApplicationShutdown {
  private readonly wheel = new HeartbeatWheel<HeartbeatTarget>(Math.max(1, Math.round(HEARTBEAT_INTERVAL_MS / TICK_MS)));
  private readonly hosts = new Map<string, HeartbeatTarget>();
  /** Set with the connection: under its inbox prefix, the only replies its credentials may receive. */
  private inbox = '';
  private nc: NatsConnection | null = null;
  private replies: Subscription | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  /** Hosts waiting for a round trip that started at or after `after`. */
  private readonly waiters = new Map<string, Array<{ after: number; resolve: (ok: boolean) => void }>>();

  constructor(
    @Inject(HOST_NATS) private readonly nats: HostNats,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(BOOT_ID) private readonly bootId: string,
  ) {}

  add(target: HeartbeatTarget): void {
    this.hosts.set(target.id, target);
    this.wheel.add(target);
  }

  /** Starts once NATS is reached: until then no heartbeat could leave anyway. */
  start(): void {
    void this.nats.connected().then((nc) => {
      if (this.nc || this.stopped) return;
      this.nc = nc;
      // The connection's own prefix (NATS_INBOX_PREFIX): the client keeps its options on the connection.
      this.inbox = createInbox((nc as NatsConnection & { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
      this.replies = nc.subscribe(`${this.inbox}.>`, {
        callback: (err, msg) => {
          if (!err) this.onReply(msg.subject, () => msg.json());
        },
      });
      this.timer = setInterval(() => this.tick(nc), TICK_MS);
      this.timer.unref();
    });
  }

  /**
   * One management round trip now, for a host that just applied a change: resolves true when the
   * compute manager's reply came back through the unbroken link, false when it did not in time.
   */
  roundTrip(target: HeartbeatTarget, timeoutMs = REPLY_TIMEOUT_MS): Promise<boolean> {
    const nc = this.nc;
    if (!nc || nc.isClosed() || !target.link.flows) return Promise.resolve(false);
    const now = this.clock.now();
    return new Promise((resolve) => {
      const list = this.waiters.get(target.id) ?? [];
      const waiter = {
        after: now,
        resolve: (ok: boolean) => {
          clearTimeout(timer);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => {
        const left = (this.waiters.get(target.id) ?? []).filter((w) => w !== waiter);
        if (left.length) this.waiters.set(target.id, left);
        else this.waiters.delete(target.id);
        waiter.resolve(false);
      }, timeoutMs);
      list.push(waiter);
      this.waiters.set(target.id, list);
      this.queue(target, now);
    });
  }

  /**
   * Round trips asked for in one turn of the event loop leave together: hosts whose changes became
   * durable one after another (each its own completion) would otherwise cost a socket write each.
   */
  private queue(target: HeartbeatTarget, now: number): void {
    this.outgoing.push({ target, epoch: target.link.epoch, now });
    if (this.outgoing.length === 1) setImmediate(() => this.sendQueued());
  }

  private sendQueued(): void {
    const batch = this.outgoing;
    this.outgoing = [];
    const nc = this.nc;
    if (!nc || nc.isClosed()) return;
    for (const { target, epoch, now } of batch) {
      // A link that cut meanwhile carries nothing (its round trip times out).
      if (!target.link.flows || target.link.epoch !== epoch) continue;
      const heartbeat: Heartbeat = { hostId: target.id, bootId: this.bootId, sentAt: new Date(now).toISOString() };
      nc.publish(heartbeatSubject(target.id), JSON.stringify(heartbeat), { reply: `${this.inbox}.${target.id}.${epoch}.${now}` });
    }
  }

  private outgoing: Array<{ target: HeartbeatTarget; epoch: number; now: number }> = [];

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.replies?.unsubscribe();
  }

  private tick(nc: NatsConnection): void {
    if (nc.isClosed()) return;
    const now = this.clock.now();
    const sentAt = new Date(now).toISOString();
    for (const target of this.wheel.next()) {
      if (!target.link.flows) continue;
      const heartbeat: Heartbeat = { hostId: target.id, bootId: this.bootId, sentAt };
      nc.publish(heartbeatSubject(target.id), JSON.stringify(heartbeat), {
        reply: `${this.inbox}.${target.id}.${target.link.epoch}.${now}`,
      });
    }
  }

  private onReply(subject: string, body: () => unknown): void {
    const [hostId, epoch, sentAt] = subject.slice(this.inbox.length + 1).split('.');
    const target = this.hosts.get(hostId);
    const now = this.clock.now();
    // A reply that crossed a cut (or a cut and a repair) did not make a round trip through this link.
    if (!target || !target.link.flows || String(target.link.epoch) !== epoch) return;
    try {
      if ((body() as Partial<HeartbeatReply>)?.ok !== true) return;
    } catch {
      return;
    }
    // Liveness counts only prompt replies; a change awaiting its proof counts any (a slow bus is no cut cable).
    if (now - Number(sentAt) <= REPLY_TIMEOUT_MS) target.roundTrips.lastRoundTripAt = now;
    target.roundTripBack?.(Number(sentAt));
    const waiting = this.waiters.get(hostId);
    if (!waiting) return;
    const started = Number(sentAt);
    const done = waiting.filter((w) => w.after <= started);
    const left = waiting.filter((w) => w.after > started);
    if (left.length) this.waiters.set(hostId, left);
    else this.waiters.delete(hostId);
    for (const w of done) w.resolve(true);
  }
}
