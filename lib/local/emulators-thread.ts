import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { type RunningEmulators, type StartEmulatorsOptions, startEmulators } from './emulators.ts';
import { startTsThread, threadQuestions } from './ts-thread.ts';

type Command = 'stopSqs' | 'stop';
/** The emulators on their thread: endpoints and controls (the send-rate gates' counters stay on the thread). */
export type ThreadedEmulators = Omit<RunningEmulators, 'sendRates'>;

type Reply =
  | { readonly ok: true; readonly endpoints?: RunningEmulators['endpoints'] }
  | { readonly ok: false; readonly error: string };

/**
 * The emulators of `startEmulators`, on a thread of their own: AWS's services do not run on the relay's
 * event loop, and on one loop a burst's SendMessage attempts wait behind the emulators' own work
 * (dynalite above all), the consumers' calls included, and run out their 500 ms timeout although SQS
 * handled them in a fraction of a millisecond. Same endpoints and controls as `startEmulators`.
 */
export const startEmulatorsThread = async (options: StartEmulatorsOptions = {}): Promise<ThreadedEmulators> => {
  const worker = startTsThread(import.meta.url, options);
  const ask = threadQuestions<Reply>(worker, 'emulator');
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
