import type { CatalogModel } from '../../dispatch';

export interface OpenAIModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/**
 * The upstream publishes no creation dates; a fixed date keeps `/v1/models`
 * stable between calls (clients that sort by `created` see one order).
 */
const CREATED = Math.floor(Date.UTC(2026, 0, 1) / 1000);

/** Who makes the model, by its id; aliases and groups are the gateway's own names. */
function ownerOf(model: CatalogModel): string {
  if (model.kind !== 'model') return 'agate';
  if (model.id.startsWith('claude')) return 'anthropic';
  if (model.id.startsWith('gemini')) return 'google';
  if (model.id.startsWith('gpt')) return 'openai';
  return 'agate';
}

export const encodeModel = (model: CatalogModel): OpenAIModel => ({
  id: model.id,
  object: 'model',
  created: CREATED,
  owned_by: ownerOf(model),
});

/** `GET /v1/models`. */
export const encodeModelList = (models: CatalogModel[]): { object: 'list'; data: OpenAIModel[] } => ({
  object: 'list',
  data: models.map(encodeModel),
});
