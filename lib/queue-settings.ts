/** The queue settings live beside the functions, which read them too (functions/ never imports lib/). */
export * from '../functions/shared/queue-settings.ts';
