import type { ChatRequest } from '../../../ir';
import type { ToolNameMap } from './tool-names';

/** Request parameters a Response object repeats back (OpenAI's `Response` carries them). */
export interface ResponseEcho {
  instructions: string | null;
  max_output_tokens: number | null;
  metadata: Record<string, unknown>;
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  temperature: number | null;
  text: { format: Record<string, unknown> };
  tool_choice: unknown;
  tools: unknown[];
  top_p: number | null;
  truncation: string;
  user: string | null;
}

/** What the Responses encoders need beyond the IR; the request's `inboundCodecState`. */
export class ResponsesRequestState {
  constructor(
    /** Keep the answer for `previous_response_id` (`store !== false`). */
    readonly store: boolean,
    /** `include: ["reasoning.encrypted_content"]`: hand signatures to the client in reasoning items. */
    readonly includeEncryptedReasoning: boolean,
    readonly toolNames: ToolNameMap,
    readonly echo: ResponseEcho,
  ) {}
}

export function responsesStateOf(request: ChatRequest): ResponsesRequestState {
  const state = request.inboundCodecState;
  if (!(state instanceof ResponsesRequestState)) {
    // Only this codec's decodeRequest builds Responses requests; anything else is a wiring bug.
    throw new Error('Responses encoder given a request that the Responses codec did not decode');
  }
  return state;
}
