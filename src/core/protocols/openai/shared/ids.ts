import { randomBytes } from 'node:crypto';

/** OpenAI-shaped ids: a type prefix and random hex (`chatcmpl-…`, `resp_…`, `call_…`). */
export const openAIId = (prefix: string): string => `${prefix}${randomBytes(16).toString('hex')}`;

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
