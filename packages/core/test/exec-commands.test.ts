import { mergeExecCommands } from '../src';

describe('mergeExecCommands', () => {
  it('uses the global list when the mirror has none', () => {
    expect(mergeExecCommands(['g1', 'g2'], undefined, undefined)).toEqual(['g1', 'g2']);
  });
  it("replaces the global list with the mirror's own", () => {
    expect(mergeExecCommands(['g1'], ['m1', 'm2'], undefined)).toEqual(['m1', 'm2']);
  });
  it('appends the extra list to whichever applies', () => {
    expect(mergeExecCommands(['g1'], undefined, ['e1'])).toEqual(['g1', 'e1']);
    expect(mergeExecCommands(['g1'], ['m1'], ['e1', 'e2'])).toEqual(['m1', 'e1', 'e2']);
  });
  it('lets an explicitly empty mirror list opt out of the global one', () => {
    expect(mergeExecCommands(['g1'], [], ['e1'])).toEqual(['e1']);
  });
  it('gives an empty list when nothing is set', () => {
    expect(mergeExecCommands(undefined, undefined, undefined)).toEqual([]);
  });
  it('never returns or changes its inputs', () => {
    const global = ['g'];
    const merged = mergeExecCommands(global, undefined, ['e']);
    merged.push('x');
    expect(global).toEqual(['g']);
  });
});
