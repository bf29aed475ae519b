import assert from 'node:assert/strict';
import { englishOf, type CoreMessage } from '../../../src/core/messages';
import { bestAccount, describeFamilies, familyOfModel, parseFamilies, scoreAccounts, type ScorableAccount } from '../../../src/core/ide/score';

const NOW = 1_800_000_000_000;
const account = (email: string, models: ScorableAccount['models'], state = 'active'): ScorableAccount => ({ id: email.split('@')[0], email, state, models });
const q = (model: string, remainingFraction: number, resetAt?: number, limitUntil?: number) => ({
  model,
  remainingFraction,
  ...(resetAt ? { resetAt } : {}),
  ...(limitUntil ? { limit: { until: limitUntil } } : {}),
});

/** The host's join of the families' messages, in English. */
const familiesInEnglish = (families: CoreMessage[]) => families.map(englishOf).join(' · ');

describe('Antigravity IDE: the best account', () => {
  it('maps models to families', () => {
    assert.equal(familyOfModel('claude-sonnet-4-6'), 'claude');
    assert.equal(familyOfModel('gemini-3.1-pro-high'), 'gemini-pro');
    assert.equal(familyOfModel('gemini-3-flash'), 'gemini-flash');
    assert.equal(familyOfModel('gemini-3-pro-image'), undefined);
  });

  it('scores by the chosen family that runs out first, then the mean, then the sooner reset', () => {
    const accounts = [
      account('a@x', [q('claude-sonnet-4-6', 0.9), q('gemini-3-flash', 0.2)]),
      account('b@x', [q('claude-sonnet-4-6', 0.5), q('gemini-3-flash', 0.5)]),
      account('c@x', [q('claude-sonnet-4-6', 0.5, NOW + 3_600_000), q('gemini-3-flash', 0.5)]),
      account('d@x', [q('claude-sonnet-4-6', 1)], 'disabled'),
    ];
    const both = scoreAccounts(accounts, ['claude', 'gemini-flash'], NOW);
    assert.deepEqual(
      both.map((s) => [s.email, s.score, s.eligible]),
      [
        ['c@x', 50, true],
        ['b@x', 50, true],
        ['a@x', 20, true],
        ['d@x', 0, false],
      ],
    );
    const claudeOnly = scoreAccounts(accounts, ['claude'], NOW, 'a@x');
    assert.equal(claudeOnly[0].email, 'a@x');
    assert.equal(claudeOnly[0].current, true);
    assert.equal(bestAccount(claudeOnly)?.email, 'c@x', 'the current account is not a candidate');
    assert.equal(familiesInEnglish(describeFamilies(both[0])), 'Claude 50% · Gemini Flash 50%');
  });

  it('a passed reset counts as full; a rate-limited model as empty; a missing family disqualifies', () => {
    const scores = scoreAccounts(
      [
        account('refilled@x', [q('claude-opus-4-6-thinking', 0, NOW - 1000)]),
        account('limited@x', [q('claude-opus-4-6-thinking', 0.8, undefined, NOW + 60_000)]),
        account('gemini@x', [q('gemini-3-flash', 1)]),
      ],
      ['claude'],
      NOW,
    );
    assert.deepEqual(
      scores.map((s) => [s.email, s.score, s.reason && englishOf(s.reason)]),
      [
        ['refilled@x', 100, undefined],
        ['gemini@x', 0, 'no Claude models'],
        ['limited@x', 0, 'a chosen family has no quota left'],
      ],
    );
    assert.equal(familiesInEnglish(describeFamilies(scores[0])), 'Claude 100% (refilled)');
  });

  it('parses family lists', () => {
    assert.deepEqual(parseFamilies('claude, gemini-pro'), ['claude', 'gemini-pro']);
    assert.throws(() => parseFamilies('gpt'), /unknown model family gpt/);
  });
});
