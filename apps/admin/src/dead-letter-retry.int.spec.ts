import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '@liangxin/contracts';
import { SqliteEventStore } from '@liangxin/event-store';
import { type GatewayApp, startGatewayApp } from '@liangxin/gateway-api';
import { loadConfig } from '@liangxin/platform';
import { SqliteReadModelStore } from '@liangxin/read-models';
import { InProcessBus, InProcessClient, InProcessDeadLetters, InProcessServer, openConsumerStateDatabase, SqliteCheckpointStore, SqliteDeadLetterStore, WireErrorFilter } from '@liangxin/transport';
import { DATA_FILES } from './admin-context';
import { ExitCode } from './admin-error';
import { runCli } from './cli';

/** A consumer whose handler fails until the cause is "fixed", as a service with a bug would. */
const consumer = { fixed: false, applied: [] as number[] };

@Controller()
class FlakyRegistryConsumer {
  @EventPattern('EnterpriseRegistered')
  onRegistered(@Payload() event: RecordedEvent): void {
    if (!consumer.fixed) throw new Error('district table not loaded');
    consumer.applied.push(event.globalPosition);
  }
}

@Module({ controllers: [FlakyRegistryConsumer] })
class FlakyRegistryModule {}

describe('dead-letters retry in the embedded mode goes through the running system (real gateway, consumer and SQLite files)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'liangxin-admin-retry-'));
  const config = loadConfig({ DATA_DIR: dataDir, ADMIN_TOKEN: 'admin-token-for-the-cli-test' });
  const events = SqliteEventStore.open({ file: join(dataDir, DATA_FILES.events), durability: 'os', pollIntervalMs: 20 });
  const consumerDb = openConsumerStateDatabase(join(dataDir, DATA_FILES.consumers));
  const deadLetters = new SqliteDeadLetterStore({ db: consumerDb });
  const readModels = SqliteReadModelStore.open(dataDir, DATA_FILES.readModels);
  const bus = new InProcessBus();
  let service: INestMicroservice;
  let gateway: GatewayApp;

  const cli = async (...argv: string[]) => {
    let stdout = '';
    const exitCode = await runCli(argv, { stdout: (t) => void (stdout += t), stderr: () => undefined, env: { DATA_DIR: dataDir, ADMIN_TOKEN: gateway.tokens.adminToken } });
    return { exitCode, stdout };
  };

  beforeAll(async () => {
    const strategy = new InProcessServer({ consumer: 'registry', store: events, checkpoints: new SqliteCheckpointStore({ db: consumerDb }), deadLetters, bus, maxDeliveries: 1 });
    service = await NestFactory.createMicroservice(FlakyRegistryModule, { strategy, logger: false });
    service.useGlobalFilters(new WireErrorFilter());
    await service.listen();
    gateway = await startGatewayApp({
      config,
      eventStore: events,
      readModels,
      commands: new InProcessClient(bus),
      deadLetters: new InProcessDeadLetters({ bus, deadLetters }),
      transportHealth: { name: 'transport', check: async () => ({}) },
      port: 0,
      logger: false,
    });
    await events.append('enterprise-91430100MA4L000001', [{ type: 'EnterpriseRegistered', schemaVersion: 1, data: { creditCode: '91430100MA4L000001', district: '430100' }, metadata: { actor: 'officer:test' } }], { expected: 'no_stream' });
    await bus.waitUntilApplied('registry', 1, 5_000);
  });

  afterAll(async () => {
    await gateway?.close();
    await service?.close();
    await readModels.close();
    await events.close();
    consumerDb.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says when the admin token is wrong or the system cannot be reached, and leaves the dead letter parked', async () => {
    const attempt = async (url: string, token: string) => {
      let stderr = '';
      const exitCode = await runCli(['dead-letters', 'retry', '1', '--gateway', url], { stdout: () => undefined, stderr: (t) => void (stderr += t), env: { DATA_DIR: dataDir, ADMIN_TOKEN: token } });
      return { exitCode, stderr };
    };
    expect(await attempt(gateway.url, 'not-the-admin-token')).toEqual({ exitCode: ExitCode.usage, stderr: expect.stringContaining('refused the admin token') });
    expect(await attempt('http://127.0.0.1:1', gateway.tokens.adminToken)).toEqual({ exitCode: ExitCode.usage, stderr: expect.stringContaining('Cannot reach the running system') });
    expect(await deadLetters.list('registry')).toHaveLength(1);
  });

  it('reports a retry that fails again (exit code 1), then applies it once the cause is fixed', async () => {
    const listed = JSON.parse((await cli('dead-letters', 'list', '--json')).stdout) as { items: { id: string; globalPosition: number }[] };
    expect(listed.items).toMatchObject([{ globalPosition: 1 }]);
    const id = listed.items[0].id;

    const stillBroken = await cli('dead-letters', 'retry', id, '--gateway', gateway.url, '--json');
    expect(stillBroken.exitCode).toBe(ExitCode.finding);
    expect(JSON.parse(stillBroken.stdout)).toMatchObject({ id, via: 'gateway', outcome: { status: 'failed', error: expect.stringContaining('district table not loaded') } });

    consumer.fixed = true;
    const retried = await cli('dead-letters', 'retry', id, '--gateway', gateway.url, '--json');
    expect(retried.exitCode).toBe(ExitCode.ok);
    expect(JSON.parse(retried.stdout)).toEqual({ id, via: 'gateway', outcome: { status: 'applied' } });
    expect(consumer.applied).toEqual([1]);
    expect(await deadLetters.list()).toEqual([]);
  });

});
