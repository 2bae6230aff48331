import { connect, createServer, type Server } from 'node:net';
import { Logger } from '@nestjs/common';
import { DependencyMisconfiguredError, DependencyUnavailableError, waitFor } from './wait-for';

/** Opens a TCP connection to the port, rejecting while nothing listens there. */
const reach = (port: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(`reached ${port}`);
    });
    socket.once('error', reject);
  });

const listenOn = (server: Server, port = 0): Promise<number> =>
  new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));

class RecordingLogger extends Logger {
  readonly warnings: string[] = [];
  override warn(message: string): void {
    this.warnings.push(message);
  }
  override log(): void {
    // quiet
  }
}

describe('waitFor', () => {
  it('retries with growing delays while the dependency is down, saying what it waits for, and returns once it is up', async () => {
    const server = createServer();
    const port = await listenOn(server);
    await new Promise((resolve) => server.close(resolve));
    const logger = new RecordingLogger();
    setTimeout(() => void listenOn(server, port), 400);
    try {
      await expect(waitFor('the test server', () => reach(port), { initialDelayMs: 50, maxDelayMs: 200 }, logger)).resolves.toBe(`reached ${port}`);
    } finally {
      server.close();
    }
    expect(logger.warnings.length).toBeGreaterThanOrEqual(2);
    expect(logger.warnings[0]).toMatch(/^waiting for the test server: .*ECONNREFUSED.*; next attempt in 0\.1 s$/);
    expect(logger.warnings[1]).toMatch(/next attempt in 0\.1 s$/);
    expect(logger.warnings.at(-1)).toMatch(/next attempt in 0\.2 s$/);
  });

  it('gives up after its timeout, naming the dependency and the last error', async () => {
    const server = createServer();
    const port = await listenOn(server);
    await new Promise((resolve) => server.close(resolve));
    const error = await waitFor('the read-model store', () => reach(port), { initialDelayMs: 20, maxDelayMs: 40, timeoutMs: 200 }, new RecordingLogger()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect((error as DependencyUnavailableError).message).toMatch(/^the read-model store still unreachable after \d+ attempts: .*ECONNREFUSED/);
    expect((error as DependencyUnavailableError).attempts).toBeGreaterThan(2);
  });
});

describe('waitFor on an error waiting cannot mend', () => {
  it('stops at the first attempt with DependencyMisconfiguredError naming the dependency and the cause', async () => {
    const logger = new RecordingLogger();
    let attempts = 0;
    const wrongPassword = Object.assign(new Error('password authentication failed for user "liangxin"'), { code: '28P01' });
    const error = await waitFor(
      'the event store (PostgreSQL at postgres://db:5432/liangxin)',
      async () => {
        attempts++;
        throw wrongPassword;
      },
      { initialDelayMs: 20, maxDelayMs: 40 },
      logger,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyMisconfiguredError);
    expect((error as DependencyMisconfiguredError).message).toBe(
      'cannot open the event store (PostgreSQL at postgres://db:5432/liangxin): password authentication failed for user "liangxin". Waiting will not mend this: check the URL, user, password and database name',
    );
    expect((error as DependencyMisconfiguredError).cause).toBe(wrongPassword);
    expect(attempts).toBe(1);
    expect(logger.warnings).toEqual([]);
  });
});
