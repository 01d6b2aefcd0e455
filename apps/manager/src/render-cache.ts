/**
 * A text rendered once per key. The read routes built from the `/jobs` snapshot (`GET /`,
 * `/metrics`, `/mirrorz.json`) key their render by what it shows (the snapshot's ETag, and
 * whatever else goes in) and reuse the text until the key changes.
 */
export class RenderCache {
  private key: string | undefined;
  private text = '';
  private count = 0;

  /** How many times the text was rendered (not answered from the cache). */
  get renders(): number {
    return this.count;
  }

  /** The text for `key`: the cached one, or what `render` makes when the key changed. */
  get(key: string, render: () => string): string {
    if (key !== this.key) {
      this.text = render();
      this.key = key;
      this.count += 1;
    }
    return this.text;
  }
}
