import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { isObservable, from, of, type Observable, type Subscription } from 'rxjs';
import { mergeMap } from 'rxjs/operators';
import { InProcessBus } from './in-process-bus';
import { InProcessContext } from './in-process-context';
import { serviceUnavailable, toRemoteCommandError } from '../wire-error';

/** Requests and replies cross this transport as JSON, as they would over NATS: no shared references, no class instances. */
const overTheWire = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

export interface InProcessClientOptions {
  bus: InProcessBus;
}

/**
 * `send(pattern, data)` to a @MessagePattern handler registered on the process's InProcessBus,
 * answered as an Observable. Any failure arrives as a RemoteCommandError (an RpcException whose
 * getError() is the WireError), like JetStreamClient.
 */
export class InProcessClient extends ClientProxy {
  private readonly bus: InProcessBus;

  /** Takes the bus, or `{ bus }` so it can be registered with `ClientsModule.register([{ name, customClass: InProcessClient, options: { bus } }])`. */
  constructor(busOrOptions: InProcessBus | InProcessClientOptions) {
    super();
    this.bus = busOrOptions instanceof InProcessBus ? busOrOptions : busOrOptions.bus;
  }

  async connect(): Promise<void> {
    this._status$.next('connected');
  }

  async close(): Promise<void> {
    this._status$.next('disconnected');
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const pattern = this.normalizePattern(packet.pattern);
    const handler = this.bus.messageHandler(pattern);
    if (!handler) {
      callback({ err: toRemoteCommandError(serviceUnavailable(pattern, 'no service in this process handles it')) });
      return () => undefined;
    }
    let subscription: Subscription | undefined;
    let cancelled = false;
    const context = new InProcessContext([pattern, undefined, 1]);
    const reply$: Observable<unknown> = from(Promise.resolve().then(() => handler(overTheWire(packet.data), context))).pipe(
      mergeMap((result) => (isObservable(result) ? result : of(result))),
    );
    // Subscribe on a later tick so that the caller's teardown is in place before any reply arrives.
    queueMicrotask(() => {
      if (cancelled) return;
      subscription = reply$.subscribe({
        next: (response) => callback({ response: overTheWire(response) }),
        error: (error: unknown) => callback({ err: toRemoteCommandError(error) }),
        complete: () => callback({ isDisposed: true }),
      });
    });
    return () => {
      cancelled = true;
      subscription?.unsubscribe();
    };
  }

  protected dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    return Promise.reject(
      new Error(
        `InProcessClient does not emit "${String(packet.pattern)}": domain events reach consumers from the event store's log ` +
          '(append them to the store); an emitted event would bypass the log and its ordering, checkpoints and replay',
      ),
    );
  }
}
