import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { commandSubject } from './subjects';
import { RemoteCommandError, serviceUnavailable, toRemoteCommandError, type CommandReply } from '../wire-error';

export interface JetStreamClientOptions {
  servers: string | string[];
  /** how long to wait for a service's answer (default 10 s) */
  timeoutMs?: number;
  name?: string;
}

/**
 * Sends commands to services (`client.send(pattern, data)`) as request/reply on `liangxin.cmd.<pattern>`.
 * Any failure is rethrown as a RemoteCommandError (an RpcException whose getError() is the WireError), like InProcessClient.
 */
export class JetStreamClient extends ClientProxy {
  private nc?: NatsConnection;
  private connecting?: Promise<NatsConnection>;

  constructor(private readonly options: JetStreamClientOptions) {
    super();
  }

  connect(): Promise<NatsConnection> {
    if (this.nc && !this.nc.isClosed()) return Promise.resolve(this.nc);
    this.connecting ??= connect({
      servers: this.options.servers,
      name: this.options.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    })
      .then((nc) => {
        this.nc = nc;
        return nc;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  async close(): Promise<void> {
    const nc = this.nc;
    this.nc = undefined;
    if (nc && !nc.isClosed()) await nc.drain();
  }

  unwrap<T>(): T {
    if (!this.nc) throw new Error('JetStreamClient is not connected yet: call connect() first');
    return this.nc as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    let cancelled = false;
    const answer = (reply: WritePacket) => {
      if (!cancelled) callback({ ...reply, isDisposed: true });
    };
    this.connect()
      .then((nc) =>
        nc.request(commandSubject(this.normalizePattern(packet.pattern)), JSON.stringify(packet.data ?? null), {
          timeout: this.options.timeoutMs ?? 10_000,
        }),
      )
      .then((msg) => {
        const reply = msg.json<CommandReply>();
        if ('error' in reply) answer({ err: toRemoteCommandError(reply.error) });
        else answer({ response: reply.data });
      })
      // no responders, a timeout, a closed connection: the service's answer never came
      .catch((error: Error) => answer({ err: new RemoteCommandError(serviceUnavailable(String(packet.pattern), error.message)) }));
    return () => {
      cancelled = true;
    };
  }

  protected dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    return Promise.reject(
      new Error(
        `JetStreamClient does not emit events (tried "${String(packet.pattern)}"): domain events are appended to the ` +
          'event store and published by its StoreForwarder, so that nothing is ever written to two places at once',
      ),
    );
  }
}
