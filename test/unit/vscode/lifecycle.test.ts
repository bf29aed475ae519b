import assert from 'node:assert/strict';
import { Disposable } from '../../../src/vscode/lifecycle';

class Owner extends Disposable {
  add(name: string, log: string[], fail = false) {
    return this.register({
      dispose: () => {
        log.push(name);
        if (fail) throw new Error(`${name} failed`);
      },
    });
  }
}

describe('vscode lifecycle: Disposable', () => {
  it('disposes what it registered, newest first, once', () => {
    const log: string[] = [];
    const owner = new Owner();
    owner.add('listener', log);
    owner.add('panel', log);
    owner.dispose();
    owner.dispose();
    assert.deepEqual(log, ['panel', 'listener']);
    assert.equal(owner.isDisposed, true);
  });

  it('disposes at once what is registered after its disposal', () => {
    const log: string[] = [];
    const owner = new Owner();
    owner.dispose();
    owner.add('late listener', log);
    assert.deepEqual(log, ['late listener']);
  });

  it('a failing disposal does not keep the others alive', () => {
    const log: string[] = [];
    const owner = new Owner();
    owner.add('first', log);
    owner.add('broken', log, true);
    owner.add('last', log);
    assert.throws(() => owner.dispose(), /broken failed/);
    assert.deepEqual(log, ['last', 'broken', 'first']);
  });
});
