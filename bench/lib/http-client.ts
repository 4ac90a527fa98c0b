/** Sends requests with at most `concurrency` in flight; throws on the first non-2xx. */
export const sendAll = async <T>(
  items: readonly T[],
  concurrency: number,
  send: (item: T) => Promise<Response>,
  onProgress?: (done: number) => void,
): Promise<void> => {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      const response = await send(item);
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
      done += 1;
      if (onProgress && done % 10_000 === 0) onProgress(done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
};

export const jsonRequest = (url: string, method: string, body: unknown): Promise<Response> =>
  fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** How many bytes the body of a GET's answer holds (for the bare route answering as many: bench/hello-world-server.ts). */
export const answerBytes = async (url: string): Promise<number> => (await (await fetch(url)).arrayBuffer()).byteLength;
