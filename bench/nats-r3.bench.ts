// JetStream publish throughput on a three-node nats-server cluster with an R3 stream, beside one server with an R1
// stream, in the same run; and the rate one durable pull consumer drains the R3 stream.
// Run: npm run bench:nats   (about a minute; BENCH_SCALE=0.3 for a quick look). Needs /usr/sbin/nats-server
// (or NATS_SERVER_BIN); starts its own servers on free ports in temporary directories.
//
// The message is an event as the forwarder publishes it (~600 bytes of JSON, msgID = event id): the figure is what
// the broker adds to every event of the distributed mode. Publishers are closed-loop: each awaits its ack.
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { NatsServerProcess } from '@liangxin/transport/testing';
import { NatsCluster } from '../apps/embedded/src/cluster-testing';

const scale = Number(process.env['BENCH_SCALE'] ?? 1);
const durationMs = Math.max(300, Math.round(3_000 * scale));
const PUBLISHERS = [1, 8, 64];

const payload = new TextEncoder().encode(
  JSON.stringify({
    eventId: randomUUID(),
    streamId: 'enterprise-91430102MA4L000011',
    type: 'MemberCountChanged',
    schemaVersion: 1,
    globalPosition: 123456,
    streamVersion: 3,
    data: { creditCode: '91430102MA4L000011', district: '430102', fullMembers: 4, probationaryMembers: 1, previousFullMembers: 3, previousProbationaryMembers: 1, reason: 'admission' },
    metadata: { actor: 'officer:bench', commandId: randomUUID(), correlationId: randomUUID(), district: '430102' },
    occurredAt: new Date().toISOString(),
    recordedAt: new Date().toISOString(),
    sourceSequence: 99,
  }),
);

const addStream = async (jsm: JetStreamManager, replicas: number) => {
  for (;;) {
    try {
      await jsm.streams.add({ name: 'BENCH', subjects: ['bench.>'], num_replicas: replicas, duplicate_window: 120_000_000_000 });
      return;
    } catch (error) {
      if (!/no suitable peers|insufficient resources|timeout|not available/i.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
};

const publishRate = async (nc: NatsConnection, publishers: number): Promise<number> => {
  const js = jetstream(nc);
  const deadline = Date.now() + durationMs;
  let done = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: publishers }, async (_, p) => {
      while (Date.now() < deadline) {
        await js.publish(`bench.events.p${p}`, payload, { msgID: randomUUID() });
        done += 1;
      }
    }),
  );
  return Math.round(done / (Number(process.hrtime.bigint() - start) / 1e9));
};

const drainRate = async (nc: NatsConnection, jsm: JetStreamManager): Promise<number> => {
  const { state } = await jsm.streams.info('BENCH');
  await jsm.consumers.add('BENCH', { durable_name: 'drain', ack_policy: AckPolicy.Explicit });
  const consumer = await jetstream(nc).consumers.get('BENCH', 'drain');
  const start = process.hrtime.bigint();
  let seen = 0;
  const messages = await consumer.consume({ max_messages: 1_000 });
  for await (const message of messages) {
    message.ack();
    if (++seen >= state.messages) break;
  }
  return Math.round(seen / (Number(process.hrtime.bigint() - start) / 1e9));
};

const measure = async (label: string, servers: string[], replicas: number) => {
  const nc = await connect({ servers });
  const jsm = await jetstreamManager(nc);
  await addStream(jsm, replicas);
  const rates: Record<string, number> = {};
  for (const publishers of PUBLISHERS) rates[`${publishers}`] = await publishRate(nc, publishers);
  const drain = await drainRate(nc, jsm);
  await nc.close();
  console.log(`  ${label.padEnd(26)} ${PUBLISHERS.map((p) => `${p} publishers ${String(rates[p]).padStart(6)}/s`).join('   ')}   one consumer drains ${drain}/s`);
  return { rates, drain };
};

const main = async () => {
  const [one, five, fifteen] = loadavg().map((l) => l.toFixed(2));
  console.log(`JetStream bench: ${durationMs} ms per measurement, ${payload.length}-byte events, closed-loop publishers awaiting acks; load average ${one} ${five} ${fifteen}`);
  const single = await NatsServerProcess.start();
  let r1: Awaited<ReturnType<typeof measure>>;
  try {
    r1 = await measure('one server, R1 stream:', [single.url], 1);
  } finally {
    await single.cleanup();
  }
  const cluster = await NatsCluster.start(3);
  let r3: Awaited<ReturnType<typeof measure>>;
  try {
    await cluster.waitForJetStream();
    r3 = await measure('three nodes, R3 stream:', cluster.url.split(','), 3);
  } finally {
    await cluster.cleanup();
  }
  console.log(`  ratio R3 / R1: ${PUBLISHERS.map((p) => `${p} publishers ${(r3.rates[p] / r1.rates[p]).toFixed(2)}`).join('   ')}   drain ${(r3.drain / r1.drain).toFixed(2)}`);
};

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
