import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** How the handlers run in Lambda: INFO logs and EMF metrics (to a stdout that goes nowhere here). */
export const AS_DEPLOYED = {
  POWERTOOLS_LOG_LEVEL: 'INFO',
  POWERTOOLS_SERVICE_NAME: 'cometchat-relay',
  POWERTOOLS_METRICS_DISABLED: 'false',
} as const;

type WorkerMessage<Reply> = { readonly ok: true; readonly reply: Reply } | { readonly ok: false; readonly error: string };

/**
 * Runs one benchmark worker (a .ts file run through tsx) in a fresh Node
 * process: sends it `request`, resolves with its one reply. The worker's
 * stdout goes nowhere (handlers log there at INFO, as deployed); its stderr
 * is shown only if it fails.
 */
export const runWorker = <Request, Reply>(
  worker: URL,
  request: Request,
  { env = {}, timeoutMs = 120_000 }: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Reply> =>
  new Promise<Reply>((resolve, reject) => {
    const child = fork(fileURLToPath(worker), [], {
      execArgv: ['--import', 'tsx'],
      // Handlers write their WARN and ERROR lines to stderr: kept to explain a failure, dropped otherwise.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    });
    let settled = false;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = `${stderr}${chunk.toString('utf8')}`.slice(-20_000);
    });
    const timer = setTimeout(() => {
      settled = true;
      child.kill();
      reject(new Error(`${worker.pathname} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('message', (message: WorkerMessage<Reply>) => {
      settled = true;
      clearTimeout(timer);
      if (message.ok) resolve(message.reply);
      else reject(new Error(`${worker.pathname} failed: ${message.error}\n${stderr}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!settled) reject(new Error(`${worker.pathname} exited with code ${code} before answering\n${stderr}`));
    });
    child.send(request as object);
  });
