import assert from 'node:assert/strict';
import { ThoughtSigner } from '../../../src/simulator/signatures';

describe('simulator thought signatures', () => {
  const signer = new ThoughtSigner('key-one');

  it('issues opaque base64url signatures of at least 50 characters that verify to their family and subject', () => {
    const signature = signer.sign('gemini', 'call:sim-call-1-1');
    assert.match(signature, /^[A-Za-z0-9_-]{50,}$/);
    assert.deepEqual(signer.verify(signature), { family: 'gemini', subject: 'call:sim-call-1-1' });
    assert.deepEqual(signer.verify(signer.sign('claude', 'response:r1')), { family: 'claude', subject: 'response:r1' });
  });

  it('refuses anything it did not issue', () => {
    const signature = signer.sign('claude', 'response:r1');
    assert.equal(new ThoughtSigner('key-two').verify(signature), undefined, 'another simulator’s key');
    assert.equal(signer.verify(`${signature.slice(0, -2)}AA`), undefined, 'a tampered MAC');
    const raw = Buffer.from(signature, 'base64url');
    raw[1] = 'g'.charCodeAt(0); // claude → glaude: the payload no longer matches its MAC
    assert.equal(signer.verify(raw.toString('base64url')), undefined);
    assert.equal(signer.verify('skip_thought_signature_validator'), undefined);
    assert.equal(signer.verify(''), undefined);
  });

  it('with a fixed secret, signatures are reproducible across instances', () => {
    assert.equal(new ThoughtSigner('k').sign('gemini', 'x'), new ThoughtSigner('k').sign('gemini', 'x'));
  });
});
