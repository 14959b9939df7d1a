// The baseline: a bare Bolt app with its own HTTPReceiver whose command handler only acknowledges.
// Bot token and signing secret, Web API at the benchmark's fake. Bolt's default token verification
// calls auth.test once at start; with it turned off, Bolt calls auth.test on every request (its
// singleAuthorization does not keep the result), which made this baseline slower than a real app.
// Run as a script it serves until SIGTERM (env: SIGNING_SECRET, SLACK_API_URL, PORT).
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App, LogLevel } from '@slack/bolt';
import { announceReady, startServerProcess, type ServerProcess } from './server-process.js';

export async function startBareBoltProcess(options: { signingSecret: string; apiUrl: string }): Promise<ServerProcess> {
  return startServerProcess({
    name: 'bare Bolt',
    nodeArgs: ['--import', 'tsx', fileURLToPath(import.meta.url)],
    env: { NODE_ENV: 'production', SIGNING_SECRET: options.signingSecret, SLACK_API_URL: options.apiUrl, PORT: '0' },
  });
}

async function serve(): Promise<void> {
  const app = new App({
    token: 'xoxb-bench-bare-bolt',
    signingSecret: process.env.SIGNING_SECRET ?? '',
    clientOptions: { slackApiUrl: process.env.SLACK_API_URL ?? '' },
    logLevel: LogLevel.ERROR,
  });
  app.command(/.*/, async ({ ack }) => {
    await ack();
  });
  // Button clicks (bench/votes): acknowledged and nothing else.
  app.action(/.*/, async ({ ack }) => {
    await ack();
  });
  const server = await app.start(Number(process.env.PORT ?? 0));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.once('SIGTERM', () => {
    void app.stop().then(() => process.exit(0));
  });
  announceReady(`http://127.0.0.1:${port}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  serve().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
