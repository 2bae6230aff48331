import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { serviceRequestStreamId } from '@liangxin/contracts';
import { SqliteEventStore, type VerifyReport } from '@liangxin/event-store';
import { loadConfig } from '@liangxin/platform';
import { allProjections, type Coverage, COVERAGE, ProjectionRunner, projectionContentHash, SqliteReadModelStore } from '@liangxin/read-models';
import { appendLoad, generateLoad } from '@liangxin/read-models/testing';
import { SqliteDeadLetterStore } from '@liangxin/transport';
import { type AdminContext, DATA_FILES, openAdminContext } from './admin-context';
import { AdminError, ExitCode } from './admin-error';
import { runCli } from './cli';
import { audit, describeAudit } from './commands/audit';
import { coverageAsOf, describeCoverageAsOf } from './commands/coverage-as-of';
import { listDeadLetters, retryDeadLetter } from './commands/dead-letters';
import { rebuild } from './commands/rebuild';
import { replayUntil } from './commands/replay';
import { describeVerify, verifyLog } from './commands/verify';
import type { ProgressReporter } from './progress';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ROOT = resolve(__dirname, '../../..');

/** Records what a command reported, in place of a bar on a terminal. */
const recordProgress = () => {
  const updates: { done: number; total: number }[] = [];
  let finished = false;
  const reporter: ProgressReporter = { update: (done, total) => void updates.push({ done, total }), finish: () => void (finished = true) };
  return { reporter, updates, finished: () => finished };
};

/** The CLI in this process, its output captured. */
async function cli(dataDir: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const exitCode = await runCli(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: { DATA_DIR: dataDir } });
  return { exitCode, stdout, stderr };
}

