import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AllocateBudgetDto, ClawBackSubsidyDto, GrantSubsidyDto, ReduceBudgetDto } from './dtos';
import { fundingBudgetStreamId, parseFundingBudgetStreamId } from './streams';
import { FUNDING_EVENT_TYPES, FUNDING_SCHEMA_VERSIONS, fenToYuan, isFundingEvent, yuanToFen } from './events';

const errorsOf = <T extends object>(type: new () => T, body: object) =>
  validateSync(plainToInstance(type, body), { whitelist: true, forbidNonWhitelisted: true }).map((e) => e.property);

describe('funding DTOs', () => {
  it('accept a budget allocation in whole fen and reject anything else', () => {
    expect(errorsOf(AllocateBudgetDto, { district: '430104', year: 2024, amountFen: 1_000_000_000 })).toEqual([]);
    expect(errorsOf(AllocateBudgetDto, { district: '430104', year: 2024, amountFen: 10.5 })).toEqual(['amountFen']);
    expect(errorsOf(AllocateBudgetDto, { district: 'changsha', year: 2024, amountFen: 1 })).toEqual(['district']);
  });

  it('want a reason to reduce a budget', () => {
    expect(errorsOf(ReduceBudgetDto, { district: '430104', year: 2024, amountFen: 1 })).toEqual(['reason']);
  });

  it('accept a grant of a known item justified by events', () => {
    const grant = { district: '430104', year: 2024, orgId: 'org-a', item: 'venue_construction', venueScale: 'large', justifiedBy: ['evt-1'] };
    expect(errorsOf(GrantSubsidyDto, grant)).toEqual([]);
    expect(errorsOf(GrantSubsidyDto, { ...grant, item: 'bonus' })).toEqual(['item']);
    expect(errorsOf(GrantSubsidyDto, { ...grant, venueScale: 'huge' })).toEqual(['venueScale']);
    expect(errorsOf(GrantSubsidyDto, { ...grant, justifiedBy: [] })).toEqual(['justifiedBy']);
    expect(errorsOf(GrantSubsidyDto, { ...grant, orgFormedOn: 'last spring' })).toEqual(['orgFormedOn']);
  });

  it('want a reason and evidence to claw back', () => {
    expect(errorsOf(ClawBackSubsidyDto, { district: '430104', year: 2024, grantId: 'g-1' }).sort()).toEqual(['justifiedBy', 'reason']);
  });
});

describe('funding stream ids and money', () => {
  it('name one budget stream per district and year, and read it back', () => {
    expect(fundingBudgetStreamId('430104', 2024)).toBe('funding-budget-430104-2024');
    expect(parseFundingBudgetStreamId('funding-budget-430104-2024')).toEqual({ district: '430104', year: 2024 });
    expect(parseFundingBudgetStreamId('org-430104')).toBeUndefined();
  });

  it('convert yuan to fen without floating-point drift', () => {
    expect(yuanToFen(23.45)).toBe(2345);
    expect(yuanToFen(80_000)).toBe(8_000_000);
    expect(fenToYuan(2345)).toBe(23.45);
  });
});

describe('funding event guards', () => {
  it('recognise funding events and nothing else', () => {
    expect(isFundingEvent({ type: 'SubsidyGranted' })).toBe(true);
    expect(isFundingEvent({ type: 'OrgFormed' })).toBe(false);
    expect(Object.keys(FUNDING_SCHEMA_VERSIONS).sort()).toEqual([...FUNDING_EVENT_TYPES].sort());
  });
});
