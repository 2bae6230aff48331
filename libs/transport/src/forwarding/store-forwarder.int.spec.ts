import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { SqliteEventStore } from '@liangxin/event-store';
import { EVENTS_STREAM, TransportHeaders } from '../jetstream';
import { NatsServerProcess } from '../testing';
import { InMemoryCheckpointStore } from '../checkpoints';
import { StoreForwarder, type SourceLog } from '.';

const waitFor = async (what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('StoreForwarder (real nats-server, SQLite store)', () => {
  let nats: NatsServerProcess;
  let nc: NatsConnection;
  let dir: string;
  let store: SqliteEventStore;
  const source = (): SourceLog => ({ name: 'registry', store, streamPrefixes: ['enterprise-'] });

  beforeAll(async () => {
    nats = await NatsServerProcess.start();
    nc = await connect({ servers: nats.url });
    dir = mkdtempSync(join(tmpdir(), 'liangxin-forwarder-'));
    store = SqliteEventStore.open({ file: join(dir, 'registry.db'), durability: 'os', pollIntervalMs: 20 });
  });

  afterAll(async () => {
    await store?.close();
    await nc?.close();
    await nats?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const register = (n: number) =>
    store.append(`enterprise-${n}`, [{ type: 'EnterpriseRegistered', schemaVersion: 1, data: { n }, metadata: { actor: 'test' } }], {
      expected: 'no_stream',
    });

  /** What JetStream holds for the source: per-source sequence and global position of every message. */
  const published = async () => {
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(EVENTS_STREAM);
    const found: Array<{ sequence: number; position: number; eventId: string }> = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const stored = await jsm.streams.getMessage(EVENTS_STREAM, { seq }).catch(() => null);
      if (!stored) continue;
      found.push({
        sequence: Number(stored.header.get(TransportHeaders.sourceSequence)),
        position: Number(stored.header.get(TransportHeaders.globalPosition)),
        eventId: stored.json<{ eventId: string }>().eventId,
      });
    }
    return found;
  };

  it('publishes what was appended while it was down, and a restart without checkpoint re-publishes the same numbers, deduplicated', async () => {
    const checkpoints = new InMemoryCheckpointStore();
    for (let n = 1; n <= 3; n++) await register(n);
    await store.append('org-1', [{ type: 'OrgFormed', schemaVersion: 1, data: {}, metadata: { actor: 'test' } }], { expected: 'any' });

    const first = new StoreForwarder({ source: source(), connection: nc, checkpoints });
    await first.start();
    await waitFor('3 acknowledged', () => first.metrics().acknowledged.sequence === 3);
    await first.stop();
    expect(await checkpoints.load('forwarder:registry')).toEqual({ position: 3, sequence: 3 });

    // appended while no forwarder runs: the store is the outbox, nothing is lost
    for (let n = 4; n <= 5; n++) await register(n);
    const second = new StoreForwarder({ source: source(), connection: nc, checkpoints });
    await second.start();
    await waitFor('5 acknowledged', () => second.metrics().acknowledged.sequence === 5);
    await second.stop();
    expect(second.metrics().acknowledged).toEqual({ position: 6, sequence: 5 }); // org-1 is position 4, not numbered

    // a forwarder that lost its checkpoint publishes everything again with the same msgIDs and numbers
    const amnesiac = new StoreForwarder({ source: source(), connection: nc, checkpoints: new InMemoryCheckpointStore() });
    await amnesiac.start();
    await waitFor('5 acknowledged again', () => amnesiac.metrics().acknowledged.sequence === 5);
    await amnesiac.stop();

    const messages = await published();
    expect(messages.map((m) => m.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(messages.map((m) => m.position)).toEqual([1, 2, 3, 5, 6]);
    const events = await store.readAll({ streamPrefixes: ['enterprise-'] });
    expect(messages.map((m) => m.eventId)).toEqual(events.map((e) => e.eventId));
  });
});
