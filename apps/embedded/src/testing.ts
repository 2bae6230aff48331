import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@liangxin/platform';
import { type EmbeddedSystem, startEmbeddedSystem } from './embedded-system';

export interface TestSystem extends EmbeddedSystem {
  dataDir: string;
  /** fetch against the system with the admin token unless another is given */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are whatever JSON the route returns; tests assert on them
  call(path: string, init?: RequestInit & { token?: string | null; json?: unknown }): Promise<{ status: number; body: any; headers: Headers }>;
  shutdown(): Promise<void>;
}

/** The whole embedded system on a free port with a fresh data folder, as `npm start` runs it. */
export async function startTestSystem(env: Record<string, string> = {}): Promise<TestSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'liangxin-e2e-'));
  // suites and benchmarks drive thousands of writes a second with one token: the per-token rate limit is resource-limits.e2e's to test
  const config = loadConfig({ DATA_DIR: dataDir, ADMIN_TOKEN: 'e2e-admin-token', JWT_SECRET: 'e2e-secret', MAX_DELIVERIES: '3', WRITES_PER_SECOND: '1000000', WRITE_BURST: '1000000', ...env });
  const system = await startEmbeddedSystem(config, { port: 0, logger: false });
  const call: TestSystem['call'] = async (path, init = {}) => {
    const { token = system.adminToken, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    const response = await fetch(system.url + path, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: response.status, body, headers: response.headers };
  };
  return {
    ...system,
    dataDir,
    call,
    async shutdown() {
      await system.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A caller for one test file that reads its own writes: each request carries X-Min-Position with the highest
 * position a reply has given so far, so a read after a command sees what the command did.
 */
export function readYourWritesCaller(system: TestSystem) {
  let position = 0;
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are whatever JSON the route returns
    async call(method: 'GET' | 'POST' | 'PUT', path: string, token: string, json?: object): Promise<{ status: number; body: any }> {
      const response = await system.call(path, { method, token, json, headers: { 'x-min-position': String(position) } });
      if (typeof response.body?.position === 'number') position = Math.max(position, response.body.position);
      return response;
    },
    /** after work the tests did outside this caller (setup, reactions) */
    async settle(): Promise<void> {
      position = await system.settled();
    },
  };
}

/** The rubric the e2e tests rate against: Zhuzhou's "five standards" (五化), cut to two criteria. */
export const FIVE_STANDARDS_RUBRIC = {
  rubricId: 'five-standards',
  name: '五化',
  criteria: [
    { id: 'organisation-life', label: '组织生活正常化', weight: 1 },
    { id: 'role-played', label: '作用发挥', weight: 1 },
  ],
  starThresholds: [50, 60, 70, 80, 90],
  passScore: 60,
};
