import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { type RunningEmulators, type StartEmulatorsOptions, startEmulators } from './emulators.ts';

type Command = 'stopSqs' | 'stop';
/** The emulators on their thread: endpoints and controls (the send-rate gates' counters stay on the thread). */
export type ThreadedEmulators = Omit<RunningEmulators, 'sendRates'>;

type Reply = { readonly ok: true; readonly endpoints?: RunningEmulators['endpoints'] } | { readonly ok: false; readonly error: string };

/**
 * The emulators of `startEmulators`, on a thread of their own: AWS's services do not run on the relay's
 * event loop, and on one loop a burst's SendMessage attempts wait behind the emulators' own work
 * (dynalite above all), the consumers' calls included, and run out their 500 ms timeout although SQS
 * handled them in a fraction of a millisecond. Same endpoints and controls as `startEmulators`.
 */
export const startEmulatorsThread = async (options: StartEmulatorsOptions = {}): Promise<ThreadedEmulators> => {
  // Run from TypeScript (npm start, the bench), the thread registers tsx first: Node does not hand a CLI's loader to threads.
  const self = JSON.stringify(import.meta.url);
  const worker = import.meta.url.endsWith('.ts')
    ? new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${self}); });`, {
        eval: true,
        workerData: options,
      })
    : new Worker(new URL(import.meta.url), { workerData: options });
  // One question at a time: the thread answers each with one message, or fails or exits instead.
  const ask = (command?: Command) =>
    new Promise<Reply>((resolve, reject) => {
      const settle = (settled: () => void) => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        settled();
      };
      const onMessage = (reply: Reply) => settle(() => resolve(reply));
      const onError = (error: Error) => settle(() => reject(error));
      const onExit = (code: number) => settle(() => reject(new Error(`The emulator thread exited with code ${code}`)));
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      if (command) worker.postMessage(command);
    });
  const started = await ask();
  if (!started.ok || !started.endpoints) {
    await worker.terminate();
    throw new Error(`The emulators did not start: ${started.ok ? 'no endpoints' : started.error}`);
  }
  const send = async (command: Command) => {
    const reply = await ask(command);
    if (!reply.ok) throw new Error(reply.error);
  };
  let stopped = false;
  return {
    endpoints: started.endpoints,
    stopSqs: () => send('stopSqs'),
    async stop() {
      if (stopped) return;
      stopped = true;
      await send('stop');
      await worker.terminate();
    },
  };
};

if (!isMainThread && parentPort) {
  const port = parentPort;
  const failed = (error: unknown): Reply => ({ ok: false, error: error instanceof Error ? error.message : String(error) });
  startEmulators(workerData as StartEmulatorsOptions).then(
    (emulators) => {
      port.postMessage({ ok: true, endpoints: emulators.endpoints } satisfies Reply);
      port.on('message', (command: Command) => {
        (command === 'stopSqs' ? emulators.stopSqs() : emulators.stop()).then(
          () => port.postMessage({ ok: true } satisfies Reply),
          (error: unknown) => port.postMessage(failed(error)),
        );
      });
    },
    (error: unknown) => port.postMessage(failed(error)),
  );
}
