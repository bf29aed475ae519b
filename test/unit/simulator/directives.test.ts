import assert from 'node:assert/strict';
import { parseDirectives } from '../../../src/simulator/directives';

describe('simulator directives', () => {
  it('reads calls with JSON arguments, even with brackets and braces inside strings', () => {
    assert.deepEqual(parseDirectives('Do it [[sim:call run {"cmd":"echo }]] {x}","n":[[1]]}]] please [[sim:call ls]]'), [
      { kind: 'call', name: 'run', args: { cmd: 'echo }]] {x}', n: [[1]] } },
      { kind: 'call', name: 'ls', args: {} },
    ]);
  });

  it('reads word counts and faults with parameters', () => {
    assert.deepEqual(parseDirectives('[[sim:words 12]]'), [{ kind: 'words', count: 12 }]);
    assert.deepEqual(parseDirectives('[[sim:fault reset_after {"frames":3}]]'), [{ kind: 'fault', fault: { kind: 'reset_after', frames: 3 } }]);
    assert.deepEqual(parseDirectives('[[sim:fault capacity]]'), [{ kind: 'fault', fault: { kind: 'capacity' } }]);
  });

  it('ignores text without directives', () => {
    assert.deepEqual(parseDirectives('plain [[wiki]] text'), []);
  });

  it('refuses malformed directives loudly', () => {
    for (const text of [
      '[[sim:dance]]',
      '[[sim:words -1]]',
      '[[sim:words 10',
      '[[sim:call]]',
      '[[sim:call f {"a":}]]',
      '[[sim:call f ["a"]]]',
      '[[sim:fault meteor]]',
      '[[sim:fault hang {"colour":"red"}]]',
    ]) {
      assert.throws(() => parseDirectives(text), /Invalid simulator directive/, text);
    }
  });
});
