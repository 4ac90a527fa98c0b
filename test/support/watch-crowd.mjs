// A crowd of change-feed clients in a process of its own (so that the process that times a server
// is not the one busy with their sockets): node watch-crowd.mjs URL SSE_COUNT LONG_POLL_COUNT.
// Prints one JSON line when every client is connected ({"open": ...}), and one when the server
// has ended every response ({"polls": [...], "streams": [...]}).
import { Agent, request } from 'node:http';

const [url, sseCount, pollCount] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const agent = new Agent({ keepAlive: false, maxSockets: Infinity });

const open = (path, accept) => {
  let onStatus = () => {};
  const status = new Promise((resolve) => (onStatus = resolve));
  const ended = new Promise((resolve) => {
    const req = request(`${url}${path}`, { agent, headers: { accept } }, (res) => {
      onStatus(res.statusCode);
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body, complete: true }));
      res.on('close', () => resolve({ status: res.statusCode, body, complete: res.complete }));
    });
    req.on('error', (error) => resolve({ status: 0, body: String(error), complete: false }));
    req.end();
  });
  return { status, ended };
};

const streams = [];
for (let opened = 0; opened < sseCount; opened += 100) {
  const batch = Array.from({ length: Math.min(100, sseCount - opened) }, () => open('/api/watch', 'text/event-stream'));
  await Promise.all(batch.map((client) => client.status));
  streams.push(...batch);
}
const polls = Array.from({ length: pollCount }, () => open(`/api/watch?wait=10`, 'application/json'));
let answeredEarly = 0;
for (const poll of polls) void poll.ended.then(() => answeredEarly++);
// the polls reach the server and wait there
await new Promise((resolve) => setTimeout(resolve, 1000));
const statuses = await Promise.all(streams.map((client) => client.status));
process.stdout.write(`${JSON.stringify({ open: { streams: statuses.filter((status) => status === 200).length, answeredEarly } })}\n`);
const [pollAnswers, streamAnswers] = await Promise.all([
  Promise.all(polls.map((poll) => poll.ended)),
  Promise.all(streams.map((client) => client.ended)),
]);
process.stdout.write(
  `${JSON.stringify({
    polls: pollAnswers,
    streams: streamAnswers.map(({ status, body, complete }) => ({ status, complete, watching: body.startsWith(': watching') })),
  })}\n`,
);
agent.destroy();
