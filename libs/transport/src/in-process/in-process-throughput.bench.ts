/**
 * Throughput of event delivery through InProcessServer (not part of the test run: timings belong here).
 * Run: npx jest --testMatch '**\/in-process-throughput.bench.ts' libs/transport/src/in-process
 */
import { Controller, type INestMicroservice } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import type { NewEvent, RecordedEvent } from '@liangxin/contracts';
import { SqliteEventStore } from '@liangxin/event-store';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteCheckpointStore } from '../checkpoints/sqlite-checkpoint-store';
import { SqliteDeadLetterStore } from '../checkpoints/sqlite-dead-letter-store';
import { InProcessBus } from './in-process-bus';
import { InProcessServer } from './in-process-server';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 20_000);
let handled = 0;

@Controller()
class CountingController {
  @EventPattern('MemberCountChanged')
  onChanged(@Payload() event: RecordedEvent): void {
    if (event.globalPosition > 0) handled += 1;
  }
}

const event = (i: number): NewEvent => ({
  type: 'MemberCountChanged',
  schemaVersion: 1,
  data: { creditCode: `91350100M000${String(i).padStart(6, '0')}`, full: i % 7, probationary: i % 3, reason: 'admission' },
  metadata: { actor: 'system:bench', district: '350100' },
});

describe(`in-process delivery throughput (${EVENTS} events)`, () => {
  for (const checkpointEvery of [1, 10, 100, 1000]) {
    it(`checkpointEvery=${checkpointEvery}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'liangxin-bench-'));
      const store = SqliteEventStore.open({ file: join(dir, 'events.sqlite'), durability: 'os' });
      for (let i = 0; i < EVENTS; i += 1000) {
        await store.append(`funding-bench-${i}`, Array.from({ length: 1000 }, (_, k) => event(i + k)), { expected: 'any' });
      }
      const checkpoints = new SqliteCheckpointStore({ file: join(dir, 'consumers.sqlite') });
      const deadLetters = new SqliteDeadLetterStore({ file: join(dir, 'consumers.sqlite') });
      const bus = new InProcessBus();
      handled = 0;
      const moduleRef = await Test.createTestingModule({ controllers: [CountingController] }).compile();
      const app: INestMicroservice = moduleRef.createNestMicroservice({
        strategy: new InProcessServer({ consumer: 'bench', store, checkpoints, deadLetters, bus, checkpointEvery }),
        logger: false,
      });
      const started = process.hrtime.bigint();
      await app.listen();
      await bus.waitUntilApplied('bench', EVENTS, 600_000);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      console.log(`checkpointEvery=${checkpointEvery}: ${EVENTS} events in ${seconds.toFixed(2)} s = ${Math.round(EVENTS / seconds)} events/s`);
      expect(handled).toBe(EVENTS);
      await app.close();
      await store.close();
      await checkpoints.close();
      await deadLetters.close();
      rmSync(dir, { recursive: true, force: true });
    });
  }
});
