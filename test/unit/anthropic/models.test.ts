import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type { CatalogModel } from '../../../src/core/dispatch';
import { anthropicCodec } from '../../../src/core/protocols/anthropic';
import type { ProtocolRegistry } from '../../../src/core/protocols/registry';
import { sdkLoopback, sendJson } from '../../helpers/sdk-loopback';

const catalog: CatalogModel[] = [
  { id: 'claude-sonnet-4-6', displayName: 'Claude Sonnet 4.6', kind: 'model', inputTokenLimit: 200000, outputTokenLimit: 64000 },
  { id: 'claude-sonnet-4-5', displayName: 'claude-sonnet-4-5 → claude-sonnet-4-6', kind: 'alias', target: ['claude-sonnet-4-6'] },
];

describe('anthropic models list', () => {
  it('the codec fills the anthropic slot of the protocol registry (type-checked)', () => {
    const slot: ProtocolRegistry['anthropic'] = anthropicCodec;
    assert.equal(slot.protocol, 'anthropic');
  });

  it('describes a model with its limits and unknowns as Anthropic documents them', () => {
    assert.deepEqual(anthropicCodec.encodeModel(catalog[0]), {
      type: 'model',
      id: 'claude-sonnet-4-6',
      display_name: 'Claude Sonnet 4.6',
      created_at: '1970-01-01T00:00:00.000Z',
      max_input_tokens: 200000,
      max_tokens: 64000,
      lifecycle: 'active',
      deprecated_at: null,
      retires_at: null,
      capabilities: null,
      line: null,
    });
  });

  it('the SDK pages through the list', async () => {
    const loopback = await sdkLoopback((_request, res) => sendJson(res, 200, anthropicCodec.encodeModelList(catalog)));
    try {
      const client = new Anthropic({ baseURL: loopback.baseUrl, apiKey: 'x', maxRetries: 0 });
      const ids: string[] = [];
      for await (const model of client.models.list()) ids.push(model.id);
      assert.deepEqual(ids, ['claude-sonnet-4-6', 'claude-sonnet-4-5']);
    } finally {
      await loopback.close();
    }
  });

  it('an empty catalog is an empty page', () => {
    assert.deepEqual(anthropicCodec.encodeModelList([]), { data: [], has_more: false, first_id: null, last_id: null });
  });
});
