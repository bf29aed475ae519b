import { randomText } from '../../../random-pool';

/** OpenAI-shaped ids: a type prefix and random hex (`chatcmpl-…`, `resp_…`, `call_…`). */
export const openAIId = (prefix: string): string => `${prefix}${randomText(16, 'hex')}`;

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
