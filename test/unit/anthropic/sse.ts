/** Test helpers: Anthropic SSE text back into frames, and frames into a one-line-per-frame outline. */

export interface Frame {
  event: string;
  data: any;
}

export function parseFrames(text: string): Frame[] {
  if (!text.endsWith('\n\n')) throw new Error(`SSE text must end with a blank line: ${JSON.stringify(text.slice(-40))}`);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((chunk) => {
      const lines = chunk.split('\n');
      if (lines.length !== 2 || !lines[0].startsWith('event: ') || !lines[1].startsWith('data: ')) {
        throw new Error(`malformed frame: ${JSON.stringify(chunk)}`);
      }
      const event = lines[0].slice('event: '.length);
      const data = JSON.parse(lines[1].slice('data: '.length));
      if (data.type !== event) throw new Error(`event ${event} carries data of type ${data.type}`);
      return { event, data };
    });
}

/** `start 1 tool_use`, `delta 1 input_json_delta`, `stop 1`, `message_delta tool_use`, … */
export function outline(frames: Frame[]): string[] {
  return frames.map(({ event, data }) => {
    switch (event) {
      case 'content_block_start':
        return `start ${data.index} ${data.content_block.type}`;
      case 'content_block_delta':
        return `delta ${data.index} ${data.delta.type}`;
      case 'content_block_stop':
        return `stop ${data.index}`;
      case 'message_delta':
        return `message_delta ${data.delta.stop_reason}`;
      default:
        return event;
    }
  });
}
