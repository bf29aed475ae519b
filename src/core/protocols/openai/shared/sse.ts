import type { GatewayError } from '../../../errors';
import { openAIErrorObject } from './errors';

/** Server-sent-event framing shared by the three OpenAI stream encoders. */

export const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';

/** Chat and Completions frames carry no `event:` line. */
export const dataFrame = (payload: unknown): string => `data: ${JSON.stringify(payload)}\n\n`;

/** Responses frames name their event type. */
export const eventFrame = (type: string, payload: unknown): string => `event: ${type}\ndata: ${JSON.stringify(payload)}\n\n`;

export const DONE_FRAME = 'data: [DONE]\n\n';

/** An SSE comment: every client ignores it, proxies see traffic. */
export const KEEP_ALIVE_FRAME = ': keep-alive\n\n';

/**
 * A failure after a Chat/Completions stream began. The openai SDKs turn a data
 * frame with an `error` member into an APIError (openai-node `Stream`).
 */
export const errorDataFrame = (err: GatewayError): string => dataFrame({ error: openAIErrorObject(err) });
