import { redactedUrl } from './redacted-url';

describe('redactedUrl', () => {
  it.each([
    ['postgres://liangxin:s3cret@db.internal:5432/liangxin', 'postgres://db.internal:5432/liangxin'],
    ['postgresql://user@127.0.0.1/events?sslmode=require&password=s3cret', 'postgresql://127.0.0.1/events'],
    ['kurrentdb://admin:changeit@kurrent:2113?tls=false', 'kurrentdb://kurrent:2113'],
    ['esdb+discover://admin:changeit@cluster.local:2113?tls=true', 'esdb+discover://cluster.local:2113'],
    ['mongodb+srv://reader:p%40ss@cluster0.example.net/readmodels?retryWrites=true&authSource=admin', 'mongodb+srv://cluster0.example.net/readmodels'],
    ['mongodb://u:pw@mongo-a:27017,mongo-b:27017/liangxin?replicaSet=rs0', 'mongodb://mongo-a:27017,mongo-b:27017/liangxin'],
    ['nats://token123@nats-1:4222,nats://user:pw@nats-2:4222', 'nats://nats-1:4222,nats://nats-2:4222'],
    ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4222'],
    ['postgres://u:pa/ss@w:rd@db:5432/x#frag', 'postgres://db:5432/x'],
  ])('%s → %s', (url, redacted) => {
    expect(redactedUrl(url)).toBe(redacted);
    expect(redactedUrl(url)).not.toMatch(/s3cret|changeit|p%40ss|pw@|token123|pa\/ss/);
  });

  it('does not echo something that is not a URL, which may still hold a password', () => {
    expect(redactedUrl('postgres:liangxin:s3cret@db/liangxin')).toBe('(a malformed URL)');
    expect(redactedUrl('user:s3cret@')).toBe('(a malformed URL)');
    expect(redactedUrl('postgres://user:s3cret@')).toBe('(a malformed URL)');
    expect(redactedUrl(undefined)).toBe('(no URL)');
    expect(redactedUrl('  ')).toBe('(no URL)');
  });
});
