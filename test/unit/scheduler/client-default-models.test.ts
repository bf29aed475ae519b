/**
 * The model ids clients send when the user names none reach a sensible
 * upstream model through the built-in aliases — by tier patterns, so that
 * the next release's id (gpt-7, claude-opus-5, gemini-4-pro) works as well.
 */
import assert from 'node:assert/strict';
import { type LiveModels, resolveModel } from '../../../src/core/scheduler/model-router';

const live: LiveModels = {
  known: true,
  ids: new Set([
    'claude-opus-4-6-thinking',
    'claude-sonnet-4-6',
    'gemini-3-flash',
    'gemini-3.1-flash-lite',
    'gemini-3.1-pro-high',
    'gemini-3.1-pro-low',
    'gemini-2.5-flash',
    'gemini-2.5-pro',
    'gpt-oss-120b-medium',
  ]),
  deprecated: {},
};
const upstreamOf = (model: string) => resolveModel(model, { aliases: {}, groups: {} }, live).models;

describe('scheduler: client default model ids', () => {
  const cases: Array<[string, string, string]> = [
    ['Codex 0.169 default', 'gpt-6.1-sol', 'gemini-3.1-pro-high'],
    ['a later Codex default', 'gpt-7-codex', 'gemini-3.1-pro-high'],
    ['a small OpenAI model', 'gpt-6.1-mini', 'gemini-3-flash'],
    ['Claude Code 2.1 default (Opus)', 'claude-opus-4-8', 'claude-opus-4-6-thinking'],
    ['a later Opus', 'claude-opus-5-20270101', 'claude-opus-4-6-thinking'],
    ['Claude Code sonnet', 'claude-sonnet-4-7', 'claude-sonnet-4-6'],
    ['an old-style Claude name', 'claude-3-7-sonnet-latest', 'claude-sonnet-4-6'],
    ['Claude Code background (Haiku)', 'claude-haiku-4-5-20251001', 'gemini-3-flash'],
    ["gemini-cli's router classifier", 'gemini-3.5-flash-lite', 'gemini-3.1-flash-lite'],
    ["gemini-cli's pro choice", 'gemini-3.5-pro', 'gemini-3.1-pro-high'],
    ["gemini-cli's flash choice", 'gemini-3.5-flash', 'gemini-3-flash'],
    ['an id gemini-cli rewrites', 'gemini-3.8-flash', 'gemini-3-flash'],
    ['a later Gemini', 'gemini-4-pro-preview', 'gemini-3.1-pro-high'],
    ['a Gemini 2.5 id stays on its own line', 'gemini-2.5-flash-preview-09-2025', 'gemini-2.5-flash'],
  ];
  for (const [what, model, upstream] of cases) {
    it(`${what}: ${model} → ${upstream}`, () => assert.deepEqual(upstreamOf(model), [upstream]));
  }

  it('a live id is never aliased', () => assert.deepEqual(upstreamOf('gemini-3.1-pro-low'), ['gemini-3.1-pro-low']));
});
