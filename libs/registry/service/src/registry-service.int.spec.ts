import { RegistryCommands } from '@liangxin/contracts';
import { ServiceTestbed } from '@liangxin/platform/testing';
import { RegistryServiceModule } from './registry-service.module';

describe('registry service: a command without a credit code string (in-process transport and SQLite)', () => {
  let testbed: ServiceTestbed;

  beforeEach(async () => {
    testbed = await ServiceTestbed.start({ name: 'registry', module: RegistryServiceModule, actor: 'officer:li', scope: { role: 'officer', districts: ['430104'] } });
  });

  afterEach(async () => {
    await testbed.close();
  });

  it.each([
    ['a number', 91430105],
    ['an object', { district: '430104' }],
    ['missing', undefined],
  ])('refuses a creditCode that is %s before any tenancy or ledger check, and appends nothing', async (_what, creditCode) => {
    const changeEmployees = { creditCode, employees: 12 };
    expect(await testbed.refusalCode(RegistryCommands.ChangeEmployeeCount, changeEmployees)).toBe('CREDIT_CODE_REQUIRED');
    expect(await testbed.store.headPosition()).toBe(0);
  });
});
