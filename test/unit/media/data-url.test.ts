import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/core/errors';
import { mediaPartFromUrl, parseDataUrl } from '../../../src/core/media/data-url';

describe('media: client URLs as media parts', () => {
  it('decodes base64 and percent-encoded data URLs', () => {
    assert.deepEqual(parseDataUrl('data:image/png;base64,iVBO\nRw0K', 'p'), { mimeType: 'image/png', data: 'iVBORw0K' });
    assert.deepEqual(parseDataUrl('data:text/plain,hi%20there', 'p'), { mimeType: 'text/plain', data: Buffer.from('hi there').toString('base64') });
    assert.equal(parseDataUrl('https://example.com/a.png', 'p'), undefined);
  });

  it('keeps http(s) images as url sources with a provisional image type', () => {
    assert.deepEqual(mediaPartFromUrl('https://example.com/a.png', 'p', 'image'), {
      type: 'media',
      mimeType: 'image/*',
      source: { kind: 'url', url: 'https://example.com/a.png' },
    });
  });

  const refused: Array<[string, string, 'image' | 'any']> = [
    ['file:///etc/passwd', 'file scheme', 'image'],
    ['gopher://host/', 'gopher scheme', 'image'],
    ['not a url', 'garbage', 'image'],
    ['data:image/png;base64,!!!!', 'bad base64', 'image'],
    ['data:image/png;base64', 'no comma', 'image'],
    ['data:application/pdf;base64,JVBERg==', 'a PDF where an image is expected', 'image'],
    ['https://example.com/a.pdf', 'a non-image file by URL', 'any'],
  ];
  for (const [url, what, expected] of refused) {
    it(`refuses ${what} with a 400 naming the param`, () => {
      assert.throws(
        () => mediaPartFromUrl(url, 'messages[0].content[1].image_url.url', expected),
        (err: unknown) => err instanceof GatewayError && err.status === 400 && err.param === 'messages[0].content[1].image_url.url',
      );
    });
  }
});
