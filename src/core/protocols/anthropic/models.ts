import type { CatalogModel } from '../../dispatch';

/** Anthropic's `ModelInfo`, as `GET /v1/models` returns it to clients that send `anthropic-version`. */
export interface AnthropicModelInfo {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
  max_input_tokens: number | null;
  max_tokens: number | null;
  lifecycle: 'active';
  deprecated_at: null;
  retires_at: null;
  /** Anthropic's schema requires every capability key when present; null is its documented "unknown". */
  capabilities: null;
  /** Anthropic warns against inferring a line from the id, and upstream models have none. */
  line: null;
}

/** Anthropic documents the epoch for an unknown release date; the upstream reports none. */
const UNKNOWN_RELEASE = new Date(0).toISOString();

export function encodeModel(model: CatalogModel): AnthropicModelInfo {
  return {
    type: 'model',
    id: model.id,
    display_name: model.displayName,
    created_at: UNKNOWN_RELEASE,
    max_input_tokens: model.inputTokenLimit ?? null,
    max_tokens: model.outputTokenLimit ?? null,
    lifecycle: 'active',
    deprecated_at: null,
    retires_at: null,
    capabilities: null,
    line: null,
  };
}

export interface AnthropicModelList {
  data: AnthropicModelInfo[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

/** The whole catalog as one page (the gateway's list is short; `has_more` is always false). */
export function encodeModelList(models: CatalogModel[]): AnthropicModelList {
  const data = models.map(encodeModel);
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
}
