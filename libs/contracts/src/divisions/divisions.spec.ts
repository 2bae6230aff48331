import { divisionFullName, divisionName, divisionSource } from './divisions';

describe('GB/T 2260 division names', () => {
  it('names the districts of the seed reports', () => {
    expect(divisionName('430104')).toBe('岳麓区');
    expect(divisionName('361102')).toBe('信州区');
    expect(divisionFullName('430104')).toBe('湖南省长沙市岳麓区');
    expect(divisionFullName('430000')).toBe('湖南省');
  });

  it('knows no name for a code outside the table', () => {
    expect(divisionName('999999')).toBeUndefined();
    expect(divisionFullName('000000')).toBeUndefined();
  });

  it('says where its names come from', () => {
    expect(divisionSource()).toMatch(/GB\/T 2260/);
  });
});
