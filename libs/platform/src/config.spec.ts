import { ConfigError, DEFAULT_REQUEST_LIMITS, loadConfig, requireOperatorSecrets } from './config';

describe('loadConfig', () => {
  it('defaults to the embedded mode on port 3000 with durable appends', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ mode: 'embedded', port: 3000, durability: 'fsync', maxDeliveries: 5, coverageTarget: 0.75 });
    expect(config.dataDir).toMatch(/data$/);
  });

  it('switches to distributed mode when all three servers are named', () => {
    const config = loadConfig({ NATS_URL: 'nats://n:4222', KURRENTDB_URL: 'kurrentdb://k:2113?tls=false', MONGODB_URL: 'mongodb://m/l' });
    expect(config.mode).toBe('distributed');
  });

  it('runs distributed mode on NATS and PostgreSQL alone (DATABASE_URL), or with PostgreSQL for what KurrentDB or MongoDB does not hold', () => {
    expect(loadConfig({ NATS_URL: 'nats://n:4222', DATABASE_URL: 'postgres://p/l' })).toMatchObject({ mode: 'distributed', databaseUrl: 'postgres://p/l' });
    expect(loadConfig({ NATS_URL: 'nats://n:4222', DATABASE_URL: 'postgres://p/l', MONGODB_URL: 'mongodb://m/l' }).mode).toBe('distributed');
    expect(loadConfig({ NATS_URL: 'nats://n:4222', DATABASE_URL: 'postgres://p/l', KURRENTDB_URL: 'kurrentdb://k:2113' }).mode).toBe('distributed');
    expect(() => loadConfig({ DATABASE_URL: 'postgres://p/l', MONGODB_URL: 'mongodb://m/l' })).toThrow(/NATS_URL/);
    expect(() => loadConfig({ NATS_URL: 'nats://n:4222', KURRENTDB_URL: 'kurrentdb://k:2113' })).toThrow(/MONGODB_URL/);
  });

  it('keeps the all-in-one process with DATABASE_URL alone, on PostgreSQL instead of the SQLite files', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://p/l' })).toMatchObject({ mode: 'embedded', databaseUrl: 'postgres://p/l' });
    expect(loadConfig({}).databaseUrl).toBeUndefined();
  });

  it('reads NATS_URL as a comma-separated list of seed servers (a cluster)', () => {
    expect(loadConfig({ NATS_URL: 'nats://a:4222, nats://b:4222', DATABASE_URL: 'postgres://p/l' }).natsServers).toEqual(['nats://a:4222', 'nats://b:4222']);
    expect(loadConfig({ NATS_URL: 'nats://a:4222', DATABASE_URL: 'postgres://p/l' }).natsServers).toEqual(['nats://a:4222']);
  });

  it('refuses a half-distributed setup, naming what is missing', () => {
    expect(() => loadConfig({ NATS_URL: 'nats://n:4222' })).toThrow(ConfigError);
    expect(() => loadConfig({ NATS_URL: 'nats://n:4222' })).toThrow(/DATABASE_URL/);
  });

  it('refuses nonsense values with the variable named', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadConfig({ DURABILITY: 'maybe' })).toThrow(/DURABILITY/);
    expect(() => loadConfig({ COVERAGE_TARGET: '75' })).toThrow(/COVERAGE_TARGET/);
  });

  it('listens on loopback with generous request limits unless told otherwise', () => {
    const config = loadConfig({});
    expect(config.host).toBe('127.0.0.1');
    expect(config.limits).toEqual(DEFAULT_REQUEST_LIMITS);
    const set = loadConfig({ HOST: '0.0.0.0', MAX_JSON_DEPTH: '8', HEADERS_TIMEOUT_MS: '500', REQUEST_TIMEOUT_MS: '1000', SSE_CONNECTIONS_PER_TOKEN: '2', SSE_CONNECTIONS_TOTAL: '3', WRITES_PER_SECOND: '4', WRITE_BURST: '5' });
    expect(set.host).toBe('0.0.0.0');
    expect(set.limits).toEqual({ maxJsonDepth: 8, headersTimeoutMs: 500, requestTimeoutMs: 1000, sseConnectionsPerToken: 2, sseConnectionsTotal: 3, writesPerSecond: 4, writeBurst: 5 });
  });

  it('refuses limits that are not plain positive whole numbers, or a header timeout past the request timeout', () => {
    expect(() => loadConfig({ MAX_JSON_DEPTH: ' 3 ' })).toThrow(/MAX_JSON_DEPTH/);
    expect(() => loadConfig({ WRITES_PER_SECOND: '0x10' })).toThrow(/WRITES_PER_SECOND/);
    expect(() => loadConfig({ HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '1000' })).toThrow(/HEADERS_TIMEOUT_MS/);
  });

  it('reads what JetStream keeps of the events from the environment (unset: the topology\'s defaults)', () => {
    expect(loadConfig({})).toMatchObject({ streamMaxAgeMs: undefined, streamMaxBytes: undefined });
    expect(loadConfig({ EVENT_STREAM_MAX_AGE_HOURS: '2', EVENT_STREAM_MAX_BYTES: '1000000' })).toMatchObject({ streamMaxAgeMs: 7_200_000, streamMaxBytes: 1_000_000 });
    expect(() => loadConfig({ EVENT_STREAM_MAX_AGE_HOURS: '0' })).toThrow(/EVENT_STREAM_MAX_AGE_HOURS/);
  });
});

describe('requireOperatorSecrets', () => {
  const distributed = loadConfig({ NATS_URL: 'nats://n:4222', DATABASE_URL: 'postgres://p/l' });
  const strong = { adminToken: 'a-token-nobody-guesses-1', jwtSecret: 'a-secret-nobody-guesses-2' };

  it('refuses distributed mode without ADMIN_TOKEN or JWT_SECRET, or with the placeholders examples used to carry', () => {
    expect(() => requireOperatorSecrets({ ...distributed, ...strong, jwtSecret: undefined })).toThrow(/JWT_SECRET/);
    expect(() => requireOperatorSecrets({ ...distributed, ...strong, adminToken: undefined })).toThrow(/ADMIN_TOKEN/);
    expect(() => requireOperatorSecrets({ ...distributed, ...strong, adminToken: 'change-me' })).toThrow(/ADMIN_TOKEN.*placeholder/);
    expect(() => requireOperatorSecrets({ ...distributed, ...strong, jwtSecret: 'change-me-too' })).toThrow(/JWT_SECRET.*placeholder/);
    expect(() => requireOperatorSecrets({ ...distributed, ...strong, jwtSecret: 'short' })).toThrow(/JWT_SECRET.*16/);
  });

  it('lets distributed mode start on secrets of its own, and the embedded mode generate them', () => {
    expect(() => requireOperatorSecrets({ ...distributed, ...strong })).not.toThrow();
    expect(() => requireOperatorSecrets(loadConfig({}))).not.toThrow();
  });
});
