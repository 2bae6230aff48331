import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@liangxin/platform';
import { InProcessClient } from '@liangxin/transport';
import { firstValueFrom } from 'rxjs';
import { DEMO_DISTRICT, seedDemoDistrict } from './demo';
import { type EmbeddedSystem, startEmbeddedSystem } from './embedded-system';
import { SIGNING_SECRET_FILE } from './signing-secret';

// `npm run demo` on a fresh data folder, and what a newcomer does next: sign in with an issued token after a restart.
describe('the demo district and a restart (embedded system, no JWT_SECRET set)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'liangxin-demo-'));
  const config = loadConfig({ DATA_DIR: dataDir, ADMIN_TOKEN: 'demo-admin', WRITES_PER_SECOND: '1000000', WRITE_BURST: '1000000' });
  let system: EmbeddedSystem | undefined;
  const get = async (path: string, token: string) => {
    const response = await fetch(`${(system as EmbeddedSystem).url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: await response.json() };
  };
  const seed = (running: EmbeddedSystem) => {
    const client = new InProcessClient(running.bus);
    return seedDemoDistrict(running.eventStore, (pattern, envelope) => firstValueFrom(client.send(pattern, envelope)));
  };

  afterAll(async () => {
    await system?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("seeds Shangrao's figures through the import path, and a token issued before a restart still signs in after it", async () => {
    system = await startEmbeddedSystem(config, { port: 0, logger: false });
    const seeded = await seed(system);
    expect(seeded?.counts).toEqual({ registered: DEMO_DISTRICT.enterprises, updated: 0, unchanged: 0, refused: 0 });
    await system.settled(120_000);
    const coverage = await get(`/api/coverage?district=${DEMO_DISTRICT.district}`, 'demo-admin');
    expect(coverage.body).toMatchObject({ enterprises: DEMO_DISTRICT.enterprises, withMembers: DEMO_DISTRICT.withMembers });
    expect(coverage.body.organisational).toBeGreaterThanOrEqual(DEMO_DISTRICT.standalone);

    const issued = await fetch(`${system.url}/api/admin/tokens`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo-admin', 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'officer-wang', role: 'officer', districts: [DEMO_DISTRICT.district] }),
    });
    const { token } = (await issued.json()) as { token: string };
    expect((await get(`/api/coverage?district=${DEMO_DISTRICT.district}`, token)).status).toBe(200);
    expect(statSync(join(dataDir, SIGNING_SECRET_FILE)).mode & 0o077).toBe(0);

    await system.close();
    system = await startEmbeddedSystem(config, { port: 0, logger: false });
    expect((await get(`/api/coverage?district=${DEMO_DISTRICT.district}`, token)).status).toBe(200);
    // a second demo start leaves the data alone
    expect(await seed(system)).toBeUndefined();
  });
});
