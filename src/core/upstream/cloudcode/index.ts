import { performance } from 'node:perf_hooks';
import type { GatewayConfig } from '../../config/types';
import type { ChatEvent, ChatRequest } from '../../ir';
import { silentLogger, type Clock, type Logger } from '../../ports';
import { UpstreamFailure } from '../failure';
import type { AccountApi, CodeAssistInfo, ModelQuotaSnapshot, Upstream, UpstreamCall } from '../upstream';
import { CloudCodeAccountApi } from './account-api';
import { CloudCodeClient, type FrameReader, type HostAttempt } from './client';
import type { UpstreamTransport } from '../transport';
import { countTokensBody, totalTokensOf } from './count-tokens';
import { ResponseDecoder } from './decode-response';
import { encodeRequest } from './encode-request';
import { serialiseEnvelope, serialiseEnvelopeInSlices, wrapInEnvelope } from './envelope';
import { SignatureCache } from './signatures';
import { answerThinks } from './models';
import { classifyHttpFailure, parseGoogleError } from './classify';

/** Encoding time (ms) from which the request body is serialised in slices (a conversation of a few MB; below, one stringify takes under ~10 ms). */
const SERIALISE_IN_SLICES_AFTER_MS = 5;

/**
 * The Antigravity Cloud Code upstream: generation (Upstream) and the
 * account-level calls (AccountApi) over one HTTP client.
 */

export type CloudCodeUpstreamOptions = GatewayConfig['upstream'] & {
  /** Accept answers from the Agate upstream simulator (tests and demos only). */
  allowSimulator?: boolean;
  /** Honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY when `proxy` is empty (the CLI host). */
  proxyFromEnvironment?: boolean;
  /** The connection layer, shared with OAuth; built from `proxy` and the options above when absent. */
  transport?: UpstreamTransport;
  logger?: Logger;
  /** Shared thought-signature cache; one per process is right. */
  signatures?: SignatureCache;
  clock?: Clock;
  onboardPollIntervalMs?: number;
  onboardMaxPolls?: number;
};

export interface CloudCodeUpstream extends Upstream, AccountApi {
  /**
   * The hosts tried for this call, in order (upstream-protocol §1 fallback); the last
   * one answered, or failed last. Filled as the call proceeds: read it once
   * `generate()`'s first `next()` settled, or `countTokens()` settled.
   */
  hostAttempts(call: UpstreamCall): readonly HostAttempt[];
  /** The host of the last attempt: what AttemptRecord.host logs. */
  hostOf(call: UpstreamCall): string | undefined;
  /** Releases the connection pools. */
  close(): Promise<void>;
}

