/** The model catalog as Gemini's `models.list` / `models.get` answers. */
import type { CatalogModel } from '../../dispatch';

export interface GeminiModel {
  name: string;
  baseModelId: string;
  version: string;
  displayName: string;
  description: string;
  inputTokenLimit?: number;
  outputTokenLimit?: number;
  supportedGenerationMethods: string[];
  thinking?: boolean;
}

const GENERATION_METHODS = ['generateContent', 'streamGenerateContent', 'countTokens'];

function describe(model: CatalogModel): string {
  const targets = (model.target ?? []).join(', ');
  if (model.kind === 'alias') return `Alias of ${targets}`;
  if (model.kind === 'group') return `Model group: ${targets}`;
  return model.displayName;
}

/**
 * `version` is the id itself: the upstream serves whatever that id currently
 * stands for and publishes no separate version label.
 */
export function encodeModel(model: CatalogModel): GeminiModel {
  const encoded: GeminiModel = {
    name: `models/${model.id}`,
    baseModelId: model.id,
    version: model.id,
    displayName: model.displayName,
    description: describe(model),
    supportedGenerationMethods: [...GENERATION_METHODS],
  };
  if (model.inputTokenLimit !== undefined) encoded.inputTokenLimit = model.inputTokenLimit;
  if (model.outputTokenLimit !== undefined) encoded.outputTokenLimit = model.outputTokenLimit;
  if (model.supportsThinking !== undefined) encoded.thinking = model.supportsThinking;
  return encoded;
}

export const encodeModelList = (models: CatalogModel[]): { models: GeminiModel[] } => ({ models: models.map(encodeModel) });