describe('admin CLI over an embedded data folder (real SQLite event store, projections and consumer state)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'liangxin-admin-'));
  const history = [...generateLoad({ seed: 11, events: 1_200 })];
  const half = Math.floor(history.length / 2);
  /** what the live read models said after the first half, and an instant between the halves */
  const then = { instant: '', position: 0, coverage: [] as Coverage[] };
  let context: AdminContext;

  beforeAll(async () => {
    const events = SqliteEventStore.open({ file: join(dataDir, DATA_FILES.events), durability: 'os' });
    const readModels = SqliteReadModelStore.open(dataDir, DATA_FILES.readModels);
    const runner = new ProjectionRunner(events, readModels, allProjections(), { batchSize: 250, snapshotEvery: 200 });
    await runner.prepare();
    const catchUp = async () => {
      while ((await runner.step()) > 0);
    };
    await appendLoad(events, history.slice(0, half));
    await catchUp();
    then.position = runner.position;
    then.coverage = (await readModels.find<Coverage>(COVERAGE, { scope: 'district' })).map((d) => d.body).sort((a, b) => a.key.localeCompare(b.key));
    await sleep(5);
    then.instant = new Date().toISOString();
    await sleep(5);
    await appendLoad(events, history.slice(half));
    await catchUp();
    const parked = await events.readAll({ after: 2, limit: 1 });
    const deadLetters = new SqliteDeadLetterStore({ file: join(dataDir, DATA_FILES.consumers) });
    await deadLetters.park({ consumer: 'registry', event: parked[0], error: 'TypeError: cannot read "district"', attempts: 5 });
    await deadLetters.close();
    await readModels.close();
    await events.close();
    context = openAdminContext(loadConfig({ DATA_DIR: dataDir }));
  });

  afterAll(async () => {
    await context?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives each district the coverage the live dashboard showed at an earlier instant (as-of, time travel)', async () => {
    expect(then.coverage.length).toBeGreaterThan(1);
    for (const live of then.coverage) {
      const report = await coverageAsOf(context, { asOf: then.instant, district: live.key });
      expect(report.position).toBe(then.position);
      expect(report.coverage).toEqual(live);
    }
    const [first] = then.coverage;
    const text = describeCoverageAsOf(await coverageAsOf(context, { asOf: then.instant, district: first.key }));
    expect(text).toContain('组织覆盖率 organisational rate');
    expect(text).toContain(`${(first.organisationalRate * 100).toFixed(1)} %`);

    const { exitCode, stdout } = await cli(dataDir, 'as-of', then.instant, 'coverage', '--district', first.key, '--json');
    expect(exitCode).toBe(ExitCode.ok);
    expect(JSON.parse(stdout).coverage).toEqual(first);
  });

  it('replays every projection up to an instant into a throwaway store, matching what was live then and leaving the live store alone', async () => {
    const readModels = await context.readModels();
    const liveBefore = await projectionContentHash(readModels, context.projections[0]);
    const progress = recordProgress();
    const report = await replayUntil(context, { until: then.instant, progress: progress.reporter });
    expect(report.position).toBe(then.position);
    expect(report.districts).toEqual(then.coverage);
    expect(progress.updates.at(-1)).toEqual({ done: then.position, total: then.position });
    expect(progress.finished()).toBe(true);
    expect(await projectionContentHash(readModels, context.projections[0])).toBe(liveBefore);
  });

  it('rebuilds from the first event beside the live projections and swaps in the same content', async () => {
    const readModels = await context.readModels();
    const live = Object.fromEntries(await Promise.all(context.projections.map(async (p) => [p.name, await projectionContentHash(readModels, p)] as const)));
    const progress = recordProgress();
    const report = await rebuild(context, { progress: progress.reporter });
    expect(report.events).toBe(history.length);
    expect(report.contentHashes).toEqual(live);
    expect(progress.updates.at(-1)).toEqual({ done: history.length, total: history.length });

    const one = await cli(dataDir, 'rebuild', '--projection', 'coverage', '--json');
    expect(one.exitCode).toBe(ExitCode.ok);
    expect(JSON.parse(one.stdout).contentHashes).toEqual({ coverage: live['coverage'] });
  });

  it('lists an enterprise\'s and an organisation\'s timeline with actor, command and causation chain', async () => {
    const formed = history.find((g) => g.event.type === 'OrgFormed' && g.event.metadata.causationId);
    const data = formed?.event.data as { orgId: string; enterprises: { creditCode: string }[] };
    const creditCode = data.enterprises[0].creditCode;

    const enterprise = await audit(context, { subject: 'enterprise', id: creditCode });
    expect(enterprise.indexPosition).toBe(enterprise.head);
    expect(enterprise.entries[0].type).toBe('EnterpriseRegistered');
    for (const entry of enterprise.entries) expect(entry.metadata.actor).toMatch(/^(system|officer):/);
    const formation = enterprise.entries.find((e) => e.eventId === formed?.event.eventId);
    expect(formation?.causationChain[0]).toMatchObject({ type: 'EnterpriseRegistered', streamId: `enterprise-${creditCode}`, actor: enterprise.entries[0].metadata.actor });
    const text = describeAudit(enterprise);
    expect(text).toContain(`谁 who:      ${enterprise.entries[0].metadata.actor}`);
    expect(text).toContain('起因 caused by: #');

    const organisation = await audit(context, { subject: 'org', id: data.orgId });
    expect(organisation.entries[0]).toMatchObject({ type: 'OrgFormed', eventId: formed?.event.eventId });

    await expect(audit(context, { subject: 'enterprise', id: 'not-a-code' })).rejects.toBeInstanceOf(AdminError);
  });

  it('lists a service request\'s steps from its own stream, through the spawned CLI too', async () => {
    const events = await context.events();
    const ref = { requestId: 'req-audit-1', district: '430104', creditCode: '91430104MA4L000001' };
    const submitted = await events.append(
      serviceRequestStreamId(ref.requestId),
      [{ type: 'RequestSubmitted', schemaVersion: 1, data: { ...ref, category: 'hiring', description: '招聘', submittedBy: 'enterprise:own', submittedAt: '2026-01-05T00:00:00.000Z' }, metadata: { actor: 'enterprise:own', commandId: 'submit-a' } }],
      { expected: 'no_stream' },
    );
    await events.append(
      serviceRequestStreamId(ref.requestId),
      [{ type: 'RequestAccepted', schemaVersion: 1, data: { ...ref, previousStatus: 'received', owner: { kind: 'service-group', id: 'g-1', name: '第一服务组' }, dueDate: '2026-02-01' }, metadata: { actor: 'officer:zhang', commandId: 'accept-a', causationId: submitted.events[0].eventId } }],
      { expected: 0 },
    );
    const report = await audit(context, { subject: 'request', id: ref.requestId });
    expect(report.entries.map((e) => [e.type, e.metadata.actor])).toEqual([
      ['RequestSubmitted', 'enterprise:own'],
      ['RequestAccepted', 'officer:zhang'],
    ]);
    expect(report.entries[1].causationChain[0]).toMatchObject({ type: 'RequestSubmitted', actor: 'enterprise:own', commandId: 'submit-a' });
    const spawned = await cli(dataDir, 'audit', 'request', ref.requestId);
    expect(spawned.exitCode).toBe(ExitCode.ok);
    expect(spawned.stdout).toContain('服务需求 service request req-audit-1 — 2 event(s)');
  });

  it('lists dead letters, and says plainly that an embedded retry needs the running system', async () => {
    const [letter] = await listDeadLetters(context, { consumer: 'registry' });
    expect(letter).toMatchObject({ consumer: 'registry', globalPosition: 3, attempts: 5 });
    expect(await listDeadLetters(context, { consumer: 'formation' })).toEqual([]);
    await expect(retryDeadLetter(context, { id: letter.id })).rejects.toThrow(/runs inside the system/);
    await expect(retryDeadLetter(context, { id: '999' })).rejects.toThrow(/no dead letter 999/);

    const listed = await cli(dataDir, 'dead-letters', 'list', '--json');
    expect(JSON.parse(listed.stdout).items).toEqual([letter]);
    const retried = await cli(dataDir, 'dead-letters', 'retry', letter.id);
    expect(retried.exitCode).toBe(ExitCode.usage);
    expect(retried.stderr).toContain('npm start');
    expect(retried.stderr).not.toMatch(/\n\s+at /);
  });

  it('answers usage mistakes with exit code 2 and a message, without a stack trace', async () => {
    const badDate = await cli(dataDir, 'as-of', 'yesterday', 'coverage', '--district', '430100');
    expect(badDate).toMatchObject({ exitCode: ExitCode.usage, stdout: '' });
    expect(badDate.stderr).toContain('is not a date');
    expect((await cli(dataDir, 'rebuild', '--projection', 'nope')).stderr).toContain('Known projections: enterprise-status');
    expect((await cli(dataDir, 'as-of', '2024-01-01', 'coverage')).exitCode).toBe(ExitCode.usage);
    const missing = await cli(join(dataDir, 'nowhere'), 'verify', '--json');
    expect(missing.exitCode).toBe(ExitCode.usage);
    expect(JSON.parse(missing.stdout).error).toContain('No event store');
  });

  it('verifies the hash chain, then names the event whose stored data had one byte changed (exit code 1)', async () => {
    // every event in the log: the generated history, and what earlier tests appended
    const head = await (await context.events()).headPosition();
    const clean = await verifyLog(context);
    expect(clean).toEqual({ ok: true, eventsChecked: head });
    expect((await cli(dataDir, 'verify')).stdout).toContain(`all ${head} events match`);

    const victim = 400;
    const db = new Database(join(dataDir, DATA_FILES.events));
    const row = db.prepare('SELECT event_id, stream_id, data FROM events WHERE global_position = ?').get(victim) as { event_id: string; stream_id: string; data: string };
    const at = row.data.indexOf(':') + 2;
    const altered = row.data.slice(0, at) + (row.data[at] === 'a' ? 'b' : 'a') + row.data.slice(at + 1);
    db.prepare('UPDATE events SET data = ? WHERE global_position = ?').run(altered, victim);
    db.close();

    const broken = await verifyLog(context);
    expect(broken).toEqual({ ok: false, eventsChecked: victim - 1, brokenLink: { globalPosition: victim, eventId: row.event_id, streamId: row.stream_id, reason: 'global_hash_mismatch' } });
    expect(describeVerify(broken)).toContain(`event #${victim}`);

    // the real CLI, as an operator's script runs it
    const spawned = spawnSync(process.execPath, ['-r', './tools/register.js', 'apps/admin/src/main.ts', 'verify', '--json'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, KURRENTDB_URL: '', MONGODB_URL: '', NATS_URL: '' },
      encoding: 'utf8',
    });
    expect(spawned.status).toBe(ExitCode.finding);
    const report = JSON.parse(spawned.stdout) as VerifyReport;
    expect(report).toEqual(broken);
  });
});
