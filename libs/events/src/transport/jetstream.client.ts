import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { jetstream, type JetStreamClient as NatsJetStreamClient, type PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import type { Observable } from 'rxjs';
import { CORRELATION_ID_HEADER } from './headers.js';
import { isValidSubject } from './subjects.js';

export interface JetStreamClientOptions {
  /** The application's shared connection. The client never closes it. */
  connection: () => Promise<NatsConnection>;
  /** How long to wait for the stream's acknowledgement of a publish; the client's default otherwise. */
  publishTimeoutMs?: number;
}

export interface PublishOptions {
  /** Becomes `Nats-Msg-Id`: the stream stores a message once per id within its duplicate window. */
  msgId?: string;
  correlationId?: string;
  headers?: Record<string, string>;
}

export type JetStreamClientStatus = 'connected' | 'disconnected';

/**
 * Publishes events to JetStream for `@EventPattern` handlers elsewhere. `emit(subject, data)`
 * publishes `data` as JSON; when `data` is an event envelope (`{ id, metadata: { correlationId } }`)
 * its id becomes the message id and its correlation id a header. The returned observable emits the
 * stream's acknowledgement and errors when the stream did not store the message.
 */
export class JetStreamClient extends ClientProxy<Record<never, Function>, JetStreamClientStatus> {
  private connecting: Promise<NatsJetStreamClient> | null = null;
  private nc: NatsConnection | null = null;

  constructor(private readonly options: JetStreamClientOptions) {
    super();
  }

  async connect(): Promise<NatsConnection> {
    await this.jetstream();
    return this.nc!;
  }

  /** Forgets the connection without closing it: it belongs to the application. */
  close(): void {
    this.connecting = null;
    this.nc = null;
    this._status$.next('disconnected');
  }

  unwrap<T>(): T {
    if (!this.nc) throw new Error('JetStreamClient is not connected: call connect() first');
    return this.nc as T;
  }

  override emit<TResult = PubAck, TInput = unknown>(pattern: string, data: TInput): Observable<TResult> {
    return super.emit<TResult, TInput>(pattern, data);
  }

  /** Request/response has no place on an event stream: this client only emits. */
  override send<TResult = never, TInput = unknown>(pattern: unknown, _data: TInput): Observable<TResult> {
    throw new Error(
      `JetStreamClient.send(${JSON.stringify(pattern)}): request/response is not supported over JetStream; use emit()`,
    );
  }

  /** Publishes `data` as JSON on `subject` and resolves with the stream's acknowledgement. */
  async publishEvent(subject: string, data: unknown, options: PublishOptions = {}): Promise<PubAck> {
    if (!isValidSubject(subject) || /[*>]/.test(subject)) {
      throw new Error(`cannot publish on "${subject}": not a literal NATS subject`);
    }
    const body = JSON.stringify(data);
    if (body === undefined) throw new Error(`cannot publish ${String(data)} on "${subject}": not JSON`);
    const envelope = envelopeFields(data);
    const msgId = options.msgId ?? envelope.id;
    const correlationId = options.correlationId ?? envelope.correlationId;
    const js = await this.jetstream();
    return js.publish(subject, body, {
      ...(msgId ? { msgID: msgId } : {}),
      ...(this.options.publishTimeoutMs ? { timeout: this.options.publishTimeoutMs } : {}),
      headers: buildHeaders(correlationId, options.headers),
    });
  }

  protected dispatchEvent<T = PubAck>(packet: ReadPacket): Promise<T> {
    if (typeof packet.pattern !== 'string') {
      return Promise.reject(new Error(`event pattern must be a subject string, got ${JSON.stringify(packet.pattern)}`));
    }
    return this.publishEvent(packet.pattern, packet.data, { headers: packet.metadata }) as Promise<T>;
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: new Error('request/response is not supported over JetStream; use emit()'), isDisposed: true });
    return () => undefined;
  }

  private jetstream(): Promise<NatsJetStreamClient> {
    this.connecting ??= this.options.connection().then(
      (nc) => {
        this.nc = nc;
        this._status$.next('connected');
        return jetstream(nc);
      },
      (err: unknown) => {
        this.connecting = null;
        throw err;
      },
    );
    return this.connecting;
  }
}

function envelopeFields(data: unknown): { id?: string; correlationId?: string } {
  if (typeof data !== 'object' || data === null) return {};
  const { id, metadata } = data as { id?: unknown; metadata?: { correlationId?: unknown } | null };
  const correlationId = metadata?.correlationId;
  return {
    id: typeof id === 'string' && id ? id : undefined,
    correlationId: typeof correlationId === 'string' && correlationId ? correlationId : undefined,
  };
}

function buildHeaders(correlationId: string | undefined, extra: Record<string, string> | undefined): MsgHdrs | undefined {
  if (!correlationId && !extra) return undefined;
  const h = natsHeaders();
  for (const [key, value] of Object.entries(extra ?? {})) h.set(key, value);
  if (correlationId) h.set(CORRELATION_ID_HEADER, correlationId);
  return h;
}
