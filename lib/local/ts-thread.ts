import { Worker } from 'node:worker_threads';

/**
 * Runs the module at `moduleUrl` on a thread of its own, with `data` as its `workerData`. Run from
 * TypeScript (npm start, the tests, the bench), the thread registers tsx first: Node does not hand a
 * CLI's loader to threads.
 */
export const startTsThread = (moduleUrl: string, data: unknown): Worker => {
  const self = JSON.stringify(moduleUrl);
  return moduleUrl.endsWith('.ts')
    ? new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${self}); });`, {
        eval: true,
        workerData: data,
      })
    : new Worker(new URL(moduleUrl), { workerData: data });
};

/**
 * Questions to a thread that answers each with one message: `ask(command)` posts the command (none:
 * waits for the thread's first message) and resolves with the answer, or rejects if the thread fails
 * or exits instead. One question at a time.
 */
export const threadQuestions =
  <Reply>(worker: Worker, name: string) =>
  (command?: string): Promise<Reply> =>
    new Promise<Reply>((resolve, reject) => {
      const settle = (settled: () => void) => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        settled();
      };
      const onMessage = (reply: Reply) => settle(() => resolve(reply));
      const onError = (error: Error) => settle(() => reject(error));
      const onExit = (code: number) => settle(() => reject(new Error(`The ${name} thread exited with code ${code}`)));
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      if (command) worker.postMessage(command);
    });
