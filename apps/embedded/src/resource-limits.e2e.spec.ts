import { connect, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { loadConfig } from '@liangxin/platform';
import { startTestSystem, type TestSystem } from './testing';

// Issue 14, item 3: each resource limit holds while ordinary traffic still gets through. Limits set small here
// (through the same environment variables an operator sets) so each is reached in a moment.
const LIMITS = {
  MAX_JSON_DEPTH: '8',
  HEADERS_TIMEOUT_MS: '600',
  REQUEST_TIMEOUT_MS: '1200',
  SSE_CONNECTIONS_PER_TOKEN: '2',
  SSE_CONNECTIONS_TOTAL: '3',
  WRITES_PER_SECOND: '4',
  WRITE_BURST: '8',
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('resource limits over HTTP (embedded system)', () => {
  let system: TestSystem;
  let url: URL;
  const tokenFor = async (subject: string) => {
    const issued = await system.call('/api/admin/tokens', { method: 'POST', json: { subject, role: 'auditor', districts: ['430104'] } });
    expect(issued.status).toBe(201);
    return issued.body.token as string;
  };

  beforeAll(async () => {
    system = await startTestSystem(LIMITS);
    url = new URL(system.url);
  });
  afterAll(async () => {
    await system.shutdown();
  });

  /** a raw connection that sends `first`, then one more byte every 100 ms; resolves with when the server closed it */
  const trickle = (first: string, next: string) =>
    new Promise<{ closedAfterMs: number; answer: string }>((resolve, reject) => {
      const started = Date.now();
      let answer = '';
      const socket: Socket = connect(Number(url.port), url.hostname, () => socket.write(first));
      const drip = setInterval(() => socket.writable && socket.write(next), 100);
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('error', () => undefined);
      const giveUp = setTimeout(() => {
        clearInterval(drip);
        socket.destroy();
        reject(new Error('the server kept a trickling connection open for 8 s'));
      }, 8_000);
      socket.on('close', () => {
        clearInterval(drip);
        clearTimeout(giveUp);
        resolve({ closedAfterMs: Date.now() - started, answer });
      });
    });

  it('cuts off a client that trickles its headers, and one that trickles its body, while others are served', async () => {
    const slowHeaders = trickle(`GET /health HTTP/1.1\r\nHost: ${url.host}\r\n`, 'X');
    const slowBody = trickle(`POST /api/enterprises HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`, ' ');
    await pause(200);
    expect((await system.call('/health', { token: null })).status).toBe(200);
    const [headers, body] = await Promise.all([slowHeaders, slowBody]);
    expect(headers.closedAfterMs).toBeLessThan(3_000);
    expect(headers.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(body.closedAfterMs).toBeLessThan(4_000);
    expect(body.answer).toMatch(/^HTTP\/1\.1 408/);
    expect((await system.call('/health', { token: null })).status).toBe(200);
  });

  it('caps live-update connections per token and in total with 429, and frees a place when one closes', async () => {
    const [first, second] = [await tokenFor('viewer-1'), await tokenFor('viewer-2')];
    const open: AbortController[] = [];
    const subscribe = async (token: string) => {
      const abort = new AbortController();
      const response = await fetch(`${system.url}/api/events/stream`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
      // a refusal is a short JSON answer that ends by itself; an accepted stream stays open until aborted
      if (response.status === 200) open.push(abort);
      return response;
    };
    try {
      expect((await subscribe(first)).status).toBe(200);
      expect((await subscribe(first)).status).toBe(200);
      const pastTokenCap = await subscribe(first);
      expect(pastTokenCap.status).toBe(429);
      expect(await pastTokenCap.json()).toMatchObject({ statusCode: 429, details: [{ field: 'authorization', reason: expect.stringMatching(/per token/) }] });
      expect((await subscribe(second)).status).toBe(200);
      const pastTotalCap = await subscribe(second);
      expect(pastTotalCap.status).toBe(429);
      // the browser's way in (EventSource cannot send headers) counts against the same token
      expect((await fetch(`${system.url}/api/events/stream?access_token=${encodeURIComponent(first)}`)).status).toBe(429);
      // ordinary reads go on meanwhile
      expect((await system.call('/api/orgs', { token: first })).status).toBe(200);

      open.shift()?.abort();
      let again = await subscribe(first);
      for (let tries = 0; again.status === 429 && tries < 20; tries++) {
        await pause(50);
        again = await subscribe(first);
      }
      expect(again.status).toBe(200);
    } finally {
      for (const abort of open) abort.abort();
    }
  });

  it('answers a burst of writes past the bucket with 429 and Retry-After, leaves reads and other tokens alone, and recovers', async () => {
    const writer = await tokenFor('bulk-writer');
    const other = await tokenFor('other-writer');
    // auditors may not write: each write is refused 403 after it is counted, so nothing is appended
    const write = (token: string) => system.call('/api/enterprises', { method: 'POST', token, json: {} });
    // a burst at once: the bucket's eight go through (to the role check), the rest wait
    const burstStarted = Date.now();
    const statuses = (await Promise.all(Array.from({ length: 16 }, () => write(writer)))).map((answer) => answer.status);
    // on a busy machine the burst takes a while, and the bucket refills meanwhile: at most that many more go through
    const refilled = Math.ceil(((Date.now() - burstStarted) / 1000) * Number(LIMITS.WRITES_PER_SECOND));
    expect(statuses.filter((status) => status === 403).length).toBeGreaterThanOrEqual(Number(LIMITS.WRITE_BURST));
    expect(statuses.filter((status) => status === 403).length).toBeLessThanOrEqual(Number(LIMITS.WRITE_BURST) + refilled);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(Math.min(4, 16 - Number(LIMITS.WRITE_BURST) - refilled));
    expect(statuses.filter((status) => status !== 403 && status !== 429)).toEqual([]);
    const throttled = await write(writer);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(throttled.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', details: [{ field: 'authorization', reason: expect.any(String) }] });

    expect((await system.call('/api/orgs', { token: writer })).status).toBe(200);
    expect((await write(other)).status).toBe(403);

    await pause(Number(throttled.headers.get('retry-after')) * 1000);
    expect((await write(writer)).status).toBe(403);
  });

  it('refuses JSON nested past MAX_JSON_DEPTH naming body, and parses what is within it', async () => {
    const nested = (depth: number) => `{"name":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    const tooDeep = await system.call('/api/enterprises', { method: 'POST', body: nested(9), headers: { 'content-type': 'application/json' } });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.details).toEqual([{ field: 'body', reason: expect.any(String) }]);
    const withinLimit = await system.call('/api/enterprises', { method: 'POST', body: nested(8), headers: { 'content-type': 'application/json' } });
    expect(withinLimit.status).toBe(400);
    expect(withinLimit.body.details).toContainEqual({ field: 'name', reason: expect.any(String) });
  });

  it('listens on loopback only unless HOST is set', async () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(url.hostname).toBe('127.0.0.1');
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    if (!outside) return; // a machine with loopback only: nothing to be unreachable from
    const reached = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(url.port), outside.address, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    expect(reached).toBe(false);
  });
});