export function createCloudCodeUpstream(options: CloudCodeUpstreamOptions): CloudCodeUpstream {
  const logger = options.logger ?? silentLogger;
  const signatures = options.signatures ?? new SignatureCache();
  const client = new CloudCodeClient({ ...options, logger });
  const accounts = new CloudCodeAccountApi(client, options);
  const attemptsByCall = new WeakMap<UpstreamCall, HostAttempt[]>();

  /** The hosts tried for the call, across its requests (a second try without signatures adds to the first's). */
  const trackAttempts = (call: UpstreamCall) => {
    let attempts = attemptsByCall.get(call);
    if (!attempts) attemptsByCall.set(call, (attempts = []));
    return (attempt: HostAttempt) => void attempts.push(attempt);
  };

  /** The answer as IR events; a refusal of replayed thought signatures is tried once more without them. */
  async function* generate(request: ChatRequest, call: UpstreamCall): AsyncGenerator<ChatEvent, void, undefined> {
    // Team mode: the previous turn's signatures may have been cached by another instance.
    await signatures.prefetch(request, call.model);
    // One generator for the whole answer, reading the HTTP body itself: every layer of async generators
    // between the socket and the client costs a few promises per event.
    for (let dropSignatures = false; ; dropSignatures = true) {
      let answered = false;
      let reader: FrameReader | undefined;
      try {
        const prepared = await prepare(request, call, dropSignatures);
        const { decoder } = prepared;
        if (prepared.atOnce) {
          const answer = await client.call({ method: 'generateContent', ...prepared.exchange });
          // An error inside a 200 (as a stream frame can carry) is classified the same way.
          const error = parseGoogleError(answer);
          if (error) throw classifyHttpFailure(error.code ?? 500, answer, { model: call.model });
          for (const event of decoder.decode(answer)) {
            answered = true;
            yield event;
          }
          if (!decoder.sawFinishReason) logger.warn('cloudcode answer ended without finishReason', { model: call.model });
          yield decoder.finish();
          return;
        }
        reader = await client.openStream({ method: 'streamGenerateContent', ...prepared.exchange });
        let frameCount = 0;
        for (let frames = await reader.next(); frames; frames = await reader.next()) {
          for (const frame of frames) {
            frameCount++;
            for (const event of decoder.decode(frame)) {
              answered = true;
              yield event;
            }
          }
        }
        if (frameCount === 0) {
          throw new UpstreamFailure('server', 'Cloud Code closed the stream without an answer', { model: call.model });
        }
        if (!decoder.sawFinishReason) {
          // Google always ends with a finishReason; peers treat its absence as a
          // normal end, and so do we, but it is worth seeing in the log.
          logger.warn('cloudcode stream ended without finishReason', { model: call.model, frames: frameCount });
        }
        yield decoder.finish();
        return;
      } catch (err) {
        const retry = !dropSignatures && !answered && !call.signal.aborted && err instanceof UpstreamFailure && err.kind === 'signature_invalid';
        if (!retry) throw err;
        // A replayed thought signature Google no longer accepts (another family's, or one gone stale): once more
        // without any (upstream-protocol §7). A second refusal is the request's own fault.
        logger.info('cloudcode refused the thought signatures; trying once without them', { model: call.model });
      } finally {
        reader?.close();
      }
    }
  }

  /**
   * The request as Cloud Code takes it, and how to ask: streamGenerateContent for streaming clients and for
   * every answer that thinks (it can run for minutes, the idle timeout then guards it, and its thought
   * signatures arrive as they do for the IDE). A non-streaming client's request that does not think asks
   * `generateContent`, as gemini-cli does for its unary calls: one answer read at once instead of a stream
   * parsed frame by frame (`upstream.answerTimeoutMs` bounds the wait). Either way the decoder turns the
   * answer into the same events.
   */
  async function prepare(request: ChatRequest, call: UpstreamCall, dropSignatures: boolean) {
    const encodeStarted = performance.now();
    const encoded = encodeRequest(request, { ...call, dropSignatures }, { signatures, systemPreamble: options.systemPreamble });
    const body = wrapInEnvelope(call.projectId, call.model, encoded.requestType, encoded.request);
    // A conversation that took this long to encode takes longer to serialise: in slices, over later turns.
    const bodyBytes = performance.now() - encodeStarted > SERIALISE_IN_SLICES_AFTER_MS ? await serialiseEnvelopeInSlices(body) : serialiseEnvelope(body);
    return {
      decoder: new ResponseDecoder({ model: call.model, signatures, argumentRepairs: encoded.argumentRepairs }),
      exchange: { accessToken: call.accessToken, body, bodyBytes, signal: call.signal, model: call.model, onAttempt: trackAttempts(call) },
      atOnce: !request.stream && encoded.requestType === 'agent' && !answerThinks(call.model, call.modelInfo, encoded.request.generationConfig?.thinkingConfig),
    };
  }

  async function countTokens(request: ChatRequest, call: UpstreamCall): Promise<number> {
    await signatures.prefetch(request, call.model);
    const encoded = encodeRequest(request, call, { signatures, systemPreamble: options.systemPreamble });
    const body = await client.call({
      method: 'countTokens',
      accessToken: call.accessToken,
      body: countTokensBody(call.model, encoded.request),
      signal: call.signal,
      model: call.model,
      onAttempt: trackAttempts(call),
    });
    const total = totalTokensOf(body);
    if (total === undefined) throw new UpstreamFailure('server', 'Cloud Code countTokens answered without totalTokens', { model: call.model });
    return total;
  }

  return {
    generate,
    countTokens,
    loadCodeAssist: (accessToken: string, signal?: AbortSignal): Promise<CodeAssistInfo> => accounts.loadCodeAssist(accessToken, signal),
    onboardUser: (accessToken: string, tierId: string, signal?: AbortSignal): Promise<string> => accounts.onboardUser(accessToken, tierId, signal),
    fetchAvailableModels: (accessToken: string, projectId: string, signal?: AbortSignal): Promise<ModelQuotaSnapshot> =>
      accounts.fetchAvailableModels(accessToken, projectId, signal),
    hostAttempts: (call) => attemptsByCall.get(call) ?? [],
    hostOf: (call) => attemptsByCall.get(call)?.at(-1)?.host,
    close: () => client.close(),
  };
}

export type { HostAttempt } from './client';
export { SimulatorRefused } from './client';
export { SignatureCache } from './signatures';
export { cleanSchema } from './schema';
