import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { NatsServerProcess } from '../testing';
import { DEAD_LETTERS_STREAM, DEAD_LETTERS_SUBJECT_ROOT, EVENTS_STREAM } from './subjects';
import { DEFAULT_EVENTS_MAX_AGE_MS, DEFAULT_EVENTS_MAX_BYTES, ensureTopology } from './topology';

describe('ensureTopology (real nats-server)', () => {
  let nats: NatsServerProcess;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nats = await NatsServerProcess.start();
    nc = await connect({ servers: nats.url });
    jsm = await jetstreamManager(nc);
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.cleanup();
  });

  it('passes the replica count to the server, which a single server refuses above 1', async () => {
    await expect(ensureTopology(jsm, { replicas: 3 })).rejects.toThrow(/replicas/i);
  });

  it('creates the events and dead-letter streams once, and leaves existing ones as they are', async () => {
    await ensureTopology(jsm, { duplicateWindowMs: 5_000 });
    await ensureTopology(jsm, { duplicateWindowMs: 60_000 });
    for (const name of [EVENTS_STREAM, DEAD_LETTERS_STREAM]) {
      const { config } = await jsm.streams.info(name);
      expect(config).toMatchObject({ num_replicas: 1, duplicate_window: nanos(5_000) });
    }
  });

  it('gives a dead-letter stream of an older version one message per subject, keeping its messages', async () => {
    await jsm.streams.delete(DEAD_LETTERS_STREAM);
    await jsm.streams.add({ name: DEAD_LETTERS_STREAM, subjects: [`${DEAD_LETTERS_SUBJECT_ROOT}.>`] });
    const js = jetstream(nc);
    await js.publish(`${DEAD_LETTERS_SUBJECT_ROOT}.old-consumer`, 'a');
    await ensureTopology(jsm);
    const { config, state } = await jsm.streams.info(DEAD_LETTERS_STREAM);
    expect(config.max_msgs_per_subject).toBe(1);
    expect(state.messages).toBe(1);
    await js.publish(`${DEAD_LETTERS_SUBJECT_ROOT}.c.s.e1`, 'first');
    await js.publish(`${DEAD_LETTERS_SUBJECT_ROOT}.c.s.e1`, 'again');
    expect((await jsm.streams.info(DEAD_LETTERS_STREAM)).state.messages).toBe(2);
  });

  it('bounds the events stream by age and bytes (default a week and 1 GiB), and the server drops the oldest past the bytes', async () => {
    for (const name of [EVENTS_STREAM, DEAD_LETTERS_STREAM]) await jsm.streams.delete(name);
    await ensureTopology(jsm);
    expect((await jsm.streams.info(EVENTS_STREAM)).config).toMatchObject({ max_age: nanos(DEFAULT_EVENTS_MAX_AGE_MS), max_bytes: DEFAULT_EVENTS_MAX_BYTES });
    // dead letters are kept nowhere else
    expect((await jsm.streams.info(DEAD_LETTERS_STREAM)).config).toMatchObject({ max_age: 0, max_bytes: -1 });

    for (const name of [EVENTS_STREAM, DEAD_LETTERS_STREAM]) await jsm.streams.delete(name);
    await ensureTopology(jsm, { maxAgeMs: 3_600_000, maxBytes: 4_096 });
    expect((await jsm.streams.info(EVENTS_STREAM)).config).toMatchObject({ max_age: nanos(3_600_000), max_bytes: 4_096 });
    const js = jsm.jetstream();
    for (let i = 0; i < 40; i++) await js.publish(`liangxin.events.registry.test-${i}`, new Uint8Array(200));
    const { state } = await jsm.streams.info(EVENTS_STREAM);
    expect(state.bytes).toBeLessThanOrEqual(4_096);
    expect(state.first_seq).toBeGreaterThan(1);
    expect(state.last_seq).toBe(40);
  });
});
